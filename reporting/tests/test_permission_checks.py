"""Each permission check in reporting's selectors, views and API is needed: without it, one of these fails.

The views gate every page with `require` before calling a selector, so a selector
that lost its restrict() would still look right through the pages; the selectors
are therefore asked directly. The view's 403 for a transition the role may not make
comes before the form is read, so an empty form from the wrong role is 403, not a
redirect with errors. (scripts/mutate_permissions.py removes each check in turn.)
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from compliance import roles
from reporting import selectors
from reporting.models import (
    ActionProgressNote,
    BoardReport,
    KpiSnapshot,
    RiskRegisterReview,
    RiskReview,
    Statement,
)
from reporting.tests.factories import (
    ActionPlanItemFactory,
    GovernanceMeetingFactory,
    RiskRegisterEntryFactory,
    StatementFactory,
)

pytestmark = pytest.mark.usefixtures("organisation")


@pytest.fixture
def records(lead):
    statement = StatementFactory(status=Statement.Status.APPROVED)
    entry = RiskRegisterEntryFactory(owner=lead)
    RiskReview.objects.create(
        entry=entry,
        reviewed_by=lead,
        previous_likelihood=3,
        previous_impact=4,
        likelihood=2,
        impact=4,
        next_review_due=datetime.date(2027, 1, 1),
    )
    meeting = GovernanceMeetingFactory(recorded_by=lead, held_on=datetime.date.today() - datetime.timedelta(days=30))
    RiskRegisterReview.objects.create(
        reviewed_by=lead, summary="Reviewed", meeting=meeting, next_review_due=datetime.date(2027, 1, 1)
    )
    item = ActionPlanItemFactory(owner=lead, financial_year=2026)
    ActionProgressNote.objects.create(item=item, author=lead, text="Started")
    KpiSnapshot.objects.create(
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31), figures={"x": 1}
    )
    report = BoardReport.objects.create(financial_year=2025, requested_by=lead, status=BoardReport.Status.READY)
    report.file.save("board-report.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return {"statement": statement, "entry": entry, "meeting": meeting, "item": item, "report": report}


def _reads(user, records) -> dict:
    """Every reporting selector, asked as `user`."""
    today = datetime.date.today()
    return {
        "statement_list": list(selectors.statement_list(user=user)),
        "statements_of_years": list(selectors.statements_of_years(user=user, financial_years=[2025])),
        "statement_detail": selectors.statement_detail(user=user, pk=records["statement"].pk),
        "statement_for_page": selectors.statement_for_page(user=user, pk=records["statement"].pk),
        "statement_registry_list": list(selectors.statement_registry_list(user=user)),
        "board_report_list": list(selectors.board_report_list(user=user)),
        "board_report_detail": selectors.board_report_detail(user=user, pk=records["report"].pk),
        "board_report_for_download": selectors.board_report_for_download(user=user, pk=records["report"].pk),
        "kpi_snapshot_list": list(selectors.kpi_snapshot_list(user=user)),
        "risk_list": list(selectors.risk_list(user=user)),
        "risk_detail": selectors.risk_detail(user=user, pk=records["entry"].pk),
        "risk_reviews_overdue_count": selectors.risk_reviews_overdue_count(user=user, today=datetime.date(2030, 1, 1)),
        "register_review_list": list(selectors.register_review_list(user=user)),
        "meeting_list": list(selectors.meeting_list(user=user)),
        "meeting_detail": selectors.meeting_detail(user=user, pk=records["meeting"].pk),
        "meeting_dates_since": selectors.meeting_dates_since(user=user, since=today - datetime.timedelta(days=400)),
        "approving_meetings": list(selectors.approving_meetings(user=user)),
        "action_list": list(selectors.action_list(user=user)),
        "action_plan_years": selectors.action_plan_years(user=user),
        "action_detail": selectors.action_detail(user=user, pk=records["item"].pk),
    }


@pytest.mark.parametrize("role", [roles.STAFF, roles.SAFEGUARDING_TEAM, roles.PROCUREMENT, roles.HR])
def test_every_selector_shows_nothing_outside_reporting(role, make_user, records):
    shown = {name: value for name, value in _reads(make_user(role), records).items() if value}
    assert not shown


def test_every_selector_shows_the_records_to_the_lead(lead, records):
    missing = [name for name, value in _reads(lead, records).items() if not value]
    assert not missing


def test_the_compliance_admin_follows_board_reports_but_cannot_download_them(compliance_admin, records):
    assert selectors.board_report_detail(user=compliance_admin, pk=records["report"].pk)
    assert selectors.board_report_for_download(user=compliance_admin, pk=records["report"].pk) is None


def test_the_board_sees_statements_but_cannot_export_them_to_the_registry(board, records):
    assert selectors.statement_list(user=board)
    assert not selectors.statement_registry_list(user=board)


@pytest.mark.parametrize(
    ("route", "role"),
    [
        ("reporting:statement_approve", roles.MODERN_SLAVERY_LEAD),
        ("reporting:statement_sign", roles.BOARD_MEMBER),
        ("reporting:statement_publish", roles.BOARD_MEMBER),
        ("reporting:statement_registry", roles.DIRECTOR),
        ("reporting:statement_actions", roles.BOARD_MEMBER),
        ("reporting:statement_refresh_figures", roles.BOARD_MEMBER),
        ("reporting:statement_new_version", roles.DIRECTOR),
    ],
)
def test_a_transition_the_role_may_not_make_is_403_before_the_form_is_read(route, role, client, login, make_user):
    statement = StatementFactory()
    login(make_user(role))
    assert client.post(reverse(route, args=[statement.pk]), {}).status_code == 403


def test_recording_the_registry_is_403_for_a_director_before_the_form_is_read(client, login, director):
    # Every field of the registry form is optional, so only a bad value shows that the view, not the
    # service, refused: the Director gets 403, not the form's error.
    statement = StatementFactory()
    login(director)
    url = reverse("reporting:statement_registry", args=[statement.pk])
    assert client.post(url, {"registry_summary_url": "not a web address"}).status_code == 403


@pytest.mark.parametrize(
    ("route", "role"),
    [
        ("reporting:statement_start", roles.BOARD_MEMBER),
        ("reporting:statement_start", roles.COMPLIANCE_ADMIN),
        ("reporting:board_report_list", roles.DIRECTOR),
        ("reporting:board_report_list", roles.COMPLIANCE_ADMIN),
    ],
)
def test_starting_a_statement_or_requesting_a_board_report_is_403_for_other_reporting_roles(
    route, role, client, login, make_user
):
    # Before the form is read: an empty form from the wrong role is refused, not shown its errors.
    login(make_user(role))
    assert client.post(reverse(route), {}).status_code == 403
    assert not Statement.objects.exists()
    assert not BoardReport.objects.exists()


@pytest.mark.parametrize("route", ["reporting:risk_new", "reporting:meeting_new", "reporting:action_new"])
def test_governance_forms_are_403_for_readers(route, client, login, board):
    login(board)
    assert client.get(reverse(route)).status_code == 403
    assert client.post(reverse(route), {}).status_code == 403


def test_a_reporting_role_without_an_action_gets_no_form_for_it(client, login, compliance_admin):
    """The detail page offers a step's form only to the role that takes it, and only in the right status."""
    statement = StatementFactory()
    login(compliance_admin)
    context = client.get(reverse("reporting:statement_detail", args=[statement.pk])).context
    forms = ("approve_form", "sign_form", "publish_form", "registry_form", "actions_form")
    assert {name: context[name] for name in forms} == dict.fromkeys(forms)


