"""Reporter care: the acknowledgement and feedback deadlines of each report, and reminders to the handler.

A report from a person gets two dates when it arrives: by when the reporter is told we have it
(acknowledgement) and by when they are told what was done (feedback). The defaults, 7 days and
3 months, are the organisation profile's (see compliance.models.Organisation for the sources).
Acknowledging and giving feedback are recorded on the timeline; the hourly beat task reminds the
handler once before each deadline and once when it has passed.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from compliance import roles
from compliance.models import User
from compliance.selectors import organisation_profile
from safeguarding import rules as case_rules
from safeguarding import selectors
from safeguarding.models import Concern, TimelineEntry
from safeguarding.services.common import (
    case_lock,
    case_notify,
    case_permission_check,
    reminder_entry_add,
    reporter_tell,
    timeline_entry_add,
)
from safeguarding.services.records import concern_message_reporter

DEFAULT_ACKNOWLEDGE_DAYS = 7
DEFAULT_FEEDBACK_MONTHS = 3
# How long before a deadline the handler is reminded (then once more when it has passed).
ACKNOWLEDGE_REMIND_BEFORE = datetime.timedelta(days=2)
FEEDBACK_REMIND_BEFORE = datetime.timedelta(days=14)


def reporter_care_deadlines(*, received_at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """(acknowledge by, feedback by) for a report received at `received_at`, from the organisation profile."""
    organisation = organisation_profile()
    days = organisation.acknowledge_within_days if organisation else DEFAULT_ACKNOWLEDGE_DAYS
    months = organisation.feedback_within_months if organisation else DEFAULT_FEEDBACK_MONTHS
    # The directive counts feedback from the acknowledgement; counting from receipt is never later.
    local = timezone.localtime(received_at)
    return local + datetime.timedelta(days=days), local + relativedelta(months=months)


def concern_acknowledge(*, concern: Concern, actor: User) -> Concern:
    """Record that the reporter's report was acknowledged; a signed-in reporter is told in their language."""
    case_permission_check(case_rules.can_work_case, actor, concern, "You cannot work on this case.")
    with transaction.atomic():
        concern = case_lock(concern)
        if concern.acknowledge_due_at is None:
            raise ValidationError("This case did not come from a person, so there is no reporter to acknowledge.")
        if concern.acknowledged_at is not None:
            raise ValidationError(
                f"Receipt was already acknowledged on {timezone.localtime(concern.acknowledged_at):%d %b %Y}."
            )
        concern.acknowledged_at = timezone.now()
        concern.save(update_fields=["acknowledged_at", "updated_at"])
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.ACKNOWLEDGEMENT,
            author=actor,
            body="Receipt acknowledged: the reporter sees it on their report.",
        )
        reporter_tell(concern, gettext_noop("We have received your report %(reference)s and are looking at it."))
    return concern


def concern_feedback_give(*, concern: Concern, actor: User, body: str) -> TimelineEntry:
    """Tell the reporter what has been done (the feedback the deadline asks for), as a message they can read."""
    with transaction.atomic():
        entry = concern_message_reporter(concern=concern, actor=actor, body=body)
        locked = case_lock(concern)
        entry.kind = TimelineEntry.Kind.FEEDBACK
        entry.save(update_fields=["kind"])
        now = timezone.now()
        fields = ["feedback_given_at", "updated_at"]
        locked.feedback_given_at = locked.feedback_given_at or now
        if locked.acknowledge_due_at and locked.acknowledged_at is None:
            # Feedback tells the reporter we have their report, too.
            locked.acknowledged_at = now
            fields.append("acknowledged_at")
        locked.save(update_fields=fields)
    concern.feedback_given_at, concern.acknowledged_at = locked.feedback_given_at, locked.acknowledged_at
    return entry


def _handlers(concern: Concern, leads: list[User]) -> list[User]:
    """Who answers for a reporter's deadlines: the assignee, and the Lead(s) who assign."""
    return [*leads, concern.assignee]


def reporter_care_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind handlers of acknowledgement and feedback deadlines: once before each, once when passed; safe to rerun."""
    now = now or timezone.now()
    leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
    told = 0
    plans = [
        ("acknowledge", "Acknowledge receipt", ACKNOWLEDGE_REMIND_BEFORE, selectors.concerns_awaiting_acknowledgement),
        ("feedback", "Give feedback to the reporter", FEEDBACK_REMIND_BEFORE, selectors.concerns_awaiting_feedback),
    ]
    for what, label, before, select in plans:
        for concern in select(due_before=now + before):
            due = getattr(concern, f"{what}_due_at")
            overdue = due <= now
            # The due date is in the key: a changed deadline is a new reminder; a rerun is not.
            key = f"safeguarding:care:{concern.pk}:{what}:{due:%Y%m%d%H%M}:{'overdue' if overdue else 'soon'}"
            when = f"{timezone.localtime(due):%d %b %Y}"
            with transaction.atomic():
                sent = case_notify(
                    recipients=_handlers(concern, leads),
                    concern=concern,
                    subject=f"{'Overdue' if overdue else 'Due soon'}: {label.lower()} on {concern.reference}",
                    message=f"{label} on case {concern.reference}: "
                    + (f"it was due by {when} and has not been done." if overdue else f"due by {when}."),
                    dedupe_key=key,
                )
                reminder_entry_add(
                    concern, sent, f"{label} {'overdue' if overdue else f'due by {when}'}: reminded {{who}}."
                )
            told += len(sent)
    return told
