"""Writes for the governance records: risk register and its reviews, meetings, the action plan."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.models import User
from reporting import rules as reporting_rules
from reporting.models import (
    ActionPlanItem,
    ActionProgressNote,
    GovernanceMeeting,
    RiskRegisterEntry,
    RiskRegisterReview,
    RiskReview,
)

RISK_FIELDS = ("title", "area", "description", "likelihood", "impact", "owner", "mitigations", "review_due", "status")
MEETING_FIELDS = ("held_on", "body", "title", "minutes", "decisions", "actions")
ACTION_FIELDS = ("title", "description", "owner", "due_on", "financial_year")


def _check(actor: User) -> None:
    if not reporting_rules.can_manage_governance.test(actor):
        raise PermissionDenied("Only the Modern Slavery Lead keeps the governance records.")


def _apply(obj, data: dict, fields) -> None:
    for field in fields:
        if field in data:
            setattr(obj, field, data[field])


def risk_entry_save(*, actor: User, data: dict, entry: RiskRegisterEntry | None = None) -> RiskRegisterEntry:
    """Add a risk to the register or change one."""
    _check(actor)
    entry = entry or RiskRegisterEntry()
    _apply(entry, data, RISK_FIELDS)
    entry.full_clean()
    entry.save()
    return entry


def risk_entry_review(
    *, actor: User, entry: RiskRegisterEntry, likelihood: int, impact: int, changes: str, next_review_due: datetime.date
) -> RiskReview:
    """Record a review of one risk: the new scores, what changed, and when it is next due."""
    _check(actor)
    if next_review_due <= timezone.localdate():
        raise ValidationError({"next_review_due": "The next review must be after today."})
    with transaction.atomic():
        entry = RiskRegisterEntry.objects.select_for_update().get(pk=entry.pk)
        review = RiskReview.objects.create(
            entry=entry,
            reviewed_by=actor,
            reviewed_on=timezone.localdate(),
            previous_likelihood=entry.likelihood,
            previous_impact=entry.impact,
            likelihood=likelihood,
            impact=impact,
            changes=changes,
            next_review_due=next_review_due,
        )
        entry.likelihood, entry.impact, entry.review_due = likelihood, impact, next_review_due
        entry.save(update_fields=["likelihood", "impact", "review_due", "updated_at"])
    return review


def register_review_record(
    *,
    actor: User,
    reviewed_on: datetime.date,
    summary: str,
    next_review_due: datetime.date,
    meeting: GovernanceMeeting | None = None,
) -> RiskRegisterReview:
    """Record the annual review of the whole register."""
    _check(actor)
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "The review date cannot be in the future."})
    if next_review_due <= reviewed_on:
        raise ValidationError({"next_review_due": "The next review must be after this one."})
    return RiskRegisterReview.objects.create(
        reviewed_on=reviewed_on, reviewed_by=actor, summary=summary, meeting=meeting, next_review_due=next_review_due
    )


def meeting_save(*, actor: User, data: dict, meeting: GovernanceMeeting | None = None) -> GovernanceMeeting:
    """Record a governance meeting and its modern slavery agenda item."""
    _check(actor)
    meeting = meeting or GovernanceMeeting(recorded_by=actor)
    _apply(meeting, data, MEETING_FIELDS)
    meeting.full_clean()
    meeting.save()
    return meeting


def action_item_save(*, actor: User, data: dict, item: ActionPlanItem | None = None) -> ActionPlanItem:
    """Add an improvement action by hand or change one."""
    _check(actor)
    item = item or ActionPlanItem()
    _apply(item, data, ACTION_FIELDS)
    item.full_clean()
    item.save()
    return item


def action_item_progress(*, actor: User, item: ActionPlanItem, status: str, note: str = "") -> ActionPlanItem:
    """Move an action on and keep the progress note; done actions record the day they were completed."""
    _check(actor)
    if status not in ActionPlanItem.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    with transaction.atomic():
        item = ActionPlanItem.objects.select_for_update().get(pk=item.pk)
        if status != item.status:
            note = f"Status: {item.get_status_display()} → {ActionPlanItem.Status(status).label}. {note}".strip()
            item.status = status
            item.completed_on = timezone.localdate() if status == ActionPlanItem.Status.DONE else None
            item.save(update_fields=["status", "completed_on"])
        if note.strip():
            ActionProgressNote.objects.create(item=item, author=actor, text=note.strip())
    return item
