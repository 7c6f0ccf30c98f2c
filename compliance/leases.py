"""Leases for long background jobs (Board report render, imports): who runs a job, since when, still alive?

A job row is the source of truth, not the broker message. A worker takes the
job by writing a lease on the row (``leased_by``, ``leased_at``) and keeps it
alive with a heartbeat from a side thread while it works. If the worker dies
(SIGKILL, OOM, a lost machine) the heartbeat stops; the beat sweeper sees the
stale lease a minute or two later and queues the job again, and the next worker
takes the lease over. A message redelivered by the broker finds the lease held
(fresh) or taken over (stale), so running a job twice never renders twice.

The same sweeper re-sends jobs whose first ``.delay()`` never reached the broker
(``compliance.jobs.enqueue_on_commit`` logs and swallows that error).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class LeasedJob(models.Model):
    """Fields every leased job row carries: its lease, its heartbeat, its attempts and its progress."""

    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has started it.")
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent to the broker.")
    leased_by = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker holding it.")
    leased_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


def worker_name() -> str:
    """Who holds a lease: enough to find the process in the logs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_STALE_SECONDS)


def lease_is_stale(job: LeasedJob, *, now=None) -> bool:
    """True when the holder has not shown a sign of life within the stale window."""
    beat = job.heartbeat_at or job.leased_at
    return beat is None or beat < (now or timezone.now()) - stale_after()


def lease_acquire(
    model: type[LeasedJob], pk: int, *, waiting: Iterable[str], running: str, on_start: Callable | None = None
):
    """Take the job if it waits (or its holder is dead) and mark it running; None if someone else has it.

    Commits at once, so the lease is visible to the sweeper and to the page while
    the work itself runs in its own (possibly long) transaction.
    """
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None:
            return None
        taking_over = job.status == running and lease_is_stale(job, now=now)
        if job.status not in set(waiting) and not taking_over:
            return None
        if taking_over:
            logger.warning("%s %s: taking over the stale lease of %s", model.__name__, pk, job.leased_by)
        job.status = running
        job.attempts += 1
        job.leased_by = worker_name()
        job.leased_at = job.heartbeat_at = now
        fields = ["status", "attempts", "leased_by", "leased_at", "heartbeat_at"]
        if on_start:
            fields += on_start(job)
        job.save(update_fields=fields)
    return job


