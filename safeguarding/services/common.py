"""What every case service shares: the permission check, the row lock, the timeline, notifications, files."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext

from compliance.encryption import encrypt_bytes
from compliance.i18n import reporter_language
from compliance.models import User
from compliance.services import notification_send
from safeguarding.models import Attachment, Concern, Status, TimelineEntry
from safeguarding.uploads import CheckedFile

EMAIL_TEMPLATE = "safeguarding/email/case.txt"


def case_permission_check(predicate, actor: User, concern: Concern, message: str) -> None:
    """Refuse (PermissionDenied) an actor the case rule does not allow; views answer 403."""
    if not predicate.test(actor, concern):
        raise PermissionDenied(message)


def case_lock(concern: Concern) -> Concern:
    """The case re-read under a row lock, so two people moving the same case cannot both win."""
    return Concern.objects.select_for_update().get(pk=concern.pk)


def case_source_check(concern: Concern, allowed: Iterable[Status], action: str) -> None:
    """Refuse a transition from a state it does not start from, naming the states it does."""
    allowed = set(allowed)
    if concern.status not in allowed:
        names = ", ".join(sorted(Status(s).label.lower() for s in allowed))
        raise ValidationError(
            f"A case that is {concern.get_status_display().lower()} cannot be {action}; it must be {names}.",
            code="bad_transition",
        )


def timeline_entry_add(
    concern: Concern,
    *,
    kind: TimelineEntry.Kind,
    author: User | None,
    body: str = "",
    from_status: str = "",
    to_status: str = "",
) -> TimelineEntry:
    """One line on the case's timeline."""
    return TimelineEntry.objects.create(
        concern=concern, kind=kind, author=author, body=body, from_status=from_status, to_status=to_status
    )


def case_notify(
    *,
    recipients: Iterable[User | None],
    concern: Concern,
    subject: str,
    message: str,
    url: str = "",
    dedupe_key: str = "",
):
    """Notify people about a case (by email and in the app) through the outbox."""
    # Emails carry the reference and what to do, never the narrative or a name.
    return notification_send(
        recipients=[u for u in recipients if u is not None],
        subject=subject,
        template=EMAIL_TEMPLATE,
        context={"message": message, "reference": concern.reference},
        url=url or concern.get_absolute_url(),
        dedupe_key=dedupe_key,
    )


def reminder_entry_add(concern: Concern, sent, body: str) -> None:
    """Record on the timeline whom a reminder reached, when it reached anyone; `body` names them as {who}.

    A plain replace, not str.format: a first responder's name may hold braces.

    An escalation entry: internal, so the case summary shared outside leaves it out.
    """
    if sent:
        who = ", ".join(sorted({str(n.recipient) for n in sent}))
        timeline_entry_add(concern, kind=TimelineEntry.Kind.ESCALATION, author=None, body=body.replace("{who}", who))


def reporter_tell(concern: Concern, message: str) -> None:
    """Tell a signed-in reporter, in the language they reported in; message is a catalogue msgid."""
    if concern.reporter_id:
        with reporter_language(concern.language):
            params = {"reference": concern.reference, "status": concern.reporter_status}
            case_notify(
                recipients=[concern.reporter],
                concern=concern,
                subject=gettext("Update on your report %(reference)s") % params,
                message=gettext(message) % params,
                url=reverse("safeguarding:my_reports"),
            )


def attachments_store(
    concern: Concern, files: list[CheckedFile], *, actor: User | None, from_reporter: bool
) -> list[Attachment]:
    """Save checked files on a case under random names."""
    stored = []
    for checked in files:
        attachment = Attachment(
            concern=concern,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            from_reporter=from_reporter,
        )
        # Encrypted before it reaches the disk or the bucket; only the download view decrypts it.
        attachment.file.save("upload", ContentFile(encrypt_bytes(checked.data)), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
