"""Celery tasks for safeguarding: thin wrappers around services, safe to rerun."""

from celery import shared_task

from safeguarding import services


@shared_task(name="safeguarding.tasks.case_sla_escalation")
def case_sla_escalation() -> int:
    return services.case_sla_escalate()


@shared_task(name="safeguarding.tasks.case_retention")
def case_retention() -> dict[str, int]:
    """Daily: warn the Lead a month ahead, then remove expired closed cases' content (idempotent)."""
    return services.case_retention_run()


@shared_task(name="safeguarding.tasks.reporter_care_reminders")
def reporter_care_reminders() -> int:
    return services.reporter_care_remind()


@shared_task(name="safeguarding.tasks.referral_outcome_chase")
def referral_outcome_chase() -> int:
    return services.referral_outcome_chase()


@shared_task(name="safeguarding.tasks.cqc_notification_reminders")
def cqc_notification_reminders() -> int:
    return services.cqc_notification_remind()
