"""Scheduled supplier work: thin wrappers around the services (each idempotent)."""

from celery import shared_task


@shared_task(name="suppliers.tasks.supplier_risk_review_due")
def supplier_risk_review_due():
    from suppliers.services.register import supplier_risk_reviews_run

    return supplier_risk_reviews_run()


@shared_task(name="suppliers.tasks.corrective_action_escalation")
def corrective_action_escalation():
    from suppliers.services.audit import corrective_actions_escalate

    return corrective_actions_escalate()


@shared_task(name="suppliers.tasks.questionnaire_chasers")
def questionnaire_chasers():
    from suppliers.services.questionnaire import questionnaire_chasers_run

    return questionnaire_chasers_run()


@shared_task(name="suppliers.tasks.lsas_expiry_reminders")
def lsas_expiry_reminders():
    from suppliers.services.procurement import lsas_expiry_reminders_run

    return lsas_expiry_reminders_run()


@shared_task(name="suppliers.tasks.registry_check_reminders")
def registry_check_reminders():
    from suppliers.services.procurement import registry_check_reminders_run

    return registry_check_reminders_run()


@shared_task(name="suppliers.tasks.agency_checks_due")
def agency_checks_due():
    from suppliers.services.register import agency_checks_run

    return agency_checks_run()


@shared_task(name="suppliers.tasks.supplier_import_check")
def supplier_import_check_task(job_id: int) -> str:
    from suppliers.services.imports import supplier_import_check

    job = supplier_import_check(job_id=job_id)
    return job.status if job else "missing"


@shared_task(name="suppliers.tasks.supplier_import_apply")
def supplier_import_apply_task(job_id: int) -> str:
    from suppliers.services.imports import supplier_import_apply

    job = supplier_import_apply(job_id=job_id)
    return job.status if job else "missing"


@shared_task(name="suppliers.tasks.certificate_expiry")
def certificate_expiry():
    from suppliers.services.portal import certificate_expiry_run

    return certificate_expiry_run()
