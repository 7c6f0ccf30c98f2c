"""Writes for audits, findings and corrective actions, and the escalation chain."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance import roles
from compliance.models import User
from compliance.services import notification_send
from suppliers.models import Action, Audit, CorrectiveAction, CorrectiveActionEvent, Finding, Supplier, SupplierEvent
from suppliers.services.register import (
    document_upload,
    register_manager_check,
    risk_assess,
    supplier_event_record,
    supplier_open_check,
)
from suppliers.signals import finding_needs_case

logger = logging.getLogger(__name__)

# Days overdue at which each step of the chain fires (policy 6: persistent
# non-compliance ends the relationship). Step 1 the day after the due date.
REMIND_AFTER_DAYS = 1
ESCALATE_AFTER_DAYS = 14
RECOMMEND_TERMINATION_AFTER_DAYS = 28


def audit_plan(*, supplier: Supplier, actor: User, data: dict) -> Audit:
    """Plan an audit or spot-check of a supplier."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        audit = Audit(supplier=supplier, created_by=actor, **data)
        audit.full_clean()
        audit.save()
        supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.AUDIT,
            actor=actor,
            message=f"{audit.get_kind_display()} ({audit.get_method_display().lower()}) planned for {audit.planned_date:%d %b %Y}.",
        )
    return audit


# The least severe result an audit can have while a finding of each severity is open on it.
RESULT_FLOOR = {
    Finding.Severity.MINOR: Audit.Result.MINOR,
    Finding.Severity.MAJOR: Audit.Result.MAJOR,
    Finding.Severity.CRITICAL: Audit.Result.CRITICAL,
}
RESULT_ORDER = [Audit.Result.COMPLIANT, Audit.Result.MINOR, Audit.Result.MAJOR, Audit.Result.CRITICAL]


def audit_result_floor(audit: Audit) -> tuple[str, Finding] | None:
    """The least severe result the audit's open findings allow, and the worst open finding behind it."""
    worst = None
    for finding in Finding.objects.filter(audit=audit, status=Finding.Status.OPEN):
        floor = RESULT_FLOOR[finding.severity]
        if worst is None or RESULT_ORDER.index(floor) > RESULT_ORDER.index(worst[0]):
            worst = (floor, finding)
    return worst


def audit_complete(
    *,
    audit: Audit,
    actor: User,
    result: str,
    completed_date: datetime.date,
    summary: str = "",
    override_reason: str = "",
) -> Audit:
    """Record an audit's result; one better than its worst open finding needs a recorded reason."""
    register_manager_check(actor)
    supplier_open_check(audit.supplier)
    with transaction.atomic():
        audit = Audit.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=audit.pk)
        if audit.status != Audit.Status.PLANNED:
            raise ValidationError("Only a planned audit can be completed.")
        if result not in Audit.Result.values:
            raise ValidationError({"result": "Choose a result."})
        if completed_date > timezone.localdate():
            raise ValidationError({"completed_date": "The audit date cannot be in the future."})
        floor = audit_result_floor(audit)
        override_reason = override_reason.strip()
        better_than_findings = floor is not None and RESULT_ORDER.index(result) < RESULT_ORDER.index(floor[0])
        if better_than_findings and not override_reason:
            finding = floor[1]
            raise ValidationError(
                {
                    "override_reason": (
                        f"A {finding.get_severity_display().lower()} finding is open on this audit, so the result "
                        f"would normally be at least '{Audit.Result(floor[0]).label}'. Give the reason for "
                        f"'{Audit.Result(result).label}' (it is kept with the result), or choose another result."
                    )
                }
            )
        audit.status = Audit.Status.COMPLETED
        audit.result_override_reason = override_reason if better_than_findings else ""
        audit.result = result
        audit.completed_date = completed_date
        audit.summary = summary
        audit.save()
        supplier_event_record(
            supplier=audit.supplier,
            kind=SupplierEvent.Kind.AUDIT,
            actor=actor,
            message=f"{audit.get_kind_display()} completed on {completed_date:%d %b %Y}: {audit.get_result_display()}."
            + (
                f" Better than its open findings because: {audit.result_override_reason}"
                if audit.result_override_reason
                else ""
            ),
        )
    return audit


