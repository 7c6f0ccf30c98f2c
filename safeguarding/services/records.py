"""Case records around the workflow: notes, messages to the reporter, referrals, files, identity grants."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding.models import Attachment, Concern, IdentityGrant, Referral, Status, TimelineEntry
from safeguarding.services.common import (
    attachments_store,
    case_lock,
    case_notify,
    case_permission_check,
    reporter_tell,
    timeline_entry_add,
)
from safeguarding.services.workflow import concern_refer
from safeguarding.uploads import check_uploads


def concern_note_add(*, concern: Concern, actor: User, body: str) -> TimelineEntry:
    """Add an internal note to a case's timeline."""
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
    if not (body or "").strip():
        raise ValidationError({"body": ["The note is empty."]})
    with transaction.atomic():
        return timeline_entry_add(concern, kind=TimelineEntry.Kind.NOTE, author=actor, body=body.strip())


def concern_message_reporter(*, concern: Concern, actor: User, body: str) -> TimelineEntry:
    """Ask the reporter a question or tell them something; they see it with their receipt code or in My reports."""
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
    if not (body or "").strip():
        raise ValidationError({"body": ["The message is empty."]})
    if not concern.reporter_id and not concern.receipt_code_hash:
        raise ValidationError({"body": ["This report came in without a way to reach the reporter."]})
    with transaction.atomic():
        entry = timeline_entry_add(
            concern, kind=TimelineEntry.Kind.MESSAGE_TO_REPORTER, author=actor, body=body.strip()
        )
        reporter_tell(
            concern, gettext_noop("The safeguarding team sent you a message about your report %(reference)s.")
        )
    return entry


def identity_grant(*, concern: Concern, actor: User, user: User, reason: str) -> IdentityGrant:
    """The Lead lets a case worker see who reported this case; the grant is recorded on the timeline."""
    case_permission_check(
        case_rules.can_grant_identity, actor, concern, "Only the Modern Slavery Lead can share the reporter's identity."
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Record why this person needs to know who reported."]})
    if not case_rules.can_view_case.test(user, concern):
        raise ValidationError({"user": [f"{user} cannot see this case."]})
    with transaction.atomic():
        grant, created = IdentityGrant.objects.get_or_create(
            concern=concern, user=user, defaults={"granted_by": actor, "reason": reason.strip()}
        )
        if created:
            timeline_entry_add(
                concern,
                kind=TimelineEntry.Kind.ACCESS,
                author=actor,
                body=f"{user} may now see who reported this case: {reason.strip()}",
            )
            case_notify(
                recipients=[user],
                concern=concern,
                subject=f"Reporter identity shared on {concern.reference}",
                message="The Lead shared the reporter's identity with you for this case.",
            )
    return grant


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
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
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
        concern = case_lock(concern)
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
        timeline_entry_add(concern, kind=TimelineEntry.Kind.REFERRAL, author=actor, body=body)
    if mark_referred and concern.status in {Status.TRIAGED, Status.INVESTIGATING}:
        concern_refer(concern=concern, actor=actor)
    return referral


def attachment_add(*, concern: Concern, actor: User, upload) -> Attachment:
    """Attach a file to a case after checking its size and real type."""
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
    files = check_uploads([upload])
    with transaction.atomic():
        (attachment,) = attachments_store(concern, files, actor=actor, from_reporter=False)
        timeline_entry_add(
            concern, kind=TimelineEntry.Kind.ATTACHMENT, author=actor, body=f"Attached {attachment.original_name}."
        )
    return attachment


def referral_outcome_record(*, referral: Referral, actor: User, outcome: str, external_reference: str = "") -> Referral:
    """Record what the outside body reported back (and their reference, if it came later)."""
    concern = referral.concern
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": ["Write what was reported back."]})
    with transaction.atomic():
        referral.outcome = outcome.strip()
        if external_reference.strip():
            referral.external_reference = external_reference.strip()
        referral.save(update_fields=["outcome", "external_reference"])
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.REFERRAL,
            author=actor,
            body=f"Outcome of the {referral.get_kind_display()} referral: {referral.outcome}",
        )
    return referral
