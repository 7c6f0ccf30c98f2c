"""Referrals through a first responder or agency, their outcomes and the chase for them; CQC notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance import roles
from compliance import rules as role_rules
from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding import selectors
from safeguarding.models import (
    INTERIM_OUTCOMES,
    NRM_DECISIONS,
    AgeGroup,
    Answer,
    Concern,
    CqcNotification,
    ExploitationPlace,
    FirstResponder,
    Referral,
    ReferralOutcome,
    Status,
    SubjectType,
    TimelineEntry,
)
from safeguarding.services.common import (
    case_lock,
    case_notify,
    case_permission_check,
    reminder_entry_add,
    timeline_entry_add,
)
from safeguarding.services.workflow import concern_refer

WORK_REFUSAL = "You cannot work on this case."


def _consent_errors(*, kind: str, age_group: str, consent: str, responder: FirstResponder | None) -> tuple[str, dict]:
    """The consent a referral records, and what is wrong with it (the rules in one place).

    Home Office NRM statutory guidance (s.49): an adult must give informed consent to an NRM
    referral; an adult who declines is reported anonymously through the Duty to Notify (MSA 2015
    s.52, which only the public authorities in s.52(5) can make); a child needs no consent and
    is always referred to the NRM, never through the Duty to Notify.
    """
    errors: dict[str, list[str]] = {}
    if age_group not in AgeGroup.values:
        errors["age_group"] = ["Say whether the person is an adult, a child or of uncertain age."]
        return consent, errors
    if responder is not None and kind == Referral.Kind.NRM and not responder.is_nrm_first_responder:
        errors["responder"] = [f"{responder} is not a designated NRM first responder: refer through one that is."]
    if responder is not None and kind == Referral.Kind.DUTY_TO_NOTIFY and not responder.has_duty_to_notify:
        errors["responder"] = [
            f"{responder} cannot make a Duty to Notify: only the police, a local authority, the National Crime "
            "Agency or the GLAA can (Modern Slavery Act 2015 s.52)."
        ]
    if age_group in {AgeGroup.CHILD, AgeGroup.UNCERTAIN}:
        # A person of uncertain age is presumed a child (MSA 2015 s.51): no consent is asked.
        if kind == Referral.Kind.DUTY_TO_NOTIFY:
            errors["kind"] = ["A child is referred to the NRM without consent, not through the Duty to Notify."]
        return Referral.Consent.NOT_REQUIRED, errors
    if kind == Referral.Kind.NRM and consent != Referral.Consent.GIVEN:
        errors["consent"] = [
            "An adult must consent to an NRM referral; without consent, make an anonymous Duty to Notify instead."
        ]
    elif kind == Referral.Kind.DUTY_TO_NOTIFY:
        # The Duty to Notify is the anonymous route for an adult who did not consent.
        consent = Referral.Consent.REFUSED
    elif consent not in Referral.Consent.values:
        errors["consent"] = ["Record whether the person consented to the referral."]
    return consent, errors


def referral_record(
    *,
    concern: Concern,
    actor: User,
    responder: FirstResponder | None,
    kind: str,
    made_on: datetime.date,
    age_group: str = AgeGroup.ADULT,
    consent: str = "",
    organisation: str = "",
    contact: str = "",
    external_reference: str = "",
    children_services_contacted: bool = False,
    police_force: str = "",
    crime_reference: str = "",
    exploitation_types: Iterable[str] = (),
    exploitation_other: str = "",
    exploitation_place: str = "",
    communication_needs: str = "",
    current_location: str = "",
    safe_contact: str = "",
    support_needs: str = "",
    fears_reexploitation: str = "",
    other_victims: str = "",
    care_act_enquiry_reference: str = "",
    mark_referred: bool = True,
) -> Referral:
    """Record a referral through a first responder with its consent, and mark the case referred unless told not to."""
    case_permission_check(case_rules.can_work_case, actor, concern, WORK_REFUSAL)
    exploitation_types = list(dict.fromkeys(exploitation_types or []))
    errors: dict[str, list[str]] = {}
    if kind not in Referral.Kind.values:
        errors["kind"] = ["Choose what the organisation was asked to do."]
    if responder is None:
        errors["responder"] = ["Choose the organisation the referral was made through."]
    elif not responder.active:
        errors["responder"] = [f"{responder} is no longer on the list of organisations."]
    if not made_on:
        errors["made_on"] = ["Give the date of the referral."]
    elif made_on > timezone.localdate():
        errors["made_on"] = ["The referral date cannot be in the future."]
    consent, consent_errors = _consent_errors(kind=kind, age_group=age_group, consent=consent, responder=responder)
    for field, messages in consent_errors.items():
        errors.setdefault(field, []).extend(messages)
    bad = [e for e in exploitation_types if e not in Referral.Exploitation.values]
    if bad:
        errors["exploitation_types"] = [f"Unknown exploitation type(s): {', '.join(bad)}."]
    if Referral.Exploitation.OTHER in exploitation_types and not (exploitation_other or "").strip():
        errors["exploitation_other"] = ["Describe the other exploitation, or untick Other."]
    for field, value, allowed in (
        ("exploitation_place", exploitation_place, ExploitationPlace.values),
        ("fears_reexploitation", fears_reexploitation, Answer.values),
        ("other_victims", other_victims, Answer.values),
    ):
        if value and value not in allowed:
            errors[field] = [f"Choose one of: {', '.join(allowed)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = case_lock(concern)
        if concern.status == Status.NEW:
            raise ValidationError("Triage the case before recording a referral.", code="not_triaged")
        referral = Referral.objects.create(
            concern=concern,
            responder=responder,
            kind=kind,
            made_on=made_on,
            made_by=actor,
            age_group=age_group,
            consent=consent,
            organisation=organisation.strip(),
            contact=contact.strip(),
            external_reference=external_reference.strip(),
            children_services_contacted=children_services_contacted,
            police_force=police_force.strip(),
            crime_reference=crime_reference.strip(),
            exploitation_types=exploitation_types,
            exploitation_other=exploitation_other.strip() if Referral.Exploitation.OTHER in exploitation_types else "",
            exploitation_place=exploitation_place,
            communication_needs=communication_needs.strip(),
            current_location=current_location.strip(),
            safe_contact=safe_contact.strip(),
            support_needs=support_needs.strip(),
            fears_reexploitation=fears_reexploitation,
            other_victims=other_victims,
            care_act_enquiry_reference=care_act_enquiry_reference.strip(),
        )
        # The timeline says what was done, not what the person said (that stays in the referral's fields).
        body = (
            f"Referral recorded: {referral.get_kind_display()} through {responder} on {made_on:%d %b %Y} "
            f"({referral.get_consent_display().lower()})."
        )
        if age_group == AgeGroup.UNCERTAIN:
            body += " Age uncertain: treated as a child."
        if referral.needs_children_services:
            body += " The person is treated as a child: contact the local authority children's services."
        timeline_entry_add(concern, kind=TimelineEntry.Kind.REFERRAL, author=actor, body=body)
    if mark_referred and concern.status in {Status.TRIAGED, Status.INVESTIGATING}:
        concern_refer(concern=concern, actor=actor)
    return referral


def referral_outcome_record(
    *,
    referral: Referral,
    actor: User,
    outcome: str = "",
    outcome_on: datetime.date | None = None,
    notes: str = "",
    external_reference: str = "",
    children_services_contacted: bool = False,
) -> Referral:
    """Record what the first responder reported back (with its date), or that children's services were contacted."""
    concern = referral.concern
    case_permission_check(case_rules.can_work_case, actor, concern, WORK_REFUSAL)
    with transaction.atomic():
        # Judged on the row as it is now, under a lock: two people recording at once cannot both win.
        referral = Referral.objects.select_for_update(of=("self",)).select_related("responder").get(pk=referral.pk)
        errors = _outcome_errors(referral, outcome, outcome_on, children_services_contacted)
        if errors:
            raise ValidationError(errors)
        lines = []
        if children_services_contacted and not referral.children_services_contacted:
            referral.children_services_contacted = True
            lines.append("Children's services contacted.")
        if outcome:
            referral.outcome, referral.outcome_on = outcome, outcome_on
            if outcome in {ReferralOutcome.RG_POSITIVE, ReferralOutcome.RG_NEGATIVE}:
                referral.reasonable_grounds_on = outcome_on
            if outcome in {ReferralOutcome.CG_POSITIVE, ReferralOutcome.CG_NEGATIVE}:
                referral.conclusive_grounds_on = outcome_on
            lines.append(
                f"Outcome of the {referral.get_kind_display()} referral through {referral.responder_name}: "
                f"{referral.get_outcome_display()} on {outcome_on:%d %b %Y}."
            )
        if notes.strip():
            referral.outcome_notes = notes.strip()
        if external_reference.strip():
            referral.external_reference = external_reference.strip()
        referral.save()
        timeline_entry_add(concern, kind=TimelineEntry.Kind.REFERRAL, author=actor, body=" ".join(lines))
    return referral