def finding_case_request(*, finding: Finding, actor: User) -> None:
    """Ask the safeguarding app (through suppliers.signals.finding_needs_case) to open a case for this finding."""
    try:
        answers = finding_needs_case.send(sender=Finding, finding=finding, actor=actor)
    except ValidationError:
        # The finding must not be lost because the case could not be opened: the Lead is told either way.
        logger.exception("the safeguarding case for finding %s was refused", finding.pk)
        finding.safeguarding_note = (
            "Safeguarding case requested; it could not be opened automatically: open it by hand."
        )
        return
    references = [reference for _receiver, reference in answers if reference]
    if not references:
        raise ImproperlyConfigured("Nothing answers suppliers.signals.finding_needs_case: is safeguarding installed?")
    finding.safeguarding_reference = str(references[0])[:40]
    finding.safeguarding_note = f"Safeguarding case {finding.safeguarding_reference} opened from this finding."


def finding_record(
    *, audit: Audit, actor: User, severity: str, description: str, open_safeguarding_case: bool = False
) -> Finding:
    """Record a finding; a critical one tells the Modern Slavery Lead at once."""
    register_manager_check(actor)
    supplier_open_check(audit.supplier)
    with transaction.atomic():
        finding = Finding(
            audit=audit, supplier=audit.supplier, severity=severity, description=description, created_by=actor
        )
        finding.full_clean()
        finding.save()
        supplier_event_record(
            supplier=audit.supplier,
            kind=SupplierEvent.Kind.FINDING,
            actor=actor,
            message=f"{finding.get_severity_display()} finding: {description[:200]}",
        )
        if open_safeguarding_case:
            # Any finding may show a person at risk; a critical one is where it is expected.
            finding_case_request(finding=finding, actor=actor)
            finding.save(update_fields=["safeguarding_reference", "safeguarding_note"])
            supplier_event_record(
                supplier=audit.supplier,
                kind=SupplierEvent.Kind.SAFEGUARDING,
                actor=actor,
                message=finding.safeguarding_note,
            )
        if severity == Finding.Severity.CRITICAL:
            notification_send(
                recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD),
                subject=f"Critical finding at supplier {audit.supplier.name}",
                template="suppliers/email/critical_finding.txt",
                context={"finding": finding, "supplier": audit.supplier},
                url=audit.supplier.get_absolute_url(),
                dedupe_key=f"critical-finding:{finding.pk}",
            )
        risk_assess(supplier=audit.supplier, actor=actor, reason=f"{finding.get_severity_display()} finding recorded")
    return finding


def _ca_event(action: CorrectiveAction, kind: str, message: str, actor: User | None = None) -> None:
    CorrectiveActionEvent.objects.create(action=action, kind=kind, message=message, actor=actor)


def corrective_action_open(
    *, finding: Finding, actor: User, description: str, owner: User, due_date: datetime.date
) -> CorrectiveAction:
    """Open a corrective action for a finding and tell its owner."""
    register_manager_check(actor)
    supplier_open_check(finding.supplier)
    with transaction.atomic():
        if finding.status != Finding.Status.OPEN:
            raise ValidationError("The finding is closed.")
        action = CorrectiveAction(
            finding=finding, supplier=finding.supplier, description=description, owner=owner, due_date=due_date
        )
        action.full_clean()
        if due_date < timezone.localdate():
            raise ValidationError({"due_date": "The due date cannot be in the past."})
        action.save()
        _ca_event(
            action,
            CorrectiveActionEvent.Kind.OPENED,
            f"Opened, owner {owner.full_name or owner.email}, due {due_date:%d %b %Y}.",
            actor,
        )
        supplier_event_record(
            supplier=finding.supplier,
            kind=SupplierEvent.Kind.CORRECTIVE_ACTION,
            actor=actor,
            message=f"Corrective action opened (due {due_date:%d %b %Y}): {description[:200]}",
        )
        notification_send(
            recipients=[owner],
            subject=f"Corrective action for {finding.supplier.name} due {due_date:%d %b %Y}",
            template="suppliers/email/ca_opened.txt",
            context={"action": action},
            url=action.get_absolute_url(),
            dedupe_key=f"ca-opened:{action.pk}",
        )
    return action


