"""Core Celery tasks: thin wrappers around services, safe to run twice."""

from celery import shared_task

from compliance import outbox, services


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


@shared_task(name="compliance.tasks.ping")
def ping() -> str:
    """Used by the health check and the CI worker test: proves a worker ran it."""
    return "pong"
