"""restrict() on every reporting QuerySet agrees with the object rule, for every role × every record state.

Pages, the API, the registry CSV and the Board report download all start from
restrict(); the predicates in reporting/rules.py say the same thing per object.
These tests hold the two together, so the rule is never written twice unchecked.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from compliance import roles
from compliance import rules as compliance_rules
from reporting import rules as reporting_rules
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
from reporting.tests.factories import (
    ActionPlanItemFactory,
    GovernanceMeetingFactory,
    RiskRegisterEntryFactory,
    StatementFactory,
)
from tests.support import assert_restrict_matches


@pytest.fixture
def everyone(make_user):
    """One person per role, the usual combinations, someone switched off, and the anonymous visitor."""
    people = [make_user(role) for role in roles.ALL_ROLES]
    people.append(make_user(roles.BOARD_MEMBER, roles.DIRECTOR))
    people.append(make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, is_active=False))
    people.append(AnonymousUser())
    return people


@pytest.fixture
def statements(db):
    """A statement in every status (each its own year, as the constraints want one published per year)."""
    return [
        StatementFactory(financial_year=2020 + i, status=status) for i, status in enumerate(Statement.Status.values)
    ]


@pytest.fixture
def board_reports(make_user):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    reports = [BoardReport.objects.create(financial_year=2025, status=s, requested_by=lead) for s in BoardReport.Status]
    # Ready with its PDF stored, and "ready" whose file never arrived: only the first can be downloaded.
    reports[0].status = BoardReport.Status.READY
    reports[0].file.save("board-report.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return reports


@pytest.fixture
def governance_records(make_user):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    entry = RiskRegisterEntryFactory()
    RiskRegisterEntryFactory(status=RiskRegisterEntry.Status.CLOSED)
    RiskReview.objects.create(
        entry=entry,
        reviewed_by=lead,
        previous_likelihood=3,
        previous_impact=4,
        likelihood=2,
        impact=4,
        next_review_due=datetime.date(2027, 1, 1),
    )
    meeting = GovernanceMeetingFactory()
    RiskRegisterReview.objects.create(
        reviewed_by=lead, summary="Reviewed", meeting=meeting, next_review_due=datetime.date(2027, 1, 1)
    )
    item = ActionPlanItemFactory()
    ActionPlanItemFactory(status=ActionPlanItem.Status.DONE, completed_on=datetime.date(2026, 1, 5))
    ActionProgressNote.objects.create(item=item, author=lead, text="Started")
    statement = StatementFactory()
    StatementEvent.objects.create(statement=statement, actor=lead, action="created")
    KpiSnapshot.objects.create(
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31), figures={"x": 1}
    )


def test_statement_view_matches_the_rule(everyone, statements):
    compared = assert_restrict_matches(
        queryset=Statement.objects.all(), predicate=reporting_rules.can_view_reporting_record, users=everyone
    )
    assert compared == len(everyone) * len(statements)


def test_statement_registry_export_matches_the_rule(everyone, statements):
    assert_restrict_matches(
        queryset=Statement.objects.all(),
        predicate=reporting_rules.can_export_statement_to_registry,
        users=everyone,
        action="export_registry",
    )
    lead = everyone[roles.ALL_ROLES.index(roles.MODERN_SLAVERY_LEAD)]
    # Drafts and superseded versions never reach the registry, even for the Lead.
    assert set(Statement.objects.restrict(lead, "export_registry").values_list("status", flat=True)) == {
        Statement.Status.APPROVED,
        Statement.Status.SIGNED,
        Statement.Status.PUBLISHED,
    }


def test_board_report_view_and_download_match_the_rules(everyone, board_reports):
    assert_restrict_matches(
        queryset=BoardReport.objects.all(), predicate=reporting_rules.can_view_reporting_record, users=everyone
    )
    assert_restrict_matches(
        queryset=BoardReport.objects.all(),
        predicate=reporting_rules.can_download_board_report_file,
        users=everyone,
        action="download",
    )
    board = everyone[roles.ALL_ROLES.index(roles.BOARD_MEMBER)]
    assert list(BoardReport.objects.restrict(board, "download")) == [board_reports[0]]


GOVERNANCE_MODELS = [
    RiskRegisterEntry,
    RiskReview,
    RiskRegisterReview,
    GovernanceMeeting,
    ActionPlanItem,
    ActionProgressNote,
]


@pytest.mark.parametrize("model", GOVERNANCE_MODELS, ids=lambda m: m.__name__)
def test_governance_records_view_and_change_match_the_rules(model, everyone, governance_records):
    assert_restrict_matches(
        queryset=model.objects.all(), predicate=reporting_rules.can_view_reporting_record, users=everyone
    )
    assert_restrict_matches(
        queryset=model.objects.all(),
        predicate=reporting_rules.can_change_governance_record,
        users=everyone,
        action="change",
    )


@pytest.mark.parametrize("model", [KpiSnapshot, StatementEvent], ids=lambda m: m.__name__)
def test_read_only_records_view_matches_the_rule(model, everyone, governance_records):
    assert_restrict_matches(queryset=model.objects.all(), predicate=compliance_rules.can_view_reporting, users=everyone)


@pytest.mark.parametrize(
    ("model", "action"),
    [(Statement, "delete"), (Statement, "change"), (BoardReport, "export_registry"), (KpiSnapshot, "change")],
)
def test_an_action_a_model_does_not_know_shows_nothing(
    model, action, lead_user, statements, board_reports, governance_records
):
    assert model.objects.exists()
    assert not model.objects.restrict(lead_user, action).exists()
