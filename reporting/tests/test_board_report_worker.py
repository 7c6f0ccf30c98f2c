"""A Board report survives a worker killed mid-render: the lease goes stale, the sweeper re-queues it, a fresh worker finishes it."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reporting.models import BoardReport
from reporting.tasks import stale_jobs_requeue
from tests.workers import WorkerProcess, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_render_is_requeued_by_the_sweeper_and_a_fresh_worker_finishes(
    client, login, lead, organisation, real_broker, tmp_path
):
    login(lead)
    # Worker A renders slowly (a test-only setting it reads), so it can be killed mid-render.
    doomed = WorkerProcess(tmp_path, "doomed", BOARD_REPORT_RENDER_DELAY_SECONDS="120")
    fresh = None
    try:
        response = client.post(reverse("reporting:board_report_list"), {"financial_year": 2025})
        assert response.status_code == 302
        report = BoardReport.objects.get()
        rendering = wait_for(
            lambda: BoardReport.objects.filter(pk=report.pk, status=BoardReport.Status.RENDERING).first(),
            timeout=60,
            worker=doomed,
            what="worker A to start rendering",
        )
        assert rendering.leased_by and rendering.attempts == 1
        # The lease is alive: the heartbeat moves while worker A renders.
        first_beat = rendering.heartbeat_at
        wait_for(
            lambda: BoardReport.objects.get(pk=report.pk).heartbeat_at > first_beat,
            timeout=10,
            worker=doomed,
            what="a heartbeat",
        )
        # The sweeper leaves a live lease alone.
        assert stale_jobs_requeue() == 0

        doomed.kill()

        report.refresh_from_db()
        assert report.status == BoardReport.Status.RENDERING  # what the page showed for ever before leases
        # Long enough later for the lease to be stale, the beat sweeper re-queues the report.
        later = timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_STALE_SECONDS + 5)
        with time_machine.travel(later, tick=False):
            assert stale_jobs_requeue() == 1
        report.refresh_from_db()
        assert report.status == BoardReport.Status.RETRYING
        page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
        assert "Retrying after a failure" in page and "stopped before the PDF was produced" in page

        fresh = WorkerProcess(tmp_path, "fresh")
        done = wait_for(
            lambda: BoardReport.objects.filter(
                pk=report.pk, status__in=[BoardReport.Status.READY, BoardReport.Status.FAILED]
            ).first(),
            timeout=120,
            worker=fresh,
            what="the fresh worker to finish the report",
        )
    finally:
        doomed.stop()
        if fresh is not None:
            fresh.stop()
    assert done.status == BoardReport.Status.READY, done.failure_reason
    assert done.attempts == 2 and done.failure_reason == ""
    assert done.file.read(5) == b"%PDF-"
    page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
    assert "Download the PDF" in page


@pytest.mark.django_db
def test_a_report_whose_message_never_reached_the_broker_is_sent_again(
    lead, organisation, settings, django_capture_on_commit_callbacks
):
    from reporting.board_reports import board_report_request

    # The request committed but its message was lost (broker down): the on-commit hook never ran.
    report = board_report_request(actor=lead, financial_year=2025)
    assert stale_jobs_requeue() == 0  # not yet: it may still be waiting in the queue
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_STALE_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert stale_jobs_requeue() == 1
    report.refresh_from_db()
    assert report.status == BoardReport.Status.READY and report.attempts == 1


@pytest.mark.django_db
def test_a_worker_that_keeps_dying_ends_failed_with_the_reason(client, login, lead, organisation, settings):
    report = BoardReport.objects.create(
        financial_year=2025,
        requested_by=lead,
        status=BoardReport.Status.RENDERING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        leased_by="gone:42",
        leased_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_STALE_SECONDS + 1)):
        assert stale_jobs_requeue() == 0
    report.refresh_from_db()
    assert report.status == BoardReport.Status.FAILED
    assert "gone:42" in report.failure_reason and "Gave up after 3 attempts" in report.failure_reason
    login(lead)
    page = client.get(reverse("reporting:board_report_detail", args=[report.pk])).content.decode()
    assert "Failed: the report could not be produced" in page


@pytest.mark.django_db
def test_a_live_lease_is_not_taken_twice(lead, organisation):
    from reporting.board_reports import board_report_render

    report = BoardReport.objects.create(
        financial_year=2025,
        requested_by=lead,
        status=BoardReport.Status.RENDERING,
        attempts=1,
        leased_by="alive:1",
        leased_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    # A redelivered message while the first worker still beats: left alone.
    assert board_report_render(report_id=report.pk).status == BoardReport.Status.RENDERING
    # Once the lease is stale the redelivered message takes it over and renders.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        again = board_report_render(report_id=report.pk)
    assert again.status == BoardReport.Status.READY and again.attempts == 2