def test_the_api_refuses_an_approval_from_the_wrong_role_before_reading_it(client, login, lead):
    statement = StatementFactory()
    login(lead)
    assert client.post(f"/api/v1/reporting/statements/{statement.pk}/approve/", {}).status_code == 403


def _every_page(records) -> list[tuple[str, str]]:
    """Every reporting page behind a login, GET and POST routes alike, with a real record where it needs one."""
    statement, entry, item, report = records["statement"], records["entry"], records["item"], records["report"]
    by_pk = {
        "statement": statement.pk,
        "risk": entry.pk,
        "action": item.pk,
        "meeting": records["meeting"].pk,
        "board_report": report.pk,
    }
    pages = [
        "index",
        "kpi_csv",
        "kpi_xlsx",
        "statement_list",
        "statement_start",
        "registry_csv",
        "registry_xlsx",
        "board_report_list",
        "risk_list",
        "risk_new",
        "register_review",
        "meeting_list",
        "meeting_new",
        "action_list",
        "action_new",
    ]
    urls = [(name, reverse(f"reporting:{name}")) for name in pages]
    for name in (
        "statement_detail",
        "statement_edit",
        "statement_approve",
        "statement_sign",
        "statement_publish",
        "statement_registry",
        "statement_refresh_figures",
        "statement_new_version",
        "statement_actions",
        "statement_diff",
        "statement_pdf",
        "board_report_detail",
        "board_report_download",
        "risk_detail",
        "risk_edit",
        "risk_review",
        "meeting_edit",
        "action_detail",
        "action_edit",
    ):
        kind = next(
            kind for kind in ("board_report", "statement", "risk", "action", "meeting") if name.startswith(kind)
        )
        urls.append((name, reverse(f"reporting:{name}", args=[by_pk[kind]])))
    return urls


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR])
def test_every_reporting_page_is_404_outside_reporting(role, client, login, make_user, records):
    login(make_user(role))
    answered = {
        name: (client.get(url).status_code, client.post(url, {}).status_code) for name, url in _every_page(records)
    }
    # 405 for a POST-only route's GET is fine; what matters is that nothing answers 2xx/3xx/403.
    wrong = {name: codes for name, codes in answered.items() if not set(codes) <= {404, 405}}
    assert not wrong


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN])
def test_the_edit_page_is_404_for_reporting_roles_that_never_draft(role, client, login, make_user):
    statement = StatementFactory()
    login(make_user(role))
    assert client.get(reverse("reporting:statement_edit", args=[statement.pk])).status_code == 404
