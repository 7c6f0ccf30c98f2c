"""The annual Board report (policy 8.2): requested on a page, rendered by a Celery task, stored, downloaded.

Its content is aggregate only: KPI figures, the risk register, governance
actions and the plan. No reporter, no case narrative, no person involved in a
case ever reaches the template.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from compliance.jobs import enqueue_on_commit
from compliance.models import User
from compliance.services import organisation_get
from reporting import charts, kpis, periods
from reporting import rules as rr
from reporting.models import ActionPlanItem, BoardReport, GovernanceMeeting, KpiSnapshot, RiskRegisterEntry, Statement
from reporting.pdf import render_pdf

logger = logging.getLogger(__name__)

B = BoardReport.Status


def default_year() -> int:
    """The last complete financial year: the one the Board report is usually about."""
    organisation = organisation_get()
    return periods.financial_year_containing(organisation, timezone.localdate()) - 1


def board_report_request(*, actor: User, financial_year: int) -> BoardReport:
    """Queue the Board report for a financial year; the worker renders it after the commit."""
    if not rr.can_request_board_report.test(actor):
        raise PermissionDenied("Your role cannot request a Board report.")
    with transaction.atomic():
        report = BoardReport.objects.create(financial_year=financial_year, requested_by=actor)
        from reporting.tasks import board_report_render_task

        enqueue_on_commit(board_report_render_task, report.pk)
    return report


def board_report_context(*, financial_year: int) -> dict:
    """Everything the Board report shows, in aggregate."""
    organisation = organisation_get()
    period = periods.financial_year(organisation, financial_year)
    previous = period.previous()
    figures, previous_figures = kpis.compute_many([period, previous])
    snapshots = KpiSnapshot.objects.filter(period_start__gte=period.start, period_end__lte=period.end).order_by(
        "period_start"
    )
    history = [(f"{s.period_start:%b %Y}", s.figures) for s in snapshots]
    risks = sorted(
        RiskRegisterEntry.objects.filter(status=RiskRegisterEntry.Status.OPEN).select_related("owner"),
        key=lambda e: (-e.score, e.title),
    )[:10]
    return {
        "organisation": organisation,
        "period": period,
        "previous": previous,
        "figures": figures,
        "rows": kpis.trend(figures, previous_figures),
        "charts": charts.kpi_charts(figures, history),
        "risks": risks,
        "meetings": list(
            GovernanceMeeting.objects.filter(held_on__range=(period.start, period.end)).order_by("held_on")
        ),
        "actions_done": list(
            ActionPlanItem.objects.filter(
                status=ActionPlanItem.Status.DONE, completed_on__range=(period.start, period.end)
            ).select_related("owner")
        ),
        "plan": list(
            ActionPlanItem.objects.filter(financial_year=financial_year + 1)
            .exclude(status=ActionPlanItem.Status.CANCELLED)
            .select_related("owner")
            .order_by("due_on")
        ),
        "statement": Statement.objects.filter(financial_year=financial_year).order_by("-version").first(),
        "generated_at": timezone.now(),
    }


def board_report_render(*, report_id: int) -> BoardReport | None:
    """Render one queued report to PDF; a failure is recorded with its reason, never lost."""
    with transaction.atomic():
        report = BoardReport.objects.select_for_update().filter(pk=report_id).first()
        # Safe to run twice: a report already rendered (or being rendered) is left alone.
        if report is None or report.status in (B.READY, B.RENDERING):
            return report
        report.status = B.RENDERING
        report.started_at = timezone.now()
        report.failure_reason = ""
        report.save(update_fields=["status", "started_at", "failure_reason"])
    try:
        pdf = render_pdf("reporting/pdf/board_report.html", board_report_context(financial_year=report.financial_year))
        report.file.save(f"board-report-{report.financial_year}-{report.pk}.pdf", ContentFile(pdf), save=False)
        report.size_bytes = len(pdf)
        report.status = B.READY
    except Exception as exc:  # noqa: BLE001 - any failure must reach the page, not vanish in a log
        logger.exception("Board report %s failed", report.pk)
        report.status = B.FAILED
        report.failure_reason = f"{type(exc).__name__}: {exc}"[:500]
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "size_bytes", "status", "failure_reason", "finished_at"])
    return report
