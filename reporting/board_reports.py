"""The annual Board report (policy 8.2): requested on a page, rendered by a Celery task, stored, downloaded.

Its content is aggregate only: KPI figures, the risk register, governance
actions and the plan. No reporter, no case narrative, no person involved in a
case ever reaches the template.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from compliance import leases
from compliance.jobs import enqueue, enqueue_on_commit
from compliance.models import User
from compliance.services import organisation_get
from reporting import charts, kpis, periods
from reporting import rules as reporting_rules
from reporting.models import ActionPlanItem, BoardReport, GovernanceMeeting, KpiSnapshot, RiskRegisterEntry, Statement
from reporting.pdf import render_pdf

logger = logging.getLogger(__name__)


def default_year() -> int:
    """The last complete financial year: the one the Board report is usually about."""
    organisation = organisation_get()
    return periods.financial_year_containing(organisation, timezone.localdate()) - 1


def board_report_request(*, actor: User, financial_year: int) -> BoardReport:
    """Queue the Board report for a financial year; the worker renders it after the commit."""
    if not reporting_rules.can_request_board_report.test(actor):
        raise PermissionDenied("Your role cannot request a Board report.")
    with transaction.atomic():
        report = BoardReport.objects.create(financial_year=financial_year, requested_by=actor, queued_at=timezone.now())
        from reporting.tasks import board_report_render_task

        enqueue_on_commit(board_report_render_task, report.pk)
    return report


def registry_status(statement: Statement | None) -> str:
    """The statement's GOV.UK registry line for the Board report.

    From the submission date the statement workflow records; otherwise whether
    the statement is published. Submission to the registry is voluntary, "strongly
    encouraged" by the Home Office rather than required by s.54 (ICAEW, "Central
    registry for modern slavery statements",
    https://icaew.com/technical/sustainability/modern-slavery/central-registry-for-modern-slavery-statements;
    Home Office registry update, 26 April 2024: statements "submitted to the
    registry on a voluntary basis"), so the line says "not submitted", not "late".
    """
    if statement is None:
        return "No statement has been started for this financial year."
    submitted_on = statement.registry_submitted_on
    if submitted_on:
        return f"Submitted to the GOV.UK modern slavery statement registry on {submitted_on.day} {submitted_on:%B %Y}."
    if statement.status == Statement.Status.PUBLISHED:
        return "Published; not yet submitted to the GOV.UK modern slavery statement registry."
    return f"Not published (status: {statement.get_status_display().lower()}); not submitted to the registry."


def board_report_context(*, financial_year: int) -> dict:
    """Everything the Board report shows, in aggregate, as at the period end (or today, "to date")."""
    organisation = organisation_get()
    today = timezone.localdate()
    comparison = kpis.period_comparison(periods.financial_year(organisation, financial_year), today)
    period = comparison["period"]
    day = kpis.as_of(period, today)
    snapshots = KpiSnapshot.objects.filter(period_start__gte=period.start, period_end__lte=period.end).order_by(
        "period_start"
    )
    history = [(f"{s.period_start:%b %Y}", s.figures) for s in snapshots]
    # Key risks as at the same date as the figures, not today's register.
    risks = sorted(
        RiskRegisterEntry.objects.open_on(day).select_related("owner"),
        key=lambda e: (-e.score, e.title),
    )[:10]
    statement = Statement.objects.filter(financial_year=financial_year).order_by("-version").first()
    return {
        **comparison,
        "organisation": organisation,
        "as_of": day,
        "charts": charts.kpi_charts(comparison["figures"], history),
        "risks": risks,
        "meetings": list(GovernanceMeeting.objects.filter(held_on__range=(period.start, day)).order_by("held_on")),
        "actions_done": list(
            ActionPlanItem.objects.filter(
                status=ActionPlanItem.Status.DONE, completed_on__range=(period.start, day)
            ).select_related("owner")
        ),
        "plan": list(
            ActionPlanItem.objects.filter(financial_year=financial_year + 1)
            .exclude(status=ActionPlanItem.Status.CANCELLED)
            .select_related("owner")
            .order_by("due_on")
        ),
        "statement": statement,
        "registry_status": registry_status(statement),
        "generated_at": timezone.now(),
    }


def _render_started(report: BoardReport) -> list[str]:
    report.started_at = timezone.now()
    return ["started_at"]


def _slow_down_for_tests() -> None:
    # BOARD_REPORT_RENDER_DELAY_SECONDS is 0 outside the worker-death test, which needs
    # a render slow enough to kill mid-way; the lease keeps beating meanwhile.
    delay = settings.BOARD_REPORT_RENDER_DELAY_SECONDS
    if delay > 0:
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            time.sleep(0.1)


def board_report_render(*, report_id: int) -> BoardReport | None:
    """Render one queued report to PDF under a lease; a failure is recorded with its reason, never lost."""
    # Safe to run twice: a report ready, failed, or rendered by a live worker is left alone;
    # one whose worker died (stale lease) is taken over.
    report = leases.lease_acquire(
        BoardReport,
        report_id,
        waiting=(BoardReport.Status.QUEUED, BoardReport.Status.RETRYING),
        running=BoardReport.Status.RENDERING,
        on_start=_render_started,
    )
    if report is None:
        return BoardReport.objects.filter(pk=report_id).first()
    with leases.Heartbeat(report, running=BoardReport.Status.RENDERING):
        try:
            _slow_down_for_tests()
            pdf = render_pdf(
                "reporting/pdf/board_report.html", board_report_context(financial_year=report.financial_year)
            )
            report.file.save(f"board-report-{report.financial_year}-{report.pk}.pdf", ContentFile(pdf), save=False)
            report.size_bytes = len(pdf)
            report.status = BoardReport.Status.READY
            report.failure_reason = ""
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page, not vanish in a log
            logger.exception("Board report %s failed", report.pk)
            report.status = BoardReport.Status.FAILED
            report.failure_reason = f"{type(exc).__name__}: {exc}"[:500]
    report.finished_at = timezone.now()
    report.leased_by = ""
    report.save(update_fields=["file", "size_bytes", "status", "failure_reason", "finished_at", "leased_by"])
    return report


def _board_report_fail(report: BoardReport, reason: str) -> None:
    report.status = BoardReport.Status.FAILED
    report.failure_reason = reason[:500]
    report.finished_at = timezone.now()
    report.leased_by = ""
    report.save(update_fields=["status", "failure_reason", "finished_at", "leased_by"])


def board_reports_requeue_stale() -> int:
    """Queue again each report whose worker died mid-render or whose message never reached a worker."""
    from reporting.tasks import board_report_render_task

    def _requeued(report: BoardReport) -> str:
        report.failure_reason = f"Attempt {report.attempts} stopped before the PDF was produced."
        report.save(update_fields=["failure_reason"])
        return BoardReport.Status.RETRYING

    return leases.requeue_due(
        BoardReport.objects.all(),
        waiting=(BoardReport.Status.QUEUED, BoardReport.Status.RETRYING),
        running=BoardReport.Status.RENDERING,
        requeued_status=_requeued,
        fail=_board_report_fail,
        enqueue=lambda report: enqueue(board_report_render_task, report.pk),
    )