class Heartbeat:
    """Keep a lease alive from a side thread and publish progress outside the job's own transaction.

    The work may hold one long transaction (an all-or-nothing import); progress
    written inside it would be invisible until the end, so the thread writes it
    on its own database connection. It touches the row only while this worker
    still holds the lease in the running state.
    """

    def __init__(self, job: LeasedJob, *, running: str):
        self.model = type(job)
        self.pk = job.pk
        self.owner = job.leased_by
        self.running = running
        self.done = job.progress_done
        self.total = job.progress_total
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def progress(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total

    def beat(self) -> int:
        """Write the heartbeat and progress now; 0 means the lease is no longer ours."""
        return self.model.objects.filter(pk=self.pk, leased_by=self.owner, status=self.running).update(
            heartbeat_at=timezone.now(), progress_done=self.done, progress_total=self.total
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # noqa: BLE001 - a missed beat is retried; the job must not die of it
                    logger.exception("Heartbeat for %s %s failed", self.model.__name__, self.pk)
                    close_old_connections()
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        # Run in-process (quick start, most tests) the request is the worker: nothing to keep alive,
        # and SQLite would refuse a second writer during the job's transaction.
        from celery import current_task

        in_worker = bool(current_task) and not current_task.request.is_eager
        if in_worker and settings.JOB_HEARTBEAT_SECONDS > 0:
            self._thread = threading.Thread(target=self._run, name=f"heartbeat-{self.pk}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def requeue_due(
    queryset: models.QuerySet,
    *,
    waiting: Iterable[str],
    running: str,
    requeued_status: Callable[[LeasedJob], str],
    fail: Callable[[LeasedJob, str], None],
    enqueue: Callable[[LeasedJob], bool],
) -> int:
    """Queue again every job whose worker died (stale lease) or whose message never reached a worker.

    A job that has already been started ``JOB_MAX_ATTEMPTS`` times is failed with
    its reason instead, so a file that kills the worker cannot loop for ever.
    """
    now = timezone.now()
    cutoff = now - stale_after()
    stale_running = models.Q(status=running) & (
        models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True, leased_at__lt=cutoff)
    )
    # Waiting longer than a lease lasts: the first message was lost (broker down) or dropped.
    lost_message = models.Q(status__in=list(waiting)) & (models.Q(queued_at__lt=cutoff) | models.Q(queued_at=None))
    count = 0
    for pk in queryset.filter(stale_running | lost_message).values_list("pk", flat=True):
        with transaction.atomic():
            job = queryset.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None:
                continue
            if job.status == running:
                if not lease_is_stale(job, now=now):
                    continue  # it beat while we looked
                reason = f"The worker {job.leased_by or '(unknown)'} stopped during attempt {job.attempts}."
                if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                    fail(job, f"{reason} Gave up after {job.attempts} attempts; see the worker logs.")
                    continue
                logger.warning("%s %s: %s Queued again.", type(job).__name__, pk, reason)
                job.status = requeued_status(job)
                job.leased_by = ""
            elif job.queued_at is not None and job.queued_at >= cutoff:
                continue
            job.queued_at = now
            job.save(update_fields=["status", "leased_by", "queued_at"])
            transaction.on_commit(lambda job=job: enqueue(job))
            count += 1
    return count


# --- Imports: upload -> check (task) -> confirm -> apply (task) ------------------------


class ImportStatus(models.TextChoices):
    # Uploaded, but a required column was not recognised or a column is left over: a person maps them first.
    MAPPING = "mapping", "Waiting for the column mapping"
    CHECK_QUEUED = "check_queued", "Queued for checking"
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked (dry run)"
    APPLY_QUEUED = "apply_queued", "Queued to import"
    APPLYING = "applying", "Importing"
    APPLIED = "applied", "Imported"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned"


IMPORT_WORKING = (
    ImportStatus.CHECK_QUEUED,
    ImportStatus.CHECKING,
    ImportStatus.APPLY_QUEUED,
    ImportStatus.APPLYING,
)


class ImportJob(LeasedJob):
    """An uploaded file kept (in the database) from upload until it is applied or abandoned."""

    Status = ImportStatus  # templates compare `job.status == job.Status.FAILED`, never a string

    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECK_QUEUED)
    errors = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    # How the file's columns are read (compliance.import_mappings.column_map): the header line and a field per column.
    column_map = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_working(self) -> bool:
        """Queued or running: the page polls until this is False."""
        return self.status in IMPORT_WORKING

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.CHECKED and not self.errors and self.row_count > 0

    @property
    def can_map(self) -> bool:
        """The columns can be (re)mapped: before the check, or after it while nothing is applied."""
        return self.status in (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED)

    @property
    def can_abandon(self) -> bool:
        return self.status in (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED)

    @property
    def state_label(self) -> str:
        """The honest state for the page, including a retry after a dead worker."""
        label = self.get_status_display()
        if self.status in (ImportStatus.CHECK_QUEUED, ImportStatus.APPLY_QUEUED) and self.attempts:
            label += " (retrying after a failure)"
        return label


