"""Writes for the supplier register: create/update, scoring, gates, decisions, code of conduct, annual review.

Audits and corrective actions are in suppliers/services/audit.py, questionnaires in
questionnaire.py, import/export in imports.py; they share register_manager_check and
supplier_event_record from here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance import rules as role_rules
from compliance.models import User
from compliance.services import notification_send
from compliance.uploads import display_name, stored_name
from suppliers import scoring
from suppliers.figures import register_figures_changed
from suppliers.models import (
    REGISTER_FIELDS,
    Action,
    AgencyFees,
    AgencyIdDocuments,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CorrectiveActionEvent,
    CountryRisk,
    EnhancedDueDiligence,
    ReviewTask,
    RiskAssessment,
    RiskBand,
    RiskWeight,
    SubSupplier,
    Supplier,
    SupplierDocument,
    SupplierEvent,
)
from suppliers.uploads import validate_upload

REVIEW_INTERVAL_DAYS = 365


def supplier_url_for(user: User | None, supplier: Supplier, fallback: str = "") -> str:
    """The supplier's page for someone who may open it; otherwise a page they can (a link must never 404)."""
    if user is not None and role_rules.can_view_suppliers.test(user):
        return supplier.get_absolute_url()
    return fallback


def register_manager_check(actor: User | None) -> None:
    # Scheduled tasks act as the system (actor None); people must hold a managing role.
    if actor is not None and not role_rules.can_manage_suppliers.test(actor):
        raise PermissionDenied("Only procurement or the Modern Slavery Lead can change suppliers.")


def supplier_open_check(supplier: Supplier) -> None:
    """A terminated supplier is read-only: only a decision (reinstatement) changes it."""
    # Read from the database: the caller's copy may have been loaded before a termination.
    if Supplier.objects.filter(pk=supplier.pk, status=Supplier.Status.TERMINATED).exists():
        raise PermissionDenied(
            f"{supplier.name} is terminated: its record is read-only. Reinstate it through a decision first."
        )


def supplier_event_record(*, supplier: Supplier, kind: str, message: str, actor: User | None = None) -> SupplierEvent:
    """Add a line to the supplier's history."""
    return SupplierEvent.objects.create(supplier=supplier, kind=kind, message=message, actor=actor)


def supplier_create(*, actor: User | None, data: dict) -> Supplier:
    """Add a prospective supplier to the register and score it."""
    register_manager_check(actor)
    with transaction.atomic():
        supplier = Supplier(status=Supplier.Status.PROSPECTIVE)
        for field in REGISTER_FIELDS:
            if field in data:
                setattr(supplier, field, data[field])
        if supplier.category == Supplier.Category.AGENCY_STAFFING:
            supplier.is_recruitment_agency = True
        supplier.full_clean()
        supplier.save()
        supplier_event_record(
            supplier=supplier, kind=SupplierEvent.Kind.CREATED, message="Added to the register.", actor=actor
        )
        risk_assess(supplier=supplier, actor=actor, reason="Added to the register")
    return supplier


def supplier_update(*, supplier: Supplier, actor: User | None, data: dict) -> Supplier:
    """Change register details, record what changed, and rescore."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        was_agency = supplier.agency_applies
        changed = []
        for field in REGISTER_FIELDS:
            if field in data and getattr(supplier, field) != data[field]:
                setattr(supplier, field, data[field])
                changed.append(Supplier._meta.get_field(field).verbose_name)
        if supplier.category == Supplier.Category.AGENCY_STAFFING:
            supplier.is_recruitment_agency = True
        # Becoming an agency while active skips the activation gate: the same checks apply here
        # (policy 4.3). An agency already active whose checks lapsed is the daily run's business.
        if supplier.status == Supplier.Status.ACTIVE and not was_agency and supplier.agency_check_gaps():
            raise ValidationError(
                "An active supplier cannot become a recruitment or staffing agency without current positive "
                "checks: " + "; ".join(supplier.agency_check_gaps()) + ". Record them under Agency checks first, "
                "or suspend the supplier."
            )
        supplier.full_clean()
        supplier.save()
        if changed:
            supplier_event_record(
                supplier=supplier,
                kind=SupplierEvent.Kind.UPDATED,
                message="Changed: " + ", ".join(changed) + ".",
                actor=actor,
            )
            risk_assess(supplier=supplier, actor=actor, reason="Register details changed")
    return supplier


def risk_assessment_build(*, supplier: Supplier, result, actor: User | None, at, reason: str) -> RiskAssessment:
    """The explained snapshot of a score, unsaved (the import writes many at once)."""
    return RiskAssessment(
        supplier=supplier,
        assessed_by=actor,
        assessed_at=at,
        score=result.score,
        band=result.band,
        factors=result.factor_dicts(),
        reason=reason[:200],
    )


def risk_change_message(*, previous_band: str, result, reason: str) -> str:
    """The supplier event's words for a new or changed risk band."""
    change = f"changed from {previous_band} to " if previous_band else "scored as "
    return f"Risk {change}{result.band} ({result.score} points). {reason}".strip()


