"""Case records around the workflow: notes, messages to the reporter, files, identity grants."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding.models import Attachment, Concern, IdentityGrant, TimelineEntry
from safeguarding.services.common import (
    attachments_store,
    case_notify,
    case_permission_check,
    reporter_tell,
    timeline_entry_add,
)
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
