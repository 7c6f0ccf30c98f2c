"""Reads for reporting, each restricted to what the asking user may see.

Reporting holds no personal case data: everything here is aggregate or
governance material, so the restriction is by role, decided once in each
model's QuerySet.restrict(); the public sees published statements only.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

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


def statement_list(*, user: User) -> QuerySet[Statement]:
    """Every version the user may see, latest year and version first."""
    return (
        Statement.objects.restrict(user, "view")
        .select_related("signed_by", "approved_meeting", "created_by")
        .order_by("-financial_year", "-version")
    )


def statements_of_years(*, user: User, financial_years: list[int]) -> QuerySet[Statement]:
    """The dashboard's list of this and last year's versions: each by its year, number and status only."""
    return (
        Statement.objects.restrict(user, "view")
        .filter(financial_year__in=financial_years)
        .only("financial_year", "version", "period_start", "period_end", "status")
        .order_by("-financial_year", "-version")
    )


def statement_detail(*, user: User, pk: int) -> Statement | None:
    return (
        statement_list(user=user)
        .select_related("carried_from", "previous_version")
        # The timeline and actions of a statement the user may see: restricting them again would repeat the role check.
        .prefetch_related(
            Prefetch("events", queryset=StatementEvent.objects.select_related("actor")),
            Prefetch("action_items", queryset=ActionPlanItem.objects.select_related("owner")),
        )
        .filter(pk=pk)
        .first()
    )


# What the statement page shows of the version a statement follows and the one it was carried
# from: their year (year_label) and number, not their sixty other columns (the whole text).
_LABEL_FIELDS = {"id", "financial_year", "version", "period_start", "period_end"}
_RELATED_TEXT = [
    f"{relation}__{field.name}"
    for relation in ("carried_from", "previous_version")
    for field in Statement._meta.concrete_fields
    if field.name not in _LABEL_FIELDS
]


def statement_for_page(*, user: User, pk: int) -> Statement | None:
    """statement_detail with only what the statement page shows of the related rows.

    The versions it follows and was carried from by their labels; who acted on the timeline by
    name; each action by its title and status (not its owner). Not for the actions that change a
    statement: refreshing its figures reads the whole of the statement it was carried from.
    """
    return (
        statement_list(user=user)
        .select_related("carried_from", "previous_version")
        .defer(*_RELATED_TEXT)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=StatementEvent.objects.select_related("actor").only(
                    "statement", "action", "detail", "at", "actor__full_name", "actor__email"
                ),
            ),
            Prefetch("action_items", queryset=ActionPlanItem.objects.only("source_statement", "title", "status")),
        )
        .filter(pk=pk)
        .first()
    )


def statement_for_edit(*, user: User, pk: int) -> Statement | None:
    """One version for its edit page, which shows neither its timeline nor its actions: nothing prefetched."""
    return statement_list(user=user).filter(pk=pk).first()


def statement_versions(*, user: User, financial_year: int) -> QuerySet[Statement]:
    return statement_list(user=user).filter(financial_year=financial_year).order_by("-version")


def statement_registry_list(*, user: User) -> QuerySet[Statement]:
    """The versions that go in the GOV.UK registry CSV: approved and current, for the roles that submit it."""
    return Statement.objects.restrict(user, "export_registry").order_by("-financial_year", "-version")


def statement_published(*, financial_year: int) -> Statement | None:
    """The statement the public sees for a year: its latest published version, or nothing."""
    return Statement.objects.published().filter(financial_year=financial_year).order_by("-version").first()


def statement_published_list() -> QuerySet[Statement]:
    return Statement.objects.published().order_by("-financial_year")


def board_report_list(*, user: User) -> QuerySet[BoardReport]:
    return BoardReport.objects.restrict(user, "view").select_related("requested_by")


def board_report_detail(*, user: User, pk: int) -> BoardReport | None:
    return board_report_list(user=user).filter(pk=pk).first()


def board_report_for_download(*, user: User, pk: int) -> BoardReport | None:
    """The report if its PDF is ready and the user's role may open it; None otherwise (a 404, whichever it is)."""
    return BoardReport.objects.restrict(user, "download").filter(pk=pk).first()


def kpi_snapshot_list(*, user: User) -> QuerySet[KpiSnapshot]:
    """Monthly snapshots, latest month first."""
    return KpiSnapshot.objects.restrict(user, "view").order_by("-period_start")


def risk_list(*, user: User, area: str = "") -> QuerySet[RiskRegisterEntry]:
    """The register, or one area of it (an area the register does not know is ignored, not an error)."""
    entries = RiskRegisterEntry.objects.restrict(user, "view").select_related("owner")
    if area in RiskRegisterEntry.Area.values:
        entries = entries.filter(area=area)
    return entries


def risk_reviews_overdue_count(*, user: User, today: datetime.date) -> int:
    """Open risks whose review date has passed, for the dashboard's warning."""
    return risk_list(user=user).filter(status=RiskRegisterEntry.Status.OPEN, review_due__lt=today).count()


def risk_detail(*, user: User, pk: int) -> RiskRegisterEntry | None:
    return (
        risk_list(user=user)
        .prefetch_related(Prefetch("reviews", queryset=RiskReview.objects.select_related("reviewed_by")))
        .filter(pk=pk)
        .first()
    )


def register_review_list(*, user: User) -> QuerySet[RiskRegisterReview]:
    return RiskRegisterReview.objects.restrict(user, "view").select_related("reviewed_by", "meeting")


def meeting_list(*, user: User) -> QuerySet[GovernanceMeeting]:
    return GovernanceMeeting.objects.restrict(user, "view").select_related("recorded_by")


def meeting_dates_since(*, user: User, since: datetime.date) -> list[datetime.date]:
    return list(meeting_list(user=user).filter(held_on__gte=since).values_list("held_on", flat=True))


def meeting_detail(*, user: User, pk: int) -> GovernanceMeeting | None:
    return meeting_list(user=user).filter(pk=pk).first()


def approving_meetings(*, user: User) -> QuerySet[GovernanceMeeting]:
    """Meetings that can approve a statement: the approving body's, already held (s.54(6))."""
    return meeting_list(user=user).filter(body=GovernanceMeeting.Body.BOARD, held_on__lte=timezone.localdate())


def action_list(*, user: User, financial_year: int | None = None) -> QuerySet[ActionPlanItem]:
    items = ActionPlanItem.objects.restrict(user, "view").select_related("owner", "source_statement")
    if financial_year is not None:
        items = items.filter(financial_year=financial_year)
    return items


def action_plan_years(*, user: User) -> list[int]:
    """The financial years the action plan has items for, latest first (the year filter's choices)."""
    return list(
        ActionPlanItem.objects.restrict(user, "view")
        .order_by("-financial_year")
        .values_list("financial_year", flat=True)
        .distinct()
    )


def action_detail(*, user: User, pk: int) -> ActionPlanItem | None:
    return (
        action_list(user=user)
        .prefetch_related(Prefetch("notes", queryset=ActionProgressNote.objects.select_related("author")))
        .filter(pk=pk)
        .first()
    )