def risk_assess(*, supplier: Supplier, actor: User | None = None, reason: str = "", tables=None) -> RiskAssessment:
    """Score the supplier now, keep the explained snapshot and flag a rise to high."""
    result = scoring.supplier_score(supplier, tables=tables)
    previous_band = supplier.risk_band
    now = timezone.now()
    assessment = risk_assessment_build(supplier=supplier, result=result, actor=actor, at=now, reason=reason)
    assessment.save()
    Supplier.objects.filter(pk=supplier.pk).update(
        risk_score=result.score,
        risk_band=result.band,
        risk_assessed_at=now,
        next_review_due=supplier.next_review_due or (now.date() + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)),
    )
    register_figures_changed()  # an update() sends no post_save
    supplier.risk_score, supplier.risk_band, supplier.risk_assessed_at = result.score, result.band, now
    if supplier.next_review_due is None:
        supplier.next_review_due = now.date() + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
    if previous_band != result.band:
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.RISK,
            message=risk_change_message(previous_band=previous_band, result=result, reason=reason),
            actor=actor,
        )
    if result.critical_answers:
        # Says "high risk" and why in one message, once per questionnaire however often it is rescored.
        risk_critical_answers_notify(supplier=supplier, result=result, assessment=assessment)
    elif result.band == RiskBand.HIGH and previous_band != RiskBand.HIGH:
        risk_high_notify(supplier=supplier, assessment=assessment)
    return assessment


def risk_critical_answers_notify(*, supplier: Supplier, result, assessment: RiskAssessment) -> None:
    """Tell the Lead, procurement and the contract owner, once per questionnaire, that its answers admit forced-labour indicators."""
    # Keyed on the questionnaire, not the assessment: accepting, rescoring and the annual review
    # all find the same answers, and the Lead hears about them once (like a prohibited agency).
    dedupe_key = f"supplier-critical-answers:{supplier.pk}:{result.questionnaire_id}"
    context = {"supplier": supplier, "score": assessment.score, "answers": result.critical_answers}
    subject = f"Supplier {supplier.name} is high risk: critical questionnaire answers"
    notification_send(
        recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD, roles.PROCUREMENT),
        subject=subject,
        template="suppliers/email/critical_answers.txt",
        context=context,
        url=supplier.get_absolute_url(),
        dedupe_key=dedupe_key,
    )
    if supplier.contract_owner_id:
        notification_send(
            recipients=[supplier.contract_owner],
            subject=subject,
            template="suppliers/email/critical_answers.txt",
            context=context,
            url=supplier_url_for(supplier.contract_owner, supplier),
            dedupe_key=dedupe_key,
        )


