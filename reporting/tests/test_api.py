"""Reporting API: KPIs, statements with their transitions, Board report requests and status."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from reporting.models import BoardReport, Statement
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def test_kpis_for_a_period_with_zeros_when_empty(client, login, board):
    login(board)
    response = client.get("/api/v1/reporting/kpis/", {"period": "month", "on": "2025-06-10"})
    assert response.status_code == 200
    data = response.json()
    assert (data["period_start"], data["period_end"]) == ("2025-06-01", "2025-06-30")
    assert (data["previous_start"], data["previous_end"]) == ("2025-05-01", "2025-05-31")
    assert {row["key"]: row["value"] for row in data["kpis"]}["concerns_received"] == 0
    assert "concerns_by_outcome" in data["breakdowns"]


def test_kpis_bad_period_is_400_with_field_errors(client, login, board):
    login(board)
    response = client.get("/api/v1/reporting/kpis/", {"period": "custom", "start": "2025-06-10", "end": "2025-06-01"})
    assert response.status_code == 400
    assert "end" in response.json()


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.PROCUREMENT])
def test_api_is_404_outside_reporting(client, login, make_user, role):
    statement = StatementFactory()
    login(make_user(role))
    assert client.get("/api/v1/reporting/kpis/").status_code == 404
    assert client.get("/api/v1/reporting/statements/").status_code == 404
    assert client.get(f"/api/v1/reporting/statements/{statement.pk}/").status_code == 404
    assert client.get("/api/v1/reporting/board-reports/").status_code == 404


def test_statement_transitions_through_the_api(client, login, lead, board, director):
    statement = StatementFactory(created_by=lead)
    meeting = GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 30)).pk
    base = f"/api/v1/reporting/statements/{statement.pk}"
    login(lead)
    assert client.post(f"{base}/approve/", {"meeting": meeting, "minute": "B/1"}).status_code == 403
    login(board)
    response = client.post(f"{base}/approve/", {"approved_on": "2025-06-30", "meeting": meeting, "minute": "B/1"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    # Approving again is refused with a message, not a 500.
    again = client.post(f"{base}/approve/", {"meeting": meeting, "minute": "B/1"})
    assert again.status_code == 400
    assert "cannot be approved" in again.json()["non_field_errors"][0]
    assert client.post(f"{base}/sign/", {"signatory_title": "Chair", "signed_on": "2025-06-30"}).status_code == 403
    login(director)
    bad = client.post(f"{base}/sign/", {"signatory_title": "", "signed_on": "2025-06-30"})
    assert bad.status_code == 400 and "signatory_title" in bad.json()
    response = client.post(f"{base}/sign/", {"signatory_title": "Chief executive", "signed_on": "2025-06-30"})
    assert response.json()["signatory_name"] == "Dana Director"
    login(lead)
    response = client.post(f"{base}/publish/", {"published_on": "2025-07-01"})
    assert response.json()["status"] == "published"
    response = client.post(f"{base}/new-version/")
    assert response.status_code == 201 and response.json()["version"] == 2
    listing = client.get("/api/v1/reporting/statements/", {"financial_year": 2025}).json()
    assert [s["version"] for s in listing["results"]] == [2, 1]
    assert len(listing["results"][0]["sections"]) == 6


def test_board_report_request_and_status(client, login, lead, board, django_capture_on_commit_callbacks):
    login(board)
    assert client.post("/api/v1/reporting/board-reports/", {"financial_year": 2025}).status_code == 403
    login(lead)
    assert client.post("/api/v1/reporting/board-reports/", {"financial_year": 1900}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reporting/board-reports/", {"financial_year": 2025})
    assert response.status_code == 201
    report_id = response.json()["id"]
    status = client.get(f"/api/v1/reporting/board-reports/{report_id}/").json()
    assert status["status"] == "ready"
    assert status["download_url"] == reverse("reporting:board_report_download", args=[report_id])
    assert BoardReport.objects.get().requested_by == lead


def test_statement_api_list_has_constant_queries(client, login, board, django_assert_max_num_queries):
    login(board)
    StatementFactory(financial_year=2000)
    # Session, user, groups, MFA check, count, page of statements with their joins.
    with django_assert_max_num_queries(12) as one:
        client.get("/api/v1/reporting/statements/")
    for year in range(2001, 2050):
        StatementFactory(financial_year=year)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/reporting/statements/").json()["results"]) == 50
    assert Statement.objects.count() == 50


def test_board_report_api_list_has_constant_queries(client, login, lead, django_assert_max_num_queries):
    login(lead)
    BoardReport.objects.create(financial_year=2025, requested_by=lead)
    # Session, user, groups, MFA check, count, page of reports.
    with django_assert_max_num_queries(12) as one:
        client.get("/api/v1/reporting/board-reports/")
    for _ in range(49):
        BoardReport.objects.create(financial_year=2025, requested_by=lead)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/reporting/board-reports/").json()["results"]) == 50
