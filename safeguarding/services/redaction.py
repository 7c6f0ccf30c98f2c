"""Masking (redaction) of personal data inside a case's narrative, notes and messages.

The Lead masks a span: the text everywhere else (case pages for the Safeguarding team,
the case PDF, exports, the API, the reporter's follow-up page, a subject access export)
then reads "[masked]", because they all read the one field that now holds the masked
text. The text as it was before the first mask is kept in `*_original` (encrypted like
the rest) and shown only in the Lead's unmasked view; each mask is a Redaction row and a
line on the timeline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding.models import Concern, Redaction, TimelineEntry
from safeguarding.services.common import case_lock, case_permission_check, timeline_entry_add

# The timeline entries a person wrote (others are generated and hold no free text worth masking).
MASKABLE_KINDS = (
    TimelineEntry.Kind.NOTE,
    TimelineEntry.Kind.MESSAGE_TO_REPORTER,
    TimelineEntry.Kind.MESSAGE_FROM_REPORTER,
)
NARRATIVE = "narrative"


def mask_targets(concern: Concern, timeline=None) -> list[tuple[str, str]]:
    """What the Lead can mask on a case: ("narrative", label) and ("<entry pk>", label) pairs.

    `timeline`, when the page has read it already (with authors), saves reading it again.
    """
    targets = [(NARRATIVE, "What happened (the narrative)")]
    entries = concern.timeline.select_related("author") if timeline is None else timeline
    for entry in (e for e in entries if e.kind in MASKABLE_KINDS):
        who = entry.author or ("the reporter" if entry.is_from_reporter else "—")
        targets.append((str(entry.pk), f"{entry.get_kind_display()}, {entry.created_at:%d %b %Y %H:%M}, {who}"))
    return targets


def text_mask(*, concern: Concern, actor: User, target: str, span: str, reason: str) -> Redaction:
    """Mask every occurrence of `span` in the narrative or one note/message of a case (the Lead only)."""
    case_permission_check(case_rules.can_close_case, actor, concern, "Only the Modern Slavery Lead can mask text.")
    span, reason = (span or "").strip(), (reason or "").strip()
    errors = {}
    if not span:
        errors["span"] = ["Copy the exact words to mask."]
    elif span == Redaction.MASK:
        errors["span"] = ["That text is already masked."]
    if not reason:
        errors["reason"] = ["Say why it is masked (e.g. names a third party)."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = case_lock(concern)
        if concern.purged_at:
            raise ValidationError("This case's content was removed under the retention schedule.")
        if target == NARRATIVE:
            record, field, entry = concern, "narrative", None
        else:
            entry = concern.timeline.filter(kind__in=MASKABLE_KINDS, pk=int(target) if target.isdigit() else 0).first()
            if entry is None:
                raise ValidationError({"target": ["Choose the narrative or one of the case's notes or messages."]})
            record, field = entry, "body"
        text = getattr(record, field)
        if span not in text:
            raise ValidationError({"span": ["Those words are not in that text: copy them exactly as shown."]})
        original = f"{field}_original"
        update = [field]
        if not getattr(record, original):
            setattr(record, original, text)
            update.append(original)
        setattr(record, field, text.replace(span, Redaction.MASK))
        record.save(update_fields=update)
        redaction = Redaction.objects.create(
            concern=concern, timeline_entry=entry, span=span, reason=reason, created_by=actor
        )
        where = "the narrative" if entry is None else f"a {entry.get_kind_display().lower()}"
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=f"Masked text in {where}: {reason}",
            from_status=concern.status,
            to_status=concern.status,
        )
    return redaction