def risk_high_notify(*, supplier: Supplier, assessment: RiskAssessment) -> None:
    """Tell procurement, the Lead and the contract owner that a supplier has become high risk."""
    notification_send(
        recipients=User.objects.in_role(roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD),
        subject=f"Supplier {supplier.name} is now high risk",
        template="suppliers/email/high_risk.txt",
        context={"supplier": supplier, "score": assessment.score},
        url=supplier.get_absolute_url(),
        dedupe_key=f"supplier-high-risk:{supplier.pk}:{assessment.pk}",
    )
    if supplier.contract_owner_id:
        # The contract owner may not have register access: link only where they can go.
        notification_send(
            recipients=[supplier.contract_owner],
            subject=f"Supplier {supplier.name} is now high risk",
            template="suppliers/email/high_risk.txt",
            context={"supplier": supplier, "score": assessment.score},
            url=supplier_url_for(supplier.contract_owner, supplier),
            dedupe_key=f"supplier-high-risk:{supplier.pk}:{assessment.pk}",
        )


# Enhanced checks older than a year no longer clear the gate: the annual review redoes them.
EDD_VALID_DAYS = 365


def supplier_has_current_enhanced_checks(supplier: Supplier, checks: Iterable | None = None) -> bool:
    """Whether the supplier's enhanced checks were recorded within a year; `checks`, when the caller
    has already read every one of the supplier's checks (its page lists them), saves the query."""
    since = timezone.now() - datetime.timedelta(days=EDD_VALID_DAYS)
    if checks is not None:
        return any(check.recorded_at >= since for check in checks)
    return EnhancedDueDiligence.objects.filter(supplier=supplier, recorded_at__gte=since).exists()


def supplier_activation_blockers(supplier: Supplier, *, enhanced_checks: Iterable | None = None) -> list[str]:
    """Why this supplier cannot become active (empty when it can); `enhanced_checks` as for
    supplier_has_current_enhanced_checks."""
    blockers = []
    gaps = supplier.agency_check_gaps()
    if gaps:
        blockers.append(
            "Recruitment agency without current positive checks (policy 4.3; re-checked every 12 months): "
            + "; ".join(gaps)
            + ". Record them under Agency checks."
        )
    if supplier.is_prohibited_agency:
        blockers.append(
            "This recruitment agency charges workers fees or retains their identity documents: "
            "under policy 4.3 we do not use it."
        )
    if supplier.risk_band == RiskBand.HIGH and not supplier_has_current_enhanced_checks(supplier, enhanced_checks):
        blockers.append(
            "High risk: record the enhanced due diligence checks (within the last 12 months) before activating."
        )
    return blockers


def supplier_activate(*, supplier: Supplier, actor: User) -> Supplier:
    """Make a prospective or suspended supplier active, if the gates allow it."""
    register_manager_check(actor)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        if supplier.status not in (Supplier.Status.PROSPECTIVE, Supplier.Status.SUSPENDED):
            raise ValidationError(f"A {supplier.get_status_display().lower()} supplier cannot be activated.")
        blockers = supplier_activation_blockers(supplier)
        if blockers:
            raise ValidationError(blockers)
        supplier.status = Supplier.Status.ACTIVE
        supplier.save(update_fields=["status", "updated_at"])
        supplier_event_record(supplier=supplier, kind=SupplierEvent.Kind.STATUS, message="Activated.", actor=actor)
    return supplier


