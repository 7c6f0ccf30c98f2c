"""Celery tasks for safeguarding: thin wrappers around services, safe to rerun."""

from celery import shared_task

from safeguarding import services


@shared_task(name="safeguarding.tasks.case_sla_escalation")
def case_sla_escalation() -> int:
    return services.case_sla_escalate()
