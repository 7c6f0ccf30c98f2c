"""A large XLSX export becomes a background job with its own page and a download link (issue 17).

Celery runs in-process here (the test settings); tests/test_export_jobs_worker.py
runs the same flow through a real worker. The threshold is lowered so the data stays small.
"""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from compliance import exports, roles
from compliance.celery import app
from compliance.export_jobs import NO_LONGER_ALLOWED, export_job_write, export_jobs_expire
from compliance.models import AccessLog, ExportJob
from compliance.tests.factories import UserFactory
from reporting.tasks import stale_jobs_requeue
from safeguarding.models import Status
from safeguarding.tests.factories import ConcernFactory
from suppliers.tests.factories import SupplierFactory
from tests.test_outage import redis_down  # noqa: F401  cache and broker on a closed port

pytestmark = pytest.mark.django_db
FORMULA = "=1+1"


def _cases(n):
    ConcernFactory.create_batch(n - 1, status=Status.NEW)
    ConcernFactory(status=Status.NEW, site=None, location_text=FORMULA)
    ConcernFactory.create_batch(2, status=Status.TRIAGED)  # filtered out by ?status=new


def _access_log(n):
    reader = UserFactory()
    AccessLog.objects.bulk_create(
        AccessLog(user=reader, action="view", object_repr=f"Case MS-2026-{i:05d}", detail="read", path="/cases/")
        for i in range(n - 1)
    )
    AccessLog.objects.create(user=reader, action="view", object_repr=FORMULA, detail="read", path="/cases/")


def _suppliers(n):
    SupplierFactory.create_batch(n - 1)
    SupplierFactory(name=FORMULA)


# export -> (who asks, how to make n matching rows with one planted formula, the XLSX url with a filter,
# the column holding the planted value)
LARGE = {
    "cases": ("lead", _cases, "/cases/export.xlsx?status=new", "Site"),
    "access-log": ("compliance_admin", _access_log, "/access-log/?format=xlsx&action=view", "record"),
    "supplier-register": ("procurement", _suppliers, "/suppliers/export/?format=xlsx", "name"),
}


def _sheet(body: bytes) -> list[list]:
    (sheet,) = load_workbook(io.BytesIO(body)).worksheets
    return [list(row) for row in sheet.iter_rows()]


@pytest.fixture
def small_threshold(settings):
    settings.EXPORT_BACKGROUND_FROM_ROWS = 3
    return settings


def _ask(client, url, capture):
    """Ask for the export as the browser does; the job runs in-process once the request commits."""
    with capture(execute=True):
        return client.get(url)


@pytest.fixture
def done_job(client, lead, small_threshold, django_capture_on_commit_callbacks):
    _cases(5)
    client.force_login(lead)
    _ask(client, LARGE["cases"][2], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.failure_reason
    return job


@pytest.mark.parametrize("name", LARGE)
def test_a_large_xlsx_becomes_a_job_whose_file_holds_the_filtered_rows_formula_safe(
    name, request, client, small_threshold, django_capture_on_commit_callbacks
):
    who, make, url, column = LARGE[name]
    user = request.getfixturevalue(who)
    make(5)
    client.force_login(user)
    response = _ask(client, url, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/exports/{job.pk}/"
    assert (job.requested_by, job.export, job.fmt) == (user, name, "xlsx")
    assert job.status == ExportJob.Status.DONE, job.failure_reason
    assert job.query == url.split("?", 1)[1]
    page = client.get(response.url).content.decode()
    assert "Ready to download" in page and f"/exports/{job.pk}/download/" in page
    assert "hx-trigger" not in page  # done: the page stops polling

    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert download["Cache-Control"] == "no-store" and "attachment" in download["Content-Disposition"]
    rows = _sheet(b"".join(download.streaming_content))
    header = [cell.value for cell in rows[0]]
    cells = [row[header.index(column)] for row in rows[1:]]
    # Every row the filters chose (the access log also holds the export's own entries, not "view").
    assert len(cells) == job.row_count == 5
    (planted,) = [c for c in cells if "1+1" in str(c.value)]
    assert planted.value == "'" + FORMULA and planted.data_type == "s"  # text, never a formula

    logged = AccessLog.objects.filter(user=user, action=AccessLog.Action.EXPORT).get()
    assert "background export" in logged.detail and "5 rows" in logged.detail and "(XLSX" in logged.detail


def test_below_the_threshold_and_for_a_csv_the_export_downloads_at_once(client, lead, settings):
    settings.EXPORT_BACKGROUND_FROM_ROWS = 5
    _cases(5)  # exactly the threshold: not above it
    client.force_login(lead)
    xlsx = client.get("/cases/export.xlsx?status=new")
    assert xlsx.status_code == 200 and xlsx.streaming
    settings.EXPORT_BACKGROUND_FROM_ROWS = 1
    csv = client.get("/cases/export.csv?status=new")  # a CSV streams at any size
    assert csv.status_code == 200 and csv.streaming
    assert not ExportJob.objects.exists()


def test_the_job_page_polls_while_the_export_is_being_written(client, lead, small_threshold):
    _cases(5)
    client.force_login(lead)
    # Broker message not yet taken: no on-commit callback runs here.
    response = client.get(LARGE["cases"][2])
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and job.progress_total == 5
    page = client.get(response.url).content.decode()
    assert f'hx-get="/exports/{job.pk}/"' in page and "Queued" in page
    assert "<script" not in page.split('id="export-status"')[1].split("</div>")[0]
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    # htmx swaps in the status alone, not a whole page.
    assert 'id="export-status"' in partial and "<html" not in partial and "0 of 5 rows" in partial
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404  # not written yet


def test_nobody_but_the_requester_sees_the_job_or_its_file(client, done_job, make_user):
    other_lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)  # the same rights over cases
    client.force_login(other_lead)
    assert client.get(f"/exports/{done_job.pk}/").status_code == 404
    assert client.get(f"/exports/{done_job.pk}/download/").status_code == 404
    assert "Case list" not in client.get("/exports/").content.decode()


def test_a_requester_who_lost_the_right_is_refused_at_download(client, done_job, lead):
    lead.groups.clear()  # no longer a Lead (nor anyone who works cases)
    client.force_login(lead)
    assert client.get(f"/exports/{done_job.pk}/download/").status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_a_requester_who_lost_the_right_before_the_worker_ran_gets_no_file(
    client, lead, small_threshold, django_capture_on_commit_callbacks
):
    _cases(5)
    client.force_login(lead)
    client.get(LARGE["cases"][2])  # queued; the worker has not run yet
    lead.groups.clear()
    job = export_job_write(job_id=ExportJob.objects.get().pk)
    assert job.status == ExportJob.Status.FAILED and job.failure_reason == NO_LONGER_ALLOWED
    assert not job.file


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_the_request_still_records_the_job_and_the_sweeper_queues_it(
    client, lead, small_threshold, caplog
):
    _cases(5)
    client.force_login(lead)
    response = client.get(LARGE["cases"][2])
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and "Could not queue compliance.tasks.export_job_write" in caplog.text
    # Nothing more happens until the beat sweeper sees the message never reached a worker; run in-process now.
    app.conf.task_always_eager = True
    assert stale_jobs_requeue() == 0  # not yet: it may still be waiting in the queue
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=small_threshold.JOB_LEASE_STALE_SECONDS + 1)):
        assert stale_jobs_requeue() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == 5 and job.attempts == 1