def supplier_enhanced_checks_record(*, supplier: Supplier, actor: User, data: dict) -> EnhancedDueDiligence:
    """Record the enhanced due diligence done for a high-risk supplier."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        edd = EnhancedDueDiligence(supplier=supplier, recorded_by=actor, **data)
        # Derived, not ticked: the supply chain is mapped when its tier-2/3 suppliers are recorded.
        edd.supply_chain_mapped = SubSupplier.objects.filter(supplier=supplier).exists()
        edd.full_clean()
        edd.save()
        done = [
            f.verbose_name
            for f in EnhancedDueDiligence._meta.fields
            if f.get_internal_type() == "BooleanField" and getattr(edd, f.name)
        ]
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.ENHANCED_CHECKS,
            message="Enhanced due diligence recorded: " + ("; ".join(done) or "no individual checks ticked") + ".",
            actor=actor,
        )
    return edd


def supplier_agency_checks_record(
    *,
    supplier: Supplier,
    actor: User,
    fees_outcome: str,
    fees_evidence: str,
    ids_outcome: str,
    ids_evidence: str,
    checked_on: datetime.date | None = None,
    glaa_sectors: bool = False,
    licence_number: str = "",
) -> Supplier:
    """Record the agency's dated checks on worker fees and identity documents (and its GLAA licence); an adverse one prohibits it."""
    register_manager_check(actor)
    checked_on = checked_on or timezone.localdate()
    errors = {}
    if fees_outcome not in AgencyFees.values:
        errors["fees_outcome"] = "Say whether the agency charges workers fees."
    if ids_outcome not in AgencyIdDocuments.values:
        errors["ids_outcome"] = "Say whether the agency retains workers' identity documents."
    # A clean result clears the activation gate, so it must say what it rests on.
    if fees_outcome == AgencyFees.NONE_CHARGED and not fees_evidence.strip():
        errors["fees_evidence"] = "Say what shows that no fees are charged (contract terms, worker interviews)."
    if ids_outcome == AgencyIdDocuments.NOT_RETAINED and not ids_evidence.strip():
        errors["ids_evidence"] = "Say what shows that identity documents are not retained."
    if checked_on > timezone.localdate():
        errors["checked_on"] = "The check date cannot be in the future."
    if glaa_sectors and not licence_number.strip():
        errors["licence_number"] = "Give the GLAA licence number (check it on the GLAA public register)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        supplier_open_check(supplier)
        was_prohibited = supplier.is_prohibited_agency
        supplier.is_recruitment_agency = True
        supplier.agency_fees_outcome, supplier.agency_fees_evidence = fees_outcome, fees_evidence.strip()
        supplier.agency_ids_outcome, supplier.agency_ids_evidence = ids_outcome, ids_evidence.strip()
        supplier.agency_fees_checked_on = supplier.agency_ids_checked_on = checked_on
        supplier.agency_fees_checked_by = supplier.agency_ids_checked_by = actor
        supplier.agency_glaa_sectors = glaa_sectors
        supplier.agency_licence_number = licence_number.strip() if glaa_sectors else ""
        supplier.agency_licence_checked_on = checked_on if glaa_sectors else None
        supplier.save()
        message = (
            f"Agency checks recorded for {checked_on:%d %b %Y}: "
            f"{supplier.get_agency_fees_outcome_display().lower()}; {supplier.get_agency_ids_outcome_display().lower()}"
            + (f"; GLAA licence {supplier.agency_licence_number}" if glaa_sectors else "")
            + "."
        )
        if supplier.is_prohibited_agency:
            message = "PROHIBITED. " + message
        supplier_event_record(supplier=supplier, kind=SupplierEvent.Kind.AGENCY, message=message, actor=actor)
        if supplier.is_prohibited_agency and supplier.status == Supplier.Status.ACTIVE:
            # A prohibited agency must not keep supplying workers while a decision is made.
            supplier.status = Supplier.Status.SUSPENDED
            supplier.save(update_fields=["status", "updated_at"])
            supplier_event_record(
                supplier=supplier,
                kind=SupplierEvent.Kind.STATUS,
                message="Suspended: prohibited recruitment agency.",
                actor=actor,
            )
        if supplier.is_prohibited_agency and not was_prohibited:
            notification_send(
                recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD, roles.PROCUREMENT),
                subject=f"Prohibited recruitment agency: {supplier.name}",
                template="suppliers/email/prohibited_agency.txt",
                context={"supplier": supplier},
                url=supplier.get_absolute_url(),
                dedupe_key=f"supplier-prohibited:{supplier.pk}:{timezone.now():%Y%m%d%H%M%S}",
            )
        risk_assess(supplier=supplier, actor=actor, reason="Agency checks recorded")
    return supplier


# Days before an agency's checks lapse when its contract owner is asked to re-check.
AGENCY_RECHECK_NOTICE_DAYS = 30
# Days after a lapse (and its review task) before an agency still not re-checked is suspended:
# with the notice above, six weeks to re-check before the agency stops being used.
AGENCY_LAPSE_GRACE_DAYS = 14


