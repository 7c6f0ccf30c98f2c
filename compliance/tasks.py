"""Core Celery tasks: thin wrappers around services, safe to run twice."""

from celery import shared_task

from compliance import services


@shared_task(name="compliance.tasks.notification_emails_send")
def notification_emails_send(notification_ids: list[int]) -> int:
    return services.notification_emails_deliver(notification_ids=notification_ids)


@shared_task(name="compliance.tasks.notifications_purge_read")
def notifications_purge_read() -> int:
    return services.notifications_purge_read()


@shared_task(name="compliance.tasks.ping")
def ping() -> str:
    """Used by the health check and the CI worker test: proves a worker ran it."""
    return "pong"
