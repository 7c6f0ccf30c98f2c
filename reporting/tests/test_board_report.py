"""The Board report PDF: requested on the page, rendered by the Celery task with WeasyPrint, downloaded with a log."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from compliance import roles
from compliance.models import AccessLog
from reporting import kpis
from reporting.models import BoardReport
from reporting.tests.factories import ActionPlanItemFactory, GovernanceMeetingFactory, RiskRegisterEntryFactory
from safeguarding.tests.factories import ConcernFactory
from suppliers.tests.factories import AuditFactory
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

REPORTER_NAME = "Rosalind Reporter-Secret"
NARRATIVE = "He sleeps in the van behind the laundry and the agency holds his passport"


def at(y, m, d):
    return datetime.datetime(y, m, d, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(2025, 7, 1), tick=False):
        yield


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _request(client, django_capture_on_commit_callbacks, year=2025):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:board_report_list"), {"financial_year": year})
    return response, BoardReport.objects.latest("pk")


@pytest.fixture
def year_of_data(organisation, make_user):
    reporter = make_user(roles.STAFF, full_name=REPORTER_NAME)
    ConcernFactory(
        created_at=at(2024, 5, 1),
        closed_at=at(2024, 5, 11),
        status="closed",
        outcome="substantiated",
        reporter=reporter,
        narrative=NARRATIVE,
    )
    ConcernFactory(created_at=at(2024, 6, 1), reporter=reporter, narrative=NARRATIVE)
    TrainingRecordFactory(
        course=CourseFactory(title="Spotting the signs"),
        assigned_on=datetime.date(2024, 5, 1),
        due_on=datetime.date(2024, 6, 1),
        completed_on=datetime.date(2024, 5, 20),
    )
    AuditFactory(
        status="completed",
        completed_date=datetime.date(2024, 9, 1),
        result="compliant",
        planned_date=datetime.date(2024, 9, 1),
    )
    # On the register during the year: key risks are as at the year end, not today's register.
    RiskRegisterEntryFactory(
        title="Agency staff paying recruitment fees", likelihood=4, impact=5, created_at=at(2024, 5, 1)
    )
    GovernanceMeetingFactory(
        held_on=datetime.date(2024, 10, 1), title="Quality and Safeguarding Committee", decisions="Adopt supplier code"
    )
    ActionPlanItemFactory(title="Map tier 2 laundry suppliers", financial_year=2026, due_on=datetime.date(2026, 1, 31))
    ActionPlanItemFactory(title="Retrain night managers", status="done", completed_on=datetime.date(2024, 12, 1))


def test_lead_requests_the_report_and_the_task_renders_it(
    client, login, lead, year_of_data, django_capture_on_commit_callbacks, settings
):
    login(lead)
    response, report = _request(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert report.status == BoardReport.Status.READY
    assert report.file.name.startswith("reporting/board_reports/2025/")
    assert (settings.MEDIA_ROOT / report.file.name).is_file()
    page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
    assert "Ready" in page and "Download the PDF" in page

    pdf = client.get(reverse("reporting:board_report_download", args=[report.pk]))
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Test Care Ltd" in text
    assert "annual report to the Board 2024/25" in text
    period = kpis.Period(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), "2024/25")
    figures = kpis.compute(period)
    # Each KPI appears with its figure in the KPI table ("no cases" where there is no median).
    for row in kpis.trend(figures, kpis.compute(period.previous())):
        unit = "%" if row["unit"] == "%" else (f" {row['unit']}" if row["unit"] else "")
        shown = "no cases" if row["value"] is None else f"{row['value']}{unit}"
        assert f"{row['label']} {shown}" in text, row["label"]
    assert figures["concerns_received"] == 2 and figures["audits_done"] == 1
    for title in (
        "Concerns by outcome",
        "Concerns by who they were about",
        "Training completion by course",
        "Suppliers by risk band",
    ):
        assert title in text
    assert "Agency staff paying recruitment fees" in text
    assert "Quality and Safeguarding Committee" in text
    assert "Map tier 2 laundry suppliers" in text and "Retrain night managers" in text
    # Anonymised: no reporter, no narrative.
    assert REPORTER_NAME not in text and "Reporter-Secret" not in text
    assert "sleeps in the van" not in text and "passport" not in text
    assert AccessLog.objects.filter(user=lead, action=AccessLog.Action.DOWNLOAD, object_id=str(report.pk)).exists()


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR])
def test_board_and_directors_download_and_are_logged(
    client, login, make_user, lead, organisation, django_capture_on_commit_callbacks, role
):
    login(lead)
    _, report = _request(client, django_capture_on_commit_callbacks)
    reader = make_user(role)
    login(reader)
    response = client.get(reverse("reporting:board_report_download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(user=reader, action=AccessLog.Action.DOWNLOAD).count() == 1


def test_compliance_admin_sees_status_but_cannot_download(
    client, login, lead, compliance_admin, organisation, django_capture_on_commit_callbacks
):
    login(lead)
    _, report = _request(client, django_capture_on_commit_callbacks)
    login(compliance_admin)
    assert client.get(reverse("reporting:board_report_detail", args=[report.pk])).status_code == 200
    assert client.get(reverse("reporting:board_report_download", args=[report.pk])).status_code == 404
    assert client.post(reverse("reporting:board_report_list"), {"financial_year": 2025}).status_code == 403


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.PROCUREMENT, roles.SAFEGUARDING_TEAM])
def test_others_get_404(client, login, make_user, lead, organisation, django_capture_on_commit_callbacks, role):
    login(lead)
    _, report = _request(client, django_capture_on_commit_callbacks)
    login(make_user(role))
    for name in ("board_report_list", "board_report_detail", "board_report_download"):
        args = [] if name == "board_report_list" else [report.pk]
        assert client.get(reverse(f"reporting:{name}", args=args)).status_code == 404, name


def test_a_failed_render_shows_its_reason(
    client, login, lead, organisation, django_capture_on_commit_callbacks, settings, tmp_path
):
    # Storage that cannot be written (the media root is a file): the task must record why.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    login(lead)
    _, report = _request(client, django_capture_on_commit_callbacks)
    assert report.status == BoardReport.Status.FAILED
    assert report.failure_reason
    page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
    assert "Failed" in page and "could not be produced" in page
    assert client.get(reverse("reporting:board_report_download", args=[report.pk])).status_code == 404


def test_queued_status_is_shown_and_polled(client, login, lead, organisation):
    login(lead)
    # Without running the on-commit hook the report stays queued, as while waiting for a worker.
    client.post(reverse("reporting:board_report_list"), {"financial_year": 2025})
    report = BoardReport.objects.get()
    assert report.status == BoardReport.Status.QUEUED
    page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
    assert "Queued" in page and 'hx-trigger="every 3s"' in page


def test_rendering_twice_is_safe(lead, organisation, django_capture_on_commit_callbacks):
    from reporting.board_reports import board_report_render, board_report_request

    with django_capture_on_commit_callbacks(execute=True):
        report = board_report_request(actor=lead, financial_year=2025)
    report.refresh_from_db()
    name = report.file.name
    again = board_report_render(report_id=report.pk)
    assert again.status == BoardReport.Status.READY and again.file.name == name


def test_board_report_list_has_constant_queries(client, login, lead, organisation, django_assert_max_num_queries):
    login(lead)
    BoardReport.objects.create(financial_year=2025, requested_by=lead)
    # Session, user, groups, organisation, the pager's count, the page of reports with their requester.
    with django_assert_max_num_queries(15) as one:
        client.get(reverse("reporting:board_report_list"))
    for _ in range(49):
        BoardReport.objects.create(financial_year=2025, requested_by=lead)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("reporting:board_report_list"))