def _agency_suspend_for_lapse(*, supplier: Supplier, gaps: list[str], lapsed_on: datetime.date, task) -> None:
    """Suspend an active agency whose checks stayed lapsed past the grace period (a system decision)."""
    supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
    if supplier.status != Supplier.Status.ACTIVE:
        return
    supplier.status = Supplier.Status.SUSPENDED
    supplier.suspended_at = timezone.now()
    supplier.save(update_fields=["status", "suspended_at"])
    supplier_event_record(
        supplier=supplier,
        kind=SupplierEvent.Kind.DECISION,
        message=(
            f"Suspended automatically: the agency checks lapsed on {lapsed_on:%d %b %Y} and were not re-done within "
            f"{AGENCY_LAPSE_GRACE_DAYS} days (policy 4.3): " + "; ".join(gaps) + "."
        ),
    )
    owner_or_procurement = [supplier.contract_owner] if supplier.contract_owner_id else []
    notification_send(
        recipients=[
            *owner_or_procurement,
            *User.objects.in_role(roles.PROCUREMENT),
            *User.objects.in_role(roles.MODERN_SLAVERY_LEAD),
        ],
        subject=f"Agency suspended, checks lapsed: {supplier.name}",
        template="suppliers/email/agency_checks_due.txt",
        context={"supplier": supplier, "gaps": gaps, "lapsed": True, "suspended": True, "task": task},
        url=supplier.get_absolute_url(),
        dedupe_key=f"agency-suspended:{supplier.pk}:{task.pk}",
    )


