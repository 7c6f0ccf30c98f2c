"""Core Celery tasks: thin wrappers around services, safe to run twice."""

from celery import shared_task

from compliance import export_jobs, outbox, services


@shared_task(name="compliance.tasks.outbox_deliver")
def outbox_deliver(message_ids: list[int]) -> int:
    """Queued after the commit that wrote the messages; the sweeper covers it if this never runs."""
    return outbox.outbox_deliver(message_ids=message_ids)


@shared_task(name="compliance.tasks.outbox_sweep")
def outbox_sweep() -> dict[str, int]:
    """Every minute: deliver every outbox message that is due."""
    return outbox.outbox_deliver_due()


@shared_task(name="compliance.tasks.notifications_purge_read")
def notifications_purge_read() -> int:
    return services.notifications_purge_read()


@shared_task(name="compliance.tasks.access_log_retention")
def access_log_retention() -> int:
    """Daily: delete access-log rows past ACCESS_LOG_RETENTION_MONTHS."""
    return services.access_log_purge()


@shared_task(name="compliance.tasks.export_job_write")
def export_job_write_task(job_id: int) -> str:
    """Queued after the commit that recorded the export; the stale-jobs sweeper re-sends a lost one."""
    job = export_jobs.export_job_write(job_id=job_id)
    return job.status if job else "missing"


@shared_task(name="compliance.tasks.export_jobs_expire")
def export_jobs_expire() -> int:
    """Daily: delete background exports past EXPORT_KEEP_HOURS."""
    return export_jobs.export_jobs_expire()


@shared_task(name="compliance.tasks.ping")
def ping() -> str:
    """Used by the health check and the CI worker test: proves a worker ran it."""
    return "pong"
