"""Each reporting selector restricts on its own, called directly (the views' role checks are not the only ones).

Reporting is read by the Lead, the Board, the Director and the Compliance admin; anyone else
(staff, the Safeguarding team, HR, procurement, a line manager) gets no rows from any selector.
"""

import datetime

import pytest
from django.core.files.base import ContentFile

from compliance import roles
from reporting import selectors
from reporting.models import BoardReport, KpiSnapshot, RiskRegisterReview, Statement
from reporting.tests.factories import (
    ActionPlanItemFactory,
    GovernanceMeetingFactory,
    RiskRegisterEntryFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = [roles.STAFF, roles.SAFEGUARDING_TEAM, roles.HR, roles.PROCUREMENT, roles.LINE_MANAGER]
READERS = [roles.MODERN_SLAVERY_LEAD, roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN]


@pytest.fixture
def records(lead):
    meeting = GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 10))
    approved = StatementFactory(financial_year=2025, status=Statement.Status.APPROVED)
    draft = StatementFactory(financial_year=2026, status=Statement.Status.DRAFT)
    ready = BoardReport.objects.create(financial_year=2025, status=BoardReport.Status.READY, requested_by=lead)
    ready.file.save("board-report.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return {
        "meeting": meeting,
        "approved": approved,
        "draft": draft,
        "report": ready,
        "kpi": KpiSnapshot.objects.create(
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31), figures={"x": 1}
        ),
        "risk": RiskRegisterEntryFactory(review_due=datetime.date(2026, 1, 1)),
        "review": RiskRegisterReview.objects.create(
            reviewed_by=lead, summary="Reviewed", meeting=meeting, next_review_due=datetime.date(2027, 1, 1)
        ),
        "action": ActionPlanItemFactory(financial_year=2026),
    }


def _reads(user, records) -> dict:
    """What each selector hands this user, as primary keys (or years, dates, a count)."""

    def pks(queryset):
        return set(queryset.values_list("pk", flat=True))

    return {
        "statements": pks(selectors.statement_list(user=user)),
        "statement": selectors.statement_detail(user=user, pk=records["approved"].pk),
        "board_reports": pks(selectors.board_report_list(user=user)),
        "kpis": pks(selectors.kpi_snapshot_list(user=user)),
        "risks": pks(selectors.risk_list(user=user)),
        "overdue": selectors.risk_reviews_overdue_count(user=user, today=datetime.date(2026, 6, 1)),
        "register_reviews": pks(selectors.register_review_list(user=user)),
        "meetings": pks(selectors.meeting_list(user=user)),
        "meeting_dates": selectors.meeting_dates_since(user=user, since=datetime.date(2025, 1, 1)),
        "actions": pks(selectors.action_list(user=user)),
        "action_years": selectors.action_plan_years(user=user),
    }


@pytest.mark.parametrize("role", READERS)
def test_reporting_readers_get_every_row(role, make_user, records):
    assert _reads(make_user(role), records) == {
        "statements": {records["approved"].pk, records["draft"].pk},
        "statement": records["approved"],
        "board_reports": {records["report"].pk},
        "kpis": {records["kpi"].pk},
        "risks": {records["risk"].pk},
        "overdue": 1,
        "register_reviews": {records["review"].pk},
        "meetings": {records["meeting"].pk},
        "meeting_dates": [datetime.date(2025, 6, 10)],
        "actions": {records["action"].pk},
        "action_years": [2026],
    }


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_no_rows(role, make_user, records):
    assert _reads(make_user(role), records) == {
        "statements": set(),
        "statement": None,
        "board_reports": set(),
        "kpis": set(),
        "risks": set(),
        "overdue": 0,
        "register_reviews": set(),
        "meetings": set(),
        "meeting_dates": [],
        "actions": set(),
        "action_years": [],
    }


@pytest.mark.parametrize(
    ("role", "exports"),
    [
        (roles.MODERN_SLAVERY_LEAD, True),
        (roles.DIRECTOR, True),
        (roles.COMPLIANCE_ADMIN, True),
        (roles.BOARD_MEMBER, False),
        (roles.STAFF, False),
    ],
)
def test_the_registry_list_is_approved_statements_for_who_submits_it(role, exports, make_user, records):
    got = set(selectors.statement_registry_list(user=make_user(role)).values_list("pk", flat=True))
    assert got == ({records["approved"].pk} if exports else set())


@pytest.mark.parametrize(
    ("role", "downloads"),
    [
        (roles.MODERN_SLAVERY_LEAD, True),
        (roles.BOARD_MEMBER, True),
        (roles.DIRECTOR, True),
        # The admin follows the list but never opens the PDF.
        (roles.COMPLIANCE_ADMIN, False),
        (roles.STAFF, False),
    ],
)
def test_a_board_report_is_downloaded_only_by_who_may_open_it(role, downloads, make_user, records):
    report = records["report"]
    user = make_user(role)
    assert selectors.board_report_for_download(user=user, pk=report.pk) == (report if downloads else None)
    # A file stored on a report that is not ready (being rendered again) is not handed out to anyone.
    rendering = BoardReport.objects.create(
        financial_year=2025, status=BoardReport.Status.RENDERING, requested_by=records["report"].requested_by
    )
    rendering.file.save("old.pdf", ContentFile(b"%PDF-1.7"), save=True)
    assert selectors.board_report_for_download(user=user, pk=rendering.pk) is None