def corrective_action_submit_evidence(
    *, action: CorrectiveAction, actor: User, evidence: str, uploaded=None
) -> CorrectiveAction:
    """The owner (or procurement) submits the evidence that the action is done."""
    allowed = CorrectiveAction.objects.restrict(actor, Action.SUBMIT_EVIDENCE)
    if not allowed.filter(pk=action.pk).exists():
        raise PermissionDenied
    supplier_open_check(action.supplier)
    if not evidence.strip() and uploaded is None:
        raise ValidationError({"evidence": "Describe the evidence or attach a file."})
    with transaction.atomic():
        action = allowed.select_for_update(of=("self",)).select_related("supplier").get(pk=action.pk)
        if action.status != CorrectiveAction.Status.OPEN:
            raise ValidationError("Evidence can be submitted only for an open action.")
        if uploaded is not None:
            action.evidence_document = document_upload(
                supplier=action.supplier, uploaded=uploaded, actor=actor, description="Corrective action evidence"
            )
        action.evidence = evidence
        action.status = CorrectiveAction.Status.EVIDENCE_SUBMITTED
        action.evidence_submitted_at = timezone.now()
        action.save()
        _ca_event(action, CorrectiveActionEvent.Kind.EVIDENCE, f"Evidence submitted: {evidence[:300]}", actor)
        notification_send(
            recipients=User.objects.in_role(roles.PROCUREMENT),
            subject=f"Evidence to verify: corrective action for {action.supplier.name}",
            url=action.get_absolute_url(),
            dedupe_key=f"ca-evidence:{action.pk}:{action.evidence_submitted_at:%Y%m%d%H%M%S}",
        )
    return action


def corrective_action_verify(
    *, action: CorrectiveAction, actor: User, accepted: bool, note: str = ""
) -> CorrectiveAction:
    """Procurement accepts the evidence (closing the action) or sends it back."""
    register_manager_check(actor)
    supplier_open_check(action.supplier)
    with transaction.atomic():
        action = (
            CorrectiveAction.objects.select_for_update(of=("self",))
            .select_related("supplier", "finding", "owner")
            .get(pk=action.pk)
        )
        if action.status != CorrectiveAction.Status.EVIDENCE_SUBMITTED:
            raise ValidationError("There is no evidence waiting for verification.")
        if accepted:
            action.status = CorrectiveAction.Status.VERIFIED
            action.verified_by = actor
            action.verified_at = timezone.now()
            action.verification_note = note
            action.save()
            _ca_event(action, CorrectiveActionEvent.Kind.VERIFIED, f"Verified and closed. {note}".strip(), actor)
            finding = action.finding
            if not finding.corrective_actions.exclude(status=CorrectiveAction.Status.VERIFIED).exists():
                finding.status = Finding.Status.CLOSED
                finding.closed_at = timezone.now()
                finding.save(update_fields=["status", "closed_at"])
                supplier_event_record(
                    supplier=action.supplier,
                    kind=SupplierEvent.Kind.FINDING,
                    actor=actor,
                    message=f"{finding.get_severity_display()} finding closed: every corrective action verified.",
                )
                risk_assess(supplier=action.supplier, actor=actor, reason="Finding closed")
        else:
            if not note.strip():
                raise ValidationError({"note": "Say what is missing from the evidence."})
            action.status = CorrectiveAction.Status.OPEN
            action.verification_note = note
            action.save()
            _ca_event(action, CorrectiveActionEvent.Kind.RETURNED, f"Evidence not accepted: {note}", actor)
            notification_send(
                recipients=[action.owner],
                subject=f"Evidence not accepted: corrective action for {action.supplier.name}",
                url=action.get_absolute_url(),
                context={"message": f"Evidence not accepted: {note}"},
            )
    return action


