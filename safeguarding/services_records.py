"""Case records around the workflow: identity grants, reassessment, referrals, attachments, SLA escalation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import User
from safeguarding import rules as sr
from safeguarding.models import Attachment, Concern, IdentityGrant, Referral, RiskLevel, Status, TimelineEntry
from safeguarding.services import (
    _check_source,
    _deputies,
    _leads,
    _locked,
    _notify,
    _require,
    _store_files,
    _timeline,
    concern_refer,
    sla_due_at,
)
from safeguarding.uploads import check_uploads


def identity_grant(*, concern: Concern, actor: User, user: User, reason: str) -> IdentityGrant:
    """The Lead lets a case worker see who reported this case; the grant is recorded on the timeline."""
    _require(sr.can_grant_identity, actor, concern, "Only the Modern Slavery Lead can share the reporter's identity.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Record why this person needs to know who reported."]})
    if not sr.can_view_case.test(user, concern):
        raise ValidationError({"user": [f"{user} cannot see this case."]})
    with transaction.atomic():
        grant, created = IdentityGrant.objects.get_or_create(
            concern=concern, user=user, defaults={"granted_by": actor, "reason": reason.strip()}
        )
        if created:
            _timeline(
                concern,
                kind=TimelineEntry.Kind.ACCESS,
                author=actor,
                body=f"{user} may now see who reported this case: {reason.strip()}",
            )
            _notify(
                recipients=[user],
                concern=concern,
                subject=f"Reporter identity shared on {concern.reference}",
                message="The Lead shared the reporter's identity with you for this case.",
            )
    return grant


# --- referrals and attachments -----------------------------------------------


def referral_record(
    *,
    concern: Concern,
    actor: User,
    kind: str,
    made_on: datetime.date,
    consent: str = "",
    person_is_child: bool = False,
    organisation: str = "",
    contact: str = "",
    external_reference: str = "",
    children_services_contacted: bool = False,
    police_force: str = "",
    crime_reference: str = "",
    exploitation_types: Iterable[str] = (),
    outcome: str = "",
    mark_referred: bool = True,
) -> Referral:
    """Record a referral with its consent, and mark the case referred unless told not to."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    exploitation_types = list(dict.fromkeys(exploitation_types or []))
    errors: dict[str, list[str]] = {}
    if kind not in Referral.Kind.values:
        errors["kind"] = ["Choose who the case was referred to."]
    if made_on and made_on > timezone.localdate():
        errors["made_on"] = ["The referral date cannot be in the future."]
    if person_is_child:
        # Children are referred without consent; their consent is not asked.
        consent = Referral.Consent.NOT_REQUIRED
        if kind == Referral.Kind.DUTY_TO_NOTIFY:
            errors["kind"] = ["A child is referred to the NRM without consent, not through the Duty to Notify."]
    elif kind == Referral.Kind.NRM and consent != Referral.Consent.GIVEN:
        errors["consent"] = [
            "An adult must consent to an NRM referral; without consent, make an anonymous Duty to Notify instead."
        ]
    elif kind == Referral.Kind.DUTY_TO_NOTIFY:
        # The Duty to Notify is the anonymous route for an adult who did not consent.
        consent = Referral.Consent.REFUSED
    elif consent not in Referral.Consent.values:
        errors["consent"] = ["Record whether the person consented to the referral."]
    bad = [e for e in exploitation_types if e not in Referral.Exploitation.values]
    if bad:
        errors["exploitation_types"] = [f"Unknown exploitation type(s): {', '.join(bad)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = _locked(concern)
        if concern.status == Status.NEW:
            raise ValidationError("Triage the case before recording a referral.", code="not_triaged")
        referral = Referral.objects.create(
            concern=concern,
            kind=kind,
            made_on=made_on,
            made_by=actor,
            consent=consent,
            person_is_child=person_is_child,
            organisation=organisation.strip(),
            contact=contact.strip(),
            external_reference=external_reference.strip(),
            children_services_contacted=children_services_contacted,
            police_force=police_force.strip(),
            crime_reference=crime_reference.strip(),
            exploitation_types=exploitation_types,
            outcome=outcome.strip(),
        )
        body = f"Referral recorded: {referral.get_kind_display()} on {made_on:%d %b %Y} ({referral.get_consent_display().lower()})."
        if referral.needs_children_services:
            body += " The person is a child: contact the local authority children's services."
        _timeline(concern, kind=TimelineEntry.Kind.REFERRAL, author=actor, body=body)
    if mark_referred and concern.status in {Status.TRIAGED, Status.INVESTIGATING}:
        concern_refer(concern=concern, actor=actor)
    return referral


def attachment_add(*, concern: Concern, actor: User, upload) -> Attachment:
    """Attach a file to a case after checking its size and real type."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    files = check_uploads([upload])
    with transaction.atomic():
        (attachment,) = _store_files(concern, files, actor=actor, from_reporter=False)
        _timeline(
            concern, kind=TimelineEntry.Kind.ATTACHMENT, author=actor, body=f"Attached {attachment.original_name}."
        )
    return attachment


# --- escalation ---------------------------------------------------------------


def case_sla_escalate(*, now: datetime.datetime | None = None) -> int:
    """Tell the Lead (and assignee) about each overdue case, then the Compliance admin a threshold later; safe to rerun."""
    now = now or timezone.now()
    deputy_after = datetime.timedelta(hours=settings.CASE_SLA_DEPUTY_AFTER_HOURS)
    leads, deputies = _leads(), _deputies()
    told = 0
    overdue = Concern.objects.open().filter(due_at__lt=now).select_related("assignee").order_by("due_at")
    for concern in overdue:
        # The due date is in the key: a re-triaged or reopened case starts a new clock.
        key = f"safeguarding:sla:{concern.pk}:{concern.stage}:{concern.due_at:%Y%m%d%H%M}"
        stage = "Triage" if concern.stage == "triage" else "Investigation"
        due = timezone.localtime(concern.due_at)
        with transaction.atomic():
            sent = _notify(
                recipients=[*leads, concern.assignee],
                concern=concern,
                subject=f"Overdue: {stage.lower()} of {concern.reference}",
                message=f"{stage} of case {concern.reference} was due by {due:%d %b %Y %H:%M} and is overdue.",
                dedupe_key=f"{key}:lead",
            )
            if now >= concern.due_at + deputy_after:
                sent += _notify(
                    recipients=deputies,
                    concern=concern,
                    subject=f"Escalation: {stage.lower()} of {concern.reference} still overdue",
                    message=f"{stage} of case {concern.reference} was due by {due:%d %b %Y %H:%M}; "
                    "the Lead has been told and it is still overdue. As the Lead's deputy, please follow it up.",
                    url=reverse("notifications"),  # the deputy has no case access; the Lead acts
                    dedupe_key=f"{key}:deputy",
                )
            if sent:
                _timeline(
                    concern,
                    kind=TimelineEntry.Kind.ESCALATION,
                    author=None,
                    body=f"{stage} overdue: told {', '.join(sorted({str(n.recipient) for n in sent}))}.",
                )
        told += len(sent)
    return told


def concern_reassess(*, concern: Concern, actor: User, risk_level: str, assignee: User | None, reason: str) -> Concern:
    """The Lead changes the risk level or the assignee of a triaged, open case, with a reason."""
    _require(sr.can_triage_case, actor, concern, "Only the Modern Slavery Lead changes risk and assignment.")
    errors = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose a risk level."]
    if assignee is not None and not assignee.has_role(roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM):
        errors["assignee"] = ["Assign the case to the Lead or a member of the Safeguarding team."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the risk or assignment changes."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED}, "reassessed")
        changes = []
        if risk_level != concern.risk_level:
            changes.append(f"risk {concern.get_risk_level_display().lower()} → {RiskLevel(risk_level).label.lower()}")
            concern.risk_level = risk_level
            if concern.due_at is not None:
                # The investigation clock follows the new risk, counted from triage.
                concern.due_at = sla_due_at(
                    stage="investigation", risk_level=risk_level, start=concern.triaged_at or timezone.now()
                )
        previous_assignee = concern.assignee
        if assignee != previous_assignee:
            changes.append(f"assignee {previous_assignee or 'nobody'} → {assignee or 'nobody'}")
            concern.assignee = assignee
        if not changes:
            raise ValidationError("Nothing changed: choose a different risk level or assignee.", code="no_change")
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.NOTE,
            author=actor,
            body=f"Reassessed: {'; '.join(changes)}.\n{reason.strip()}",
        )
        if assignee is not None and assignee != previous_assignee and assignee != actor:
            _notify(
                recipients=[assignee],
                concern=concern,
                subject=f"Case {concern.reference} assigned to you",
                message=f"You were assigned a {concern.get_risk_level_display().lower()} risk case.",
            )
    return concern


def referral_outcome_record(*, referral: Referral, actor: User, outcome: str, external_reference: str = "") -> Referral:
    """Record what the outside body reported back (and their reference, if it came later)."""
    concern = referral.concern
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": ["Write what was reported back."]})
    with transaction.atomic():
        referral.outcome = outcome.strip()
        if external_reference.strip():
            referral.external_reference = external_reference.strip()
        referral.save(update_fields=["outcome", "external_reference"])
        _timeline(
            concern,
            kind=TimelineEntry.Kind.REFERRAL,
            author=actor,
            body=f"Outcome of the {referral.get_kind_display()} referral: {referral.outcome}",
        )
    return referral