def test_a_stale_lease_is_requeued_by_the_sweeper_and_written_by_the_next_worker(
    lead, small_threshold, django_capture_on_commit_callbacks
):
    _cases(5)
    now = timezone.now()
    job = ExportJob.objects.create(
        requested_by=lead,
        export="cases",
        fmt="xlsx",
        query="status=new",
        description="Case list (5 cases)",
        filename="cases.xlsx",
        status=ExportJob.Status.RUNNING,
        attempts=1,
        leased_by="gone:42",
        leased_at=now,
        heartbeat_at=now,
        queued_at=now,
    )
    assert stale_jobs_requeue() == 0  # the lease still beats
    later = now + datetime.timedelta(seconds=small_threshold.JOB_LEASE_STALE_SECONDS + 5)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert stale_jobs_requeue() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2 and job.row_count == 5


def test_expired_files_are_deleted_and_the_job_marked_expired(client, done_job, lead, settings):
    storage, path = done_job.file.storage, done_job.file.name
    assert storage.exists(path)
    assert export_jobs_expire() == 0  # still within EXPORT_KEEP_HOURS
    later = timezone.now() + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS, minutes=1)
    with time_machine.travel(later):
        client.force_login(lead)  # the session of a day ago has ended
        # Past its retention it is no longer offered, even before the daily task has run.
        assert client.get(f"/exports/{done_job.pk}/download/").status_code == 404
        assert export_jobs_expire() == 1
    done_job.refresh_from_db()
    assert done_job.status == ExportJob.Status.EXPIRED and not done_job.file
    assert not storage.exists(path)
    assert "The file has been deleted" in client.get(f"/exports/{done_job.pk}/").content.decode()


def test_my_exports_lists_my_jobs_with_the_same_queries_for_1_and_50(client, lead, make_user):
    other = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    fields = {"export": "cases", "fmt": "xlsx", "filename": "cases.xlsx"}
    ExportJob.objects.create(requested_by=other, description="Someone else's cases", **fields)
    ExportJob.objects.create(requested_by=lead, description="My case list 0", **fields)
    client.force_login(lead)

    def shown():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("export_job_list")).content.decode()
        return page, len(queries)

    page, one = shown()
    assert "My case list 0" in page and "Someone else" not in page
    ExportJob.objects.bulk_create(
        ExportJob(requested_by=lead, description=f"My case list {n}", **fields) for n in range(1, 50)
    )
    page, fifty = shown()
    assert "My case list 49" in page
    # The page's own two (the COUNT for the paginator, the page of jobs) and the layout's, whatever the rows.
    assert fifty == one
