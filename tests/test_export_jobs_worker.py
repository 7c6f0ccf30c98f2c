"""A large case XLSX goes through a real worker: the request only queues it, the worker writes and stores it."""

import io
import time

import pytest
from openpyxl import load_workbook

from compliance.models import AccessLog, ExportJob
from safeguarding.tests.factories import ConcernFactory
from tests.workers import WorkerProcess, wait_for

ROWS = 300
REQUEST_BUDGET_SECONDS = 2.0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_case_xlsx_is_written_by_a_worker_and_downloaded_from_its_page(
    client, lead, settings, real_broker, tmp_path
):
    settings.EXPORT_BACKGROUND_FROM_ROWS = 100
    references = {c.reference for c in ConcernFactory.create_batch(ROWS, location_text="=1+1", site=None)}
    client.force_login(lead)
    worker = WorkerProcess(tmp_path, "exports")
    try:
        started = time.perf_counter()
        response = client.get("/cases/export.xlsx")
        assert time.perf_counter() - started < REQUEST_BUDGET_SECONDS
        assert response.status_code == 302
        job = ExportJob.objects.get()
        assert response.url == f"/exports/{job.pk}/"
        done = wait_for(
            lambda: ExportJob.objects.filter(
                pk=job.pk, status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED]
            ).first(),
            timeout=120,
            worker=worker,
            what="the worker to write the export",
        )
    finally:
        worker.stop()
    assert done.status == ExportJob.Status.DONE, done.failure_reason
    assert done.attempts == 1 and done.row_count == ROWS and done.progress_done == ROWS
    assert "Download cases-" in client.get(response.url).content.decode()
    download = client.get(f"/exports/{job.pk}/download/")
    (sheet,) = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == references
    assert {row[rows[0].index("Site")] for row in rows[1:]} == {"'=1+1"}
    assert AccessLog.objects.filter(user=lead, action="export", detail__contains="background export").count() == 1
