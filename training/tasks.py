"""Training and policy schedules: thin wrappers around services, safe to run twice."""

from celery import shared_task

from training import policy_services, services


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


@shared_task(name="training.tasks.import_batch_check")
def import_batch_check_task(batch_id: int) -> str:
    from training.imports import import_batch_check

    batch = import_batch_check(batch_id=batch_id)
    return batch.status if batch else "missing"


@shared_task(name="training.tasks.import_batch_apply")
def import_batch_apply_task(batch_id: int) -> str:
    from training.imports import import_batch_apply

    batch = import_batch_apply(batch_id=batch_id)
    return batch.status if batch else "missing"