class ImportRejected(Exception):
    """The file no longer passes the check at apply time; nothing was written."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def import_job_run_check(model: type[ImportJob], pk: int, *, check: Callable) -> ImportJob | None:
    """Run the dry run of an import under a lease; ``check(job, heartbeat)`` returns (errors, row_count, summary)."""
    S = ImportStatus
    job = lease_acquire(model, pk, waiting=(S.CHECK_QUEUED,), running=S.CHECKING)
    if job is None:
        return model.objects.filter(pk=pk).first()
    with Heartbeat(job, running=S.CHECKING) as heartbeat:
        try:
            errors, row_count, summary = check(job, heartbeat)
        except Exception as exc:  # noqa: BLE001 - the page must say why, not stay "checking"
            logger.exception("%s %s: check failed", model.__name__, pk)
            return _import_job_fail(job, f"{type(exc).__name__}: {exc}")
    job.status = S.CHECKED
    job.errors, job.row_count, job.summary = errors, row_count, summary
    job.progress_done = job.progress_total = row_count
    job.checked_at = timezone.now()
    job.leased_by = ""
    job.save(
        update_fields=[
            "status",
            "errors",
            "row_count",
            "summary",
            "progress_done",
            "progress_total",
            "checked_at",
            "leased_by",
        ]
    )
    return job


def import_job_run_apply(model: type[ImportJob], pk: int, *, apply: Callable) -> ImportJob | None:
    """Apply a confirmed import under a lease, all or nothing; ``apply(job, heartbeat)`` returns a summary."""
    S = ImportStatus
    job = lease_acquire(model, pk, waiting=(S.APPLY_QUEUED,), running=S.APPLYING)
    if job is None:
        return model.objects.filter(pk=pk).first()
    with Heartbeat(job, running=S.APPLYING) as heartbeat:
        try:
            with transaction.atomic():
                result = apply(job, heartbeat)
                job.status = S.APPLIED
                job.summary = {**job.summary, **result}
                job.applied_at = timezone.now()
                job.progress_done = job.progress_total
                job.leased_by = ""
                job.save(update_fields=["status", "summary", "applied_at", "progress_done", "leased_by"])
        except ImportRejected as exc:
            # People, courses or suppliers changed since the dry run: show the new problems, write nothing.
            job.status = S.CHECKED
            job.errors = exc.errors
            job.leased_by = ""
            job.save(update_fields=["status", "errors", "leased_by"])
        except Exception as exc:  # noqa: BLE001 - the page must say why, not stay "importing"
            logger.exception("%s %s: apply failed", model.__name__, pk)
            return _import_job_fail(job, f"{type(exc).__name__}: {exc}")
    return job


def _import_job_fail(job: ImportJob, reason: str) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.failure_reason = reason[:500]
    job.leased_by = ""
    job.save(update_fields=["status", "failure_reason", "leased_by"])
    return job


def import_job_queue(job: ImportJob, *, task) -> None:
    """Queue the next phase of a job after the commit (the sweeper re-sends it if the broker is down)."""
    from compliance.jobs import enqueue_on_commit

    job.queued_at = timezone.now()
    type(job).objects.filter(pk=job.pk).update(queued_at=job.queued_at)
    enqueue_on_commit(task, job.pk)


def import_job_confirm(job: ImportJob, *, actor, task) -> None:
    """Start the apply phase of a checked job (the caller holds the row lock and has checked it)."""
    job.status = ImportStatus.APPLY_QUEUED
    job.confirmed_by = actor
    job.progress_done, job.progress_total = 0, job.row_count
    # A new phase: its attempts (and any "retrying" label) start again.
    job.attempts = 0
    job.save()
    import_job_queue(job, task=task)


def import_jobs_requeue_stale(model: type[ImportJob], *, check_task, apply_task) -> int:
    """Queue again the checks and applies whose worker died or whose message was lost.

    Also abandons files checked (or failed) but left unconfirmed for IMPORT_KEEP_DAYS,
    deleting their content: a roster is personal data and is not kept for ever.
    """
    from compliance.jobs import enqueue

    S = ImportStatus
    empty = b"" if isinstance(model._meta.get_field("content"), models.BinaryField) else ""
    model.objects.filter(
        status__in=[S.MAPPING, S.CHECKED, S.FAILED],
        uploaded_at__lt=timezone.now() - timedelta(days=settings.IMPORT_KEEP_DAYS),
    ).update(status=S.ABANDONED, content=empty)
    count = 0
    for waiting, running, task in (
        (S.CHECK_QUEUED, S.CHECKING, check_task),
        (S.APPLY_QUEUED, S.APPLYING, apply_task),
    ):
        count += requeue_due(
            model.objects.all(),
            waiting=(waiting,),
            running=running,
            requeued_status=lambda job, waiting=waiting: waiting,
            fail=_import_job_fail,
            enqueue=lambda job, task=task: enqueue(task, job.pk),
        )
    return count