def agency_checks_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: remind contract owners of agency re-checks falling due; act when they lapse (idempotent).

    Current checks are needed to stay active (policy 4.3), but a lapse does not suspend the agency
    on the day: workers may be on shift through it, and a procurement manager expects to be told
    and to decide. So a lapse opens a review task for the contract owner (procurement when there is
    none) and tells them and procurement; if the checks are still not re-done
    AGENCY_LAPSE_GRACE_DAYS later, the agency is suspended and they and the Lead are told. It cannot
    be re-activated until it is re-checked (supplier_activation_blockers).
    """
    today = today or timezone.localdate()
    counts = {"reminded": 0, "lapsed": 0, "suspended": 0}
    agencies = (
        Supplier.objects.agencies()
        .filter(status=Supplier.Status.ACTIVE)
        .select_related("contract_owner")
        .order_by("pk")
    )
    for supplier in agencies:
        due = supplier.agency_checks_due_on
        owner_or_procurement = (
            [supplier.contract_owner] if supplier.contract_owner_id else list(User.objects.in_role(roles.PROCUREMENT))
        )
        gaps = supplier.agency_check_gaps(today)
        if gaps:
            reason = "Agency checks lapsed: re-check fees and identity documents"
            with transaction.atomic():
                open_task = ReviewTask.objects.filter(
                    supplier=supplier, status=ReviewTask.Status.OPEN, reason=reason
                ).first()
                if open_task is not None:
                    lapsed_on = timezone.localdate(open_task.created_at)
                    if (today - lapsed_on).days >= AGENCY_LAPSE_GRACE_DAYS:
                        _agency_suspend_for_lapse(supplier=supplier, gaps=gaps, lapsed_on=lapsed_on, task=open_task)
                        counts["suspended"] += 1
                    continue
                task = ReviewTask.objects.create(
                    supplier=supplier, assigned_to=supplier.contract_owner, reason=reason, due_date=today
                )
                supplier_event_record(
                    supplier=supplier, kind=SupplierEvent.Kind.AGENCY, message=f"{reason}: " + "; ".join(gaps) + "."
                )
                notification_send(
                    recipients=[*owner_or_procurement, *User.objects.in_role(roles.PROCUREMENT)],
                    subject=f"Agency checks lapsed: {supplier.name}",
                    template="suppliers/email/agency_checks_due.txt",
                    context={
                        "supplier": supplier,
                        "gaps": gaps,
                        "due": due,
                        "lapsed": True,
                        "task": task,
                        "grace_days": AGENCY_LAPSE_GRACE_DAYS,
                    },
                    url=reverse("suppliers:review_tasks"),
                    dedupe_key=f"agency-lapsed:{supplier.pk}:{task.pk}",
                )
            counts["lapsed"] += 1
        elif due is not None and due - datetime.timedelta(days=AGENCY_RECHECK_NOTICE_DAYS) <= today:
            notification_send(
                recipients=owner_or_procurement,
                subject=f"Agency re-check due by {due:%d %b %Y}: {supplier.name}",
                template="suppliers/email/agency_checks_due.txt",
                context={"supplier": supplier, "gaps": [], "due": due, "lapsed": False},
                url=supplier_url_for(owner_or_procurement[0], supplier) if owner_or_procurement else "",
                # One reminder per due date, however often the schedule runs.
                dedupe_key=f"agency-recheck:{supplier.pk}:{due.isoformat()}",
            )
            counts["reminded"] += 1
    return counts


class Decision:
    SUSPEND = "suspend"
    TERMINATE = "terminate"
    EXTEND = "extend"
    REINSTATE = "reinstate"
    CHOICES = [
        (SUSPEND, "Suspend the supplier"),
        (TERMINATE, "Terminate the contract"),
        (EXTEND, "Extend the deadline for the corrective actions"),
    ]
    # The one decision open on a terminated supplier (its record is otherwise read-only).
    TERMINATED_CHOICES = [(REINSTATE, "Reinstate the supplier (suspended until it passes the activation checks)")]


def supplier_decision_record(
    *, supplier: Supplier, actor: User, decision: str, reason: str, new_due_date: datetime.date | None = None
) -> Supplier:
    """Decide on a supplier (suspend, terminate, or extend deadlines) with a reason."""
    register_manager_check(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the decision."})
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        if supplier.status == Supplier.Status.TERMINATED and decision != Decision.REINSTATE:
            raise ValidationError(
                {"decision": f"{supplier.name} is terminated: the only decision left is to reinstate it."}
            )
        if decision == Decision.REINSTATE:
            if supplier.status != Supplier.Status.TERMINATED:
                raise ValidationError({"decision": "Only a terminated supplier is reinstated by a decision."})
            # Back to suspended, not active: the activation gates (agency checks, enhanced checks)
            # must be passed again. The termination stays on the history; the typed date goes, as the
            # supplier is no longer terminated.
            supplier.status = Supplier.Status.SUSPENDED
            supplier.terminated_at = None
            supplier.suspended_at = timezone.now()
            message = f"Reinstated (suspended until activated). Reason: {reason}"
        elif decision == Decision.SUSPEND:
            if supplier.status != Supplier.Status.ACTIVE:
                raise ValidationError("Only an active supplier can be suspended.")
            supplier.status = Supplier.Status.SUSPENDED
            supplier.suspended_at = timezone.now()
            message = f"Suspended. Reason: {reason}"
        elif decision == Decision.TERMINATE:
            if supplier.status == Supplier.Status.TERMINATED:
                raise ValidationError("This supplier is already terminated.")
            supplier.status = Supplier.Status.TERMINATED
            supplier.terminated_at = timezone.now()
            message = f"Terminated. Reason: {reason}"
        elif decision == Decision.EXTEND:
            if new_due_date is None or new_due_date <= timezone.localdate():
                raise ValidationError({"new_due_date": "Give a new due date in the future."})
            actions = CorrectiveAction.objects.filter(
                supplier=supplier, status=CorrectiveAction.Status.OPEN, due_date__lt=new_due_date
            )
            for action in actions:
                CorrectiveActionEvent.objects.create(
                    action=action,
                    actor=actor,
                    kind=CorrectiveActionEvent.Kind.EXTENDED,
                    message=f"Due date extended from {action.due_date:%d %b %Y} to {new_due_date:%d %b %Y}: {reason}",
                )
            actions.update(due_date=new_due_date, escalation_level=CorrectiveAction.Escalation.NONE)
            message = f"Corrective action deadlines extended to {new_due_date:%d %b %Y}. Reason: {reason}"
        else:
            raise ValidationError({"decision": "Choose suspend, terminate or extend."})
        supplier.termination_recommended_at = None
        supplier.termination_recommendation = ""
        supplier.save()
        supplier_event_record(supplier=supplier, kind=SupplierEvent.Kind.DECISION, message=message, actor=actor)
    return supplier


def supplier_reinstate(*, supplier: Supplier, actor: User) -> Supplier:
    """Reactivate a suspended supplier (the same gates as activation apply)."""
    return supplier_activate(supplier=supplier, actor=actor)


def document_upload(*, supplier: Supplier, uploaded, actor: User | None, description: str = "") -> SupplierDocument:
    """Store an evidence file for a supplier after checking its size and real type."""
    content_type = validate_upload(uploaded)
    document = SupplierDocument(
        supplier=supplier,
        original_name=display_name(uploaded.name, content_type),
        content_type=content_type,
        size=uploaded.size,
        description=description[:255],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    # Stored under a random name; the person's name is kept, cleaned, only for the download.
    document.file.save(stored_name(content_type), uploaded, save=False)
    document.save()
    return document


# --- Code of conduct ------------------------------------------------------------


def code_of_conduct_publish(*, actor: User, version: str, title: str, clauses: str, effective_from) -> CodeOfConduct:
    """Publish a new code of conduct version and ask every active supplier to accept it in the portal."""
    register_manager_check(actor)
    with transaction.atomic():
        code = CodeOfConduct(
            version=version,
            title=title,
            clauses=clauses,
            effective_from=effective_from,
            published_at=timezone.now(),
            published_by=actor,
        )
        code.full_clean()
        code.save()
        active = list(Supplier.objects.filter(status=Supplier.Status.ACTIVE).select_related("contract_owner"))
        SupplierEvent.objects.bulk_create(
            [
                SupplierEvent(
                    supplier=s,
                    actor=actor,
                    kind=SupplierEvent.Kind.CONDUCT,
                    message=f"Asked to accept the code of conduct v{code.version}.",
                )
                for s in active
            ]
        )
        owners: dict[int, list[Supplier]] = {}
        for s in active:
            if s.contract_owner_id:
                owners.setdefault(s.contract_owner_id, []).append(s)
        _email_supplier_contacts(code, [s for s in active if s.contact_email], actor)
        for s_list in owners.values():
            owner = s_list[0].contract_owner
            notification_send(
                recipients=[owner],
                subject=f"Code of conduct v{code.version}: {len(s_list)} of your suppliers must accept it",
                template="suppliers/email/conduct_new_version.txt",
                context={"code": code, "suppliers": s_list},
                url=reverse("suppliers:conduct") if role_rules.can_view_suppliers.test(owner) else "",
                dedupe_key=f"conduct:{code.pk}",
            )
    return code


def _email_supplier_contacts(code: CodeOfConduct, suppliers: list[Supplier], actor: User) -> None:
    """Send each active supplier's contact the new version with a fresh portal link to accept it (they have no account)."""
    # Imported here: the portal's services build on this module's helpers.
    from suppliers.services.portal import conduct_email_enqueue, portal_link_issue

    for s in suppliers:
        link, token = portal_link_issue(supplier=s, actor=actor)
        conduct_email_enqueue(link=link, token=token, code=code)


