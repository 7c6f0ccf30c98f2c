"""Reporting's Celery tasks: thin wrappers around services, safe to run twice."""

from celery import shared_task

from compliance.export_jobs import export_jobs_requeue_stale
from reporting import board_reports, kpi_figures, reminders, services
from suppliers.services.imports import supplier_imports_requeue_stale
from training.imports import import_batches_requeue_stale


@shared_task(name="reporting.tasks.board_report_render")
def board_report_render_task(report_id: int) -> str:
    report = board_reports.board_report_render(report_id=report_id)
    return report.status if report else "missing"


@shared_task(name="reporting.tasks.kpi_snapshot")
def kpi_snapshot() -> int:
    return services.kpi_snapshot_take().pk


@shared_task(name="reporting.tasks.kpi_figures_refresh")
def kpi_figures_refresh() -> int:
    return kpi_figures.kpi_figures_refresh()


@shared_task(name="reporting.tasks.statement_deadline_reminders")
def statement_deadline_reminders() -> int:
    return reminders.statement_deadline_remind()


@shared_task(name="reporting.tasks.risk_register_reviews_due")
def risk_register_reviews_due() -> int:
    return reminders.risk_reviews_remind()


@shared_task(name="reporting.tasks.stale_jobs_requeue")
def stale_jobs_requeue() -> int:
    # Reporting is the top layer, so this one beat task can see every app's leased jobs.
    return (
        board_reports.board_reports_requeue_stale()
        + supplier_imports_requeue_stale()
        + import_batches_requeue_stale()
        + export_jobs_requeue_stale()
    )
