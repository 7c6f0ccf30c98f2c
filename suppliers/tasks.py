"""Scheduled supplier work: thin wrappers around the services (each idempotent)."""

from celery import shared_task


@shared_task(name="suppliers.tasks.supplier_risk_review_due")
def supplier_risk_review_due():
    from suppliers.services import supplier_risk_reviews_run

    return supplier_risk_reviews_run()


@shared_task(name="suppliers.tasks.corrective_action_escalation")
def corrective_action_escalation():
    from suppliers.services_audit import corrective_actions_escalate

    return corrective_actions_escalate()


@shared_task(name="suppliers.tasks.questionnaire_chasers")
def questionnaire_chasers():
    from suppliers.services_questionnaire import questionnaire_chasers_run

    return questionnaire_chasers_run()
