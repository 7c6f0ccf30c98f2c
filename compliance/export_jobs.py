"""Large exports as background jobs: asked for on a page, written by a worker, downloaded from a link.

An XLSX can only be sent once its last row is written (compliance/exports.py),
and at 100,000 cases that takes longer than gunicorn waits. So above
EXPORT_BACKGROUND_FROM_ROWS rows the request only records an `ExportJob` (the
export's registered name, the page's filters, the format) and queues it; a
worker takes the job under a lease (compliance/leases.py), rebuilds the export
as the requester through compliance.export_registry (their right checked again),
writes it with the one export helper (formula escaping included), and stores the
file privately. Only the requester downloads it, their right checked once more,
and the download is access-logged as any export is. Files are deleted after
EXPORT_KEEP_HOURS.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from compliance import export_registry, exports, leases
from compliance.jobs import enqueue, enqueue_on_commit
from compliance.models import ExportJob, User

logger = logging.getLogger(__name__)

# Progress is published every this many rows (the heartbeat thread writes it out).
PROGRESS_EVERY = 1000
NO_LONGER_ALLOWED = "You no longer have access to this list, so the export was not written."


def export_is_large(export: export_registry.Export, *, fmt: str) -> bool:
    """True when this export should be written by a worker rather than in the request."""
    # A CSV streams from its first row, whatever its size; an XLSX is sent only once complete.
    if exports.export_format(fmt) != "xlsx" or export.count is None:
        return False
    return export.count() > settings.EXPORT_BACKGROUND_FROM_ROWS


def export_job_request(*, actor: User, name: str, fmt: str, query: str, export: export_registry.Export) -> ExportJob:
    """Record a background export of `name` with the page's filters and queue it after the commit."""
    from compliance.tasks import export_job_write_task

    fmt = exports.export_format(fmt)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            export=name,
            fmt=fmt,
            query=query,
            description=export.detail[:255],
            filename=f"{export.filename}.{fmt}",
            progress_total=export.count() if export.count else 0,
            queued_at=timezone.now(),
        )
        # A broker outage only delays it: the row is the truth and the sweeper sends it again.
        enqueue_on_commit(export_job_write_task, job.pk)
    return job


def export_job_build(job: ExportJob) -> export_registry.Export:
    """The job's export rebuilt as its requester, with their right checked now."""
    return export_registry.export_build(job.export, user=job.requested_by, params=job.query)


def _counted(rows, heartbeat: leases.Heartbeat, counter: list[int]):
    # Read in chunks as the synchronous download does; a queryset is never cached whole.
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=exports.CHUNK_SIZE)
    for row in rows:
        counter[0] += 1
        if counter[0] % PROGRESS_EVERY == 0:
            heartbeat.progress(counter[0])
        yield row


def _write(job: ExportJob, export: export_registry.Export, handle, heartbeat: leases.Heartbeat) -> int:
    counter = [0]
    rows = _counted(export.rows, heartbeat, counter)
    if job.fmt == ExportJob.Format.XLSX:
        exports.xlsx_write(handle, header=export.header, rows=rows, sheet_title=export.sheet_title)
    else:
        for block in exports.csv_blocks(export.header, rows):
            handle.write(block)
    return counter[0]


def export_job_write(*, job_id: int) -> ExportJob | None:
    """Write one queued export to a stored file under a lease; a failure is recorded with its reason."""
    # Safe to run twice: a job done, failed or held by a live worker is left alone;
    # one whose worker died (stale lease) is taken over and written again from the start.
    job = leases.lease_acquire(ExportJob, job_id, waiting=(ExportJob.Status.QUEUED,), running=ExportJob.Status.RUNNING)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    with leases.Heartbeat(job, running=ExportJob.Status.RUNNING) as heartbeat:
        try:
            export = export_job_build(job)
            if export.count is not None:
                heartbeat.progress(0, export.count())
            # On disk, not in memory; unlinked at creation so a killed worker leaves nothing behind.
            with tempfile.TemporaryFile() as handle:
                row_count = _write(job, export, handle, heartbeat)
                handle.seek(0)
                job.file.save(job.filename, File(handle), save=False)
            job.row_count = row_count
            job.size_bytes = job.file.size
            job.progress_done = job.progress_total = row_count
            job.status = ExportJob.Status.DONE
            job.failure_reason = ""
            job.expires_at = timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS)
        except (Http404, PermissionDenied):
            job.status = ExportJob.Status.FAILED
            job.failure_reason = NO_LONGER_ALLOWED
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page, not vanish in a log
            logger.exception("Export %s failed", job.pk)
            job.status = ExportJob.Status.FAILED
            job.failure_reason = f"{type(exc).__name__}: {exc}"[:500]
    job.finished_at = timezone.now()
    job.leased_by = ""
    job.save(
        update_fields=[
            "file",
            "size_bytes",
            "row_count",
            "progress_done",
            "progress_total",
            "status",
            "failure_reason",
            "expires_at",
            "finished_at",
            "leased_by",
        ]
    )
    return job


def _export_job_fail(job: ExportJob, reason: str) -> None:
    job.status = ExportJob.Status.FAILED
    job.failure_reason = reason[:500]
    job.finished_at = timezone.now()
    job.leased_by = ""
    job.save(update_fields=["status", "failure_reason", "finished_at", "leased_by"])


def export_jobs_requeue_stale() -> int:
    """Queue again each export whose worker died mid-way or whose message never reached a worker."""
    from compliance.tasks import export_job_write_task

    return leases.requeue_due(
        ExportJob.objects.all(),
        waiting=(ExportJob.Status.QUEUED,),
        running=ExportJob.Status.RUNNING,
        requeued_status=lambda job: ExportJob.Status.QUEUED,
        fail=_export_job_fail,
        enqueue=lambda job: enqueue(export_job_write_task, job.pk),
    )


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of exports past their retention and mark the jobs expired."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file:
            # The storage first: a row marked expired with its file still there would be kept for ever.
            job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        count += 1
    return count


def export_job_download(*, job: ExportJob) -> export_registry.Export:
    """Check, as the job's requester, that they may still take this list away (Http404/PermissionDenied if not)."""
    return export_job_build(job)