def _outcome_errors(
    referral: Referral, outcome: str, outcome_on: datetime.date | None, children_services_contacted: bool
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    contacted = referral.children_services_contacted or bool(children_services_contacted)
    if not outcome and not (children_services_contacted and not referral.children_services_contacted):
        errors["outcome"] = ["Choose the outcome they reported."]
    elif outcome and outcome not in ReferralOutcome.values:
        errors["outcome"] = ["Choose one of the outcomes listed."]
    elif outcome in NRM_DECISIONS and referral.kind != Referral.Kind.NRM:
        errors["outcome"] = ["Reasonable and conclusive grounds decisions are made on NRM referrals only."]
    elif outcome and outcome not in INTERIM_OUTCOMES and referral.treated_as_child and not contacted:
        # A child (or a person of uncertain age) is not left without the local authority's safeguarding.
        errors["children_services_contacted"] = [
            "Contact the local authority children's services before recording a child's referral as complete."
        ]
    if outcome:
        if not outcome_on:
            errors["outcome_on"] = ["Give the date of the outcome."]
        elif outcome_on > timezone.localdate():
            errors["outcome_on"] = ["The outcome date cannot be in the future."]
        elif outcome_on < referral.made_on:
            errors["outcome_on"] = ["The outcome cannot be before the referral was made."]
    return errors


def referral_outcome_chase(*, now: datetime.datetime | None = None) -> int:
    """Remind the assignee (or the Lead) to chase each referral's outcome, once per interval; safe to rerun."""
    today = timezone.localdate(now)
    interval = settings.REFERRAL_OUTCOME_CHASE_DAYS
    leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
    told = 0
    for referral in selectors.referrals_to_chase(waiting_since_by=today - datetime.timedelta(days=interval)):
        concern = referral.concern
        since = referral.waiting_since
        waited = (today - since).days
        # One reminder per interval waited: the key names the interval, so a rerun sends nothing new.
        key = f"safeguarding:referral-chase:{referral.pk}:{since:%Y%m%d}:{waited // interval}"
        with transaction.atomic():
            sent = case_notify(
                recipients=[concern.assignee] if concern.assignee_id else leads,
                concern=concern,
                subject=f"Chase the referral outcome on {concern.reference}",
                message=(
                    f"The {referral.get_kind_display()} referral through {referral.responder_name} "
                    f"has waited {waited} days for an outcome. Ask them for it and record it on the case."
                ),
                dedupe_key=key,
            )
            reminder_entry_add(
                concern,
                sent,
                f"Reminded {{who}} to chase the outcome of the referral through {referral.responder_name} "
                f"({waited} days).",
            )
        told += len(sent)
    return told


def cqc_notification_record(
    *, concern: Concern, actor: User, notified_on: datetime.date | None, cqc_reference: str = ""
) -> CqcNotification:
    """Record that CQC was notified about a case involving a service user (CQC Registration Regulations 2009 reg. 18)."""
    case_permission_check(case_rules.can_work_case, actor, concern, WORK_REFUSAL)
    errors: dict[str, list[str]] = {}
    if concern.subject_type != SubjectType.SERVICE_USER:
        errors["__all__"] = ["CQC is notified about abuse of a service user; this case does not concern one."]
    if not notified_on:
        errors["notified_on"] = ["Give the date CQC was notified."]
    elif notified_on > timezone.localdate():
        errors["notified_on"] = ["The date CQC was notified cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = case_lock(concern)
        notification = CqcNotification.objects.create(
            concern=concern, notified_on=notified_on, cqc_reference=cqc_reference.strip(), recorded_by=actor
        )
        reference = f" (their reference {notification.cqc_reference})" if notification.cqc_reference else ""
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.CQC,
            author=actor,
            body=f"CQC notified on {notified_on:%d %b %Y}{reference}.",
        )
    return notification


def cqc_notification_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind the Lead (and assignee) of each substantiated service-user case not yet notified to CQC; safe to rerun."""
    today = timezone.localdate(now)
    interval = settings.CQC_NOTIFICATION_REMINDER_DAYS
    leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
    told = 0
    for concern in selectors.cqc_notifications_outstanding():
        since = timezone.localdate(concern.closed_at or concern.updated_at)
        key = f"safeguarding:cqc-notification:{concern.pk}:{(today - since).days // interval}"
        told += len(
            case_notify(
                recipients=[*leads, concern.assignee],
                concern=concern,
                subject=f"Notify CQC about {concern.reference}",
                message=(
                    f"Case {concern.reference} about a service user was substantiated. CQC must be notified "
                    "without delay (Registration Regulations 2009, regulation 18): notify them, then record it on the case."
                ),
                dedupe_key=key,
            )
        )
    return told


def first_responder_save(
    *,
    actor: User,
    responder: FirstResponder | None = None,
    name: str,
    category: str,
    is_nrm_first_responder: bool = False,
    has_duty_to_notify: bool = False,
    active: bool = True,
) -> FirstResponder:
    """Add an organisation referrals go through, or change one (the Compliance admin keeps the list)."""
    if not role_rules.can_manage_organisation.test(actor):
        raise PermissionDenied("Only a Compliance admin keeps the list of first responders.")
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the organisation's name."]
    elif FirstResponder.objects.filter(name__iexact=name).exclude(pk=getattr(responder, "pk", None)).exists():
        errors["name"] = [f"“{name}” is already on the list."]
    if category not in FirstResponder.Category.values:
        errors["category"] = ["Choose what kind of organisation it is."]
    if errors:
        raise ValidationError(errors)
    responder = responder or FirstResponder()
    responder.name, responder.category = name, category
    responder.is_nrm_first_responder, responder.has_duty_to_notify = is_nrm_first_responder, has_duty_to_notify
    responder.active = active
    # The change log (django-auditlog, safeguarding/audit.py) records who changed what.
    with transaction.atomic():
        responder.save()
    return responder