def code_of_conduct_accept(
    *, supplier: Supplier, code: CodeOfConduct, actor: User, accepted_on, signed_by_name: str, signed_by_role: str = ""
) -> CodeOfConductAcceptance:
    """Record that a supplier accepted a code of conduct version."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        if CodeOfConductAcceptance.objects.filter(supplier=supplier, code=code).exists():
            raise ValidationError(f"{supplier.name} has already accepted v{code.version}.")
        acceptance = CodeOfConductAcceptance(
            supplier=supplier,
            code=code,
            accepted_on=accepted_on,
            signed_by_name=signed_by_name,
            signed_by_role=signed_by_role,
            recorded_by=actor,
        )
        acceptance.full_clean()
        acceptance.save()
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.CONDUCT,
            actor=actor,
            message=f"Accepted the code of conduct v{code.version} on {accepted_on:%d %b %Y}, signed by {signed_by_name}.",
        )
    return acceptance


# --- Risk tables -------------------------------------------------------------------


def risk_tables_update(
    *,
    actor: User,
    weights: dict[str, int],
    countries_changed: Iterable[CountryRisk] = (),
    countries_removed: Iterable[CountryRisk] = (),
    categories_changed: Iterable[CategoryRisk] = (),
) -> int:
    """Save procurement's changes to the scoring tables, each change attributed to them in the change history.

    The tables drive every supplier's score, so who changed which number is kept
    (django-auditlog entries with the actor, also when no request is running).
    Scores change at each supplier's next rescore or review. Returns how many rows changed.
    """
    register_manager_check(actor)
    changed = 0
    with transaction.atomic(), set_actor(actor):
        for weight in RiskWeight.objects.select_for_update().filter(key__in=list(weights)):
            if weights[weight.key] != weight.value:
                weight.value = weights[weight.key]
                weight.save(update_fields=["value", "updated_at"])
                changed += 1
        for row in [*countries_changed, *categories_changed]:
            row.full_clean()
            row.save()
            changed += 1
        for row in countries_removed:
            row.delete()
            changed += 1
    return changed


# --- Annual review ---------------------------------------------------------------


def review_task_complete(*, task: ReviewTask, actor: User, notes: str = "") -> ReviewTask:
    """Close a review task with the owner's notes."""
    allowed = ReviewTask.objects.restrict(actor, Action.COMPLETE)
    if not allowed.filter(pk=task.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        task = allowed.select_for_update(of=("self",)).get(pk=task.pk)
        if task.status != ReviewTask.Status.OPEN:
            raise ValidationError("This review is already done.")
        task.status = ReviewTask.Status.DONE
        task.completed_at = timezone.now()
        task.completed_by = actor
        task.notes = notes
        task.save()
        supplier_event_record(
            supplier=task.supplier,
            kind=SupplierEvent.Kind.REVIEW,
            actor=actor,
            message=f"Review done: {notes or task.reason}",
        )
    return task


def supplier_risk_reviews_run(*, today: datetime.date | None = None) -> int:
    """Rescore suppliers whose yearly review is due, flag rises to high, open review tasks (idempotent)."""
    today = today or timezone.localdate()
    tables = scoring.Tables.load()
    due = (
        Supplier.objects.filter(next_review_due__lte=today)
        .exclude(status=Supplier.Status.TERMINATED)
        .select_related("contract_owner")
    )
    count = 0
    for supplier in due:
        with transaction.atomic():
            # Re-read under lock: another worker may have reviewed it a moment ago.
            locked = (
                Supplier.objects.select_for_update(of=("self",)).select_related("contract_owner").get(pk=supplier.pk)
            )
            if locked.next_review_due is None or locked.next_review_due > today:
                continue
            previous_band = locked.risk_band
            locked.next_review_due = today + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
            locked.save(update_fields=["next_review_due"])
            assessment = risk_assess(supplier=locked, reason="Annual risk review", tables=tables)
            rose = assessment.band == RiskBand.HIGH and previous_band != RiskBand.HIGH
            reason = "Annual risk review: risk rose to high" if rose else "Annual risk review"
            if not ReviewTask.objects.filter(supplier=locked, status=ReviewTask.Status.OPEN, reason=reason).exists():
                task = ReviewTask.objects.create(
                    supplier=locked,
                    assigned_to=locked.contract_owner,
                    reason=reason,
                    due_date=today + datetime.timedelta(days=30),
                )
                owner_or_procurement = (
                    [locked.contract_owner] if locked.contract_owner_id else User.objects.in_role(roles.PROCUREMENT)
                )
                notification_send(
                    recipients=owner_or_procurement,
                    subject=f"Annual risk review due: {locked.name} ({assessment.band} risk)",
                    template="suppliers/email/review_due.txt",
                    context={"supplier": locked, "assessment": assessment, "task": task, "rose": rose},
                    url=reverse("suppliers:review_tasks"),
                    dedupe_key=f"supplier-review:{locked.pk}:{today.isoformat()}",
                )
            count += 1
    return count