def corrective_actions_escalate(*, today: datetime.date | None = None) -> dict[str, int]:
    """Walk overdue actions one step up the chain: remind, escalate, recommend termination (idempotent)."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0, "termination_recommended": 0}
    overdue = (
        CorrectiveAction.objects.overdue(today)
        .filter(status=CorrectiveAction.Status.OPEN)
        .exclude(escalation_level=CorrectiveAction.Escalation.TERMINATION_RECOMMENDED)
        # Nothing left to chase once the contract has ended.
        .exclude(supplier__status=Supplier.Status.TERMINATED)
        .values_list("pk", flat=True)
    )
    for pk in list(overdue):
        with transaction.atomic():
            action = (
                CorrectiveAction.objects.select_for_update(of=("self",))
                .select_related("supplier", "owner", "supplier__contract_owner")
                .get(pk=pk)
            )
            days = (today - action.due_date).days
            level = action.escalation_level
            E = CorrectiveAction.Escalation
            url = action.get_absolute_url()
            if days >= REMIND_AFTER_DAYS and level < E.REMINDED:
                action.escalation_level = E.REMINDED
                _ca_event(action, CorrectiveActionEvent.Kind.REMINDED, f"{days} day(s) overdue: owner reminded.")
                notification_send(
                    recipients=[action.owner],
                    subject=f"Overdue corrective action for {action.supplier.name}",
                    template="suppliers/email/ca_overdue.txt",
                    context={"action": action, "days": days},
                    url=url,
                    dedupe_key=f"ca-remind:{action.pk}:{action.due_date.isoformat()}",
                )
                counts["reminded"] += 1
            elif days >= ESCALATE_AFTER_DAYS and level < E.ESCALATED:
                action.escalation_level = E.ESCALATED
                _ca_event(
                    action, CorrectiveActionEvent.Kind.ESCALATED, f"{days} days overdue: escalated to procurement."
                )
                supplier_event_record(
                    supplier=action.supplier,
                    kind=SupplierEvent.Kind.ESCALATION,
                    message=f"Corrective action {days} days overdue: escalated to procurement.",
                )
                notification_send(
                    recipients=User.objects.in_role(roles.PROCUREMENT),
                    subject=f"Escalation: corrective action for {action.supplier.name} is {days} days overdue",
                    template="suppliers/email/ca_overdue.txt",
                    context={"action": action, "days": days, "escalated": True},
                    url=url,
                    dedupe_key=f"ca-escalate:{action.pk}:{action.due_date.isoformat()}",
                )
                counts["escalated"] += 1
            elif days >= RECOMMEND_TERMINATION_AFTER_DAYS and level < E.TERMINATION_RECOMMENDED:
                action.escalation_level = E.TERMINATION_RECOMMENDED
                _ca_event(
                    action,
                    CorrectiveActionEvent.Kind.TERMINATION_RECOMMENDED,
                    f"{days} days overdue: termination recommended.",
                )
                supplier = action.supplier
                if supplier.termination_recommended_at is None:
                    supplier.termination_recommended_at = timezone.now()
                    supplier.termination_recommendation = (
                        f"Corrective action \u201c{action.description[:150]}\u201d is {days} days overdue after a reminder "
                        "and an escalation. Decide: suspend, terminate, or extend the deadline with a reason."
                    )
                    supplier.save(update_fields=["termination_recommended_at", "termination_recommendation"])
                supplier_event_record(
                    supplier=supplier,
                    kind=SupplierEvent.Kind.TERMINATION_RECOMMENDED,
                    message=f"Termination recommended: corrective action {days} days overdue.",
                )
                notification_send(
                    recipients=User.objects.in_role(roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD),
                    subject=f"Decision needed: termination recommended for {supplier.name}",
                    template="suppliers/email/termination_recommended.txt",
                    context={"action": action, "supplier": supplier, "days": days},
                    url=supplier.get_absolute_url(),
                    dedupe_key=f"ca-terminate:{action.pk}:{action.due_date.isoformat()}",
                )
                counts["termination_recommended"] += 1
            else:
                continue
            action.save(update_fields=["escalation_level"])
    return counts


def audit_cancel(*, audit: Audit, actor: User, reason: str) -> Audit:
    """Cancel a planned audit, with the reason on the supplier's history."""
    register_manager_check(actor)
    supplier_open_check(audit.supplier)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the audit is cancelled."})
    with transaction.atomic():
        audit = Audit.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=audit.pk)
        if audit.status != Audit.Status.PLANNED:
            raise ValidationError("Only a planned audit can be cancelled.")
        audit.status = Audit.Status.CANCELLED
        audit.summary = reason
        audit.save(update_fields=["status", "summary"])
        supplier_event_record(
            supplier=audit.supplier,
            kind=SupplierEvent.Kind.AUDIT,
            actor=actor,
            message=f"{audit.get_kind_display()} planned for {audit.planned_date:%d %b %Y} cancelled: {reason}",
        )
    return audit
