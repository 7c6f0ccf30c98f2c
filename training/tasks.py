"""Training and policy schedules: thin wrappers around services, safe to run twice."""

from celery import shared_task

from compliance import policy_services
from training import services


@shared_task(name="training.tasks.training_reminders")
def training_reminders() -> int:
    return services.training_reminders_send()


@shared_task(name="training.tasks.manager_digest")
def manager_digest() -> int:
    return services.training_manager_digest_send()


@shared_task(name="training.tasks.policy_review_due")
def policy_review_due() -> int:
    return policy_services.policy_review_reminders_send()


@shared_task(name="training.tasks.right_to_work_expiry")
def right_to_work_expiry() -> int:
    return services.right_to_work_reminders_send()
