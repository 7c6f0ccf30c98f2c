"""Reads for reporting, each restricted to what the asking user may see.

Reporting holds no personal case data: everything here is aggregate or
governance material, so the restriction is by role (can_view_reporting);
the public sees published statements only.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compliance import rules as r
from compliance.models import User
from reporting.models import (
    ActionPlanItem,
    ActionProgressNote,
    BoardReport,
    GovernanceMeeting,
    KpiSnapshot,
    RiskRegisterEntry,
    RiskRegisterReview,
    RiskReview,
    Statement,
    StatementEvent,
)


def _allowed(user) -> bool:
    return r.can_view_reporting.test(user)


def statement_list(*, user: User) -> QuerySet[Statement]:
    if not _allowed(user):
        return Statement.objects.none()
    return Statement.objects.select_related("signed_by", "approved_meeting", "created_by")


def statement_detail(*, user: User, pk: int) -> Statement | None:
    return (
        statement_list(user=user)
        .select_related("carried_from", "previous_version")
        .prefetch_related(
            Prefetch("events", queryset=StatementEvent.objects.select_related("actor")),
            Prefetch("action_items", queryset=ActionPlanItem.objects.select_related("owner")),
        )
        .filter(pk=pk)
        .first()
    )


def statement_versions(*, user: User, financial_year: int) -> QuerySet[Statement]:
    return statement_list(user=user).filter(financial_year=financial_year).order_by("-version")


def statement_published(*, financial_year: int) -> Statement | None:
    """The statement the public sees for a year: its latest published version, or nothing."""
    return (
        Statement.objects.filter(financial_year=financial_year, status=Statement.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def statement_published_list() -> QuerySet[Statement]:
    return Statement.objects.filter(status=Statement.Status.PUBLISHED).order_by("-financial_year")


def board_report_list(*, user: User) -> QuerySet[BoardReport]:
    if not _allowed(user):
        return BoardReport.objects.none()
    return BoardReport.objects.select_related("requested_by")


def kpi_snapshot_list(*, user: User) -> QuerySet[KpiSnapshot]:
    if not _allowed(user):
        return KpiSnapshot.objects.none()
    return KpiSnapshot.objects.all()


def risk_list(*, user: User) -> QuerySet[RiskRegisterEntry]:
    if not _allowed(user):
        return RiskRegisterEntry.objects.none()
    return RiskRegisterEntry.objects.select_related("owner")


def risk_detail(*, user: User, pk: int) -> RiskRegisterEntry | None:
    return (
        risk_list(user=user)
        .prefetch_related(Prefetch("reviews", queryset=RiskReview.objects.select_related("reviewed_by")))
        .filter(pk=pk)
        .first()
    )


def register_review_list(*, user: User) -> QuerySet[RiskRegisterReview]:
    if not _allowed(user):
        return RiskRegisterReview.objects.none()
    return RiskRegisterReview.objects.select_related("reviewed_by", "meeting")


def meeting_list(*, user: User) -> QuerySet[GovernanceMeeting]:
    if not _allowed(user):
        return GovernanceMeeting.objects.none()
    return GovernanceMeeting.objects.select_related("recorded_by")


def approving_meetings(*, user: User) -> QuerySet[GovernanceMeeting]:
    """Meetings that can approve a statement: the approving body's, already held (s.54(6))."""
    return meeting_list(user=user).filter(body=GovernanceMeeting.Body.BOARD, held_on__lte=timezone.localdate())


def action_list(*, user: User) -> QuerySet[ActionPlanItem]:
    if not _allowed(user):
        return ActionPlanItem.objects.none()
    return ActionPlanItem.objects.select_related("owner", "source_statement")


def action_detail(*, user: User, pk: int) -> ActionPlanItem | None:
    return (
        action_list(user=user)
        .prefetch_related(Prefetch("notes", queryset=ActionProgressNote.objects.select_related("author")))
        .filter(pk=pk)
        .first()
    )
