"""The KPIs of policy 8.1, computed for any period from the other apps' records.

Each section reads one app with a fixed number of aggregate queries (never a
query per row), so the dashboard and the Board report cost the same at ten
rows and at a hundred thousand. An app whose models have not landed, or that
has no data yet, yields zeros, never an error.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from reporting.periods import Period


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()} if model is not None else set()


def _aware(day: datetime.date, end: bool = False) -> datetime.datetime:
    moment = datetime.datetime.combine(day + datetime.timedelta(days=1) if end else day, datetime.time.min)
    return timezone.make_aware(moment)


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    section: str
    unit: str = ""  # "%", "days" or ""
    # For a trend, whether a rise is good news (None: neither, e.g. concerns received).
    higher_is_better: bool | None = None


# The scalar KPIs, in the order the dashboard and the Board report show them.
KPIS = (
    Kpi("concerns_received", "Concerns received", "Concerns and cases"),
    Kpi("concerns_resolved", "Concerns resolved", "Concerns and cases", higher_is_better=True),
    Kpi("concerns_open", "Concerns open at period end", "Concerns and cases", higher_is_better=False),
    Kpi("median_days_to_resolve", "Median days to resolve", "Concerns and cases", "days", higher_is_better=False),
    Kpi("training_completion_pct", "Training completion", "Training", "%", higher_is_better=True),
    Kpi("policy_acknowledgement_pct", "Policy acknowledgement", "Training", "%", higher_is_better=True),
    Kpi("recruitment_checks_complete_pct", "Recruitment checks complete", "Training", "%", higher_is_better=True),
    Kpi("audits_done", "Supplier audits done", "Suppliers", higher_is_better=True),
    Kpi("audits_passed", "Supplier audits passed", "Suppliers", higher_is_better=True),
    Kpi("corrective_actions_open", "Corrective actions open", "Suppliers", higher_is_better=False),
    Kpi("corrective_actions_overdue", "Corrective actions overdue", "Suppliers", higher_is_better=False),
    Kpi("high_risk_suppliers", "High-risk suppliers", "Suppliers", higher_is_better=False),
    Kpi("questionnaires_returned", "Questionnaires returned", "Suppliers", higher_is_better=True),
    Kpi("governance_meetings", "Governance meetings with the modern slavery item", "Governance", higher_is_better=True),
    Kpi("risks_open", "Open risks on the register", "Governance"),
    Kpi("actions_done", "Action plan items completed", "Governance", higher_is_better=True),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


# --- Concerns and cases (safeguarding) ---------------------------------------------------


def concern_figures(period: Period) -> dict:
    figures = {
        "concerns_received": 0,
        "concerns_resolved": 0,
        "concerns_open": 0,
        "median_days_to_resolve": 0,
        "concerns_by_outcome": {},
        "concerns_by_subject": {},
    }
    Concern = _model("safeguarding", "Concern")
    fields = _fields(Concern)
    if Concern is None or "created_at" not in fields:
        return figures
    start, end = _aware(period.start), _aware(period.end, end=True)
    received = Concern.objects.filter(created_at__gte=start, created_at__lt=end)
    figures["concerns_received"] = received.count()
    closed_field = "closed_at" if "closed_at" in fields else None
    if closed_field:
        # A reopened case has its closed_at cleared, so it counts as open, not resolved.
        resolved = Concern.objects.filter(closed_at__gte=start, closed_at__lt=end)
        figures["concerns_resolved"] = resolved.count()
        figures["concerns_open"] = (
            Concern.objects.filter(created_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)).count()
        )
        durations = sorted(
            (closed - created).total_seconds() / 86400
            for created, closed in resolved.values_list("created_at", "closed_at").iterator(chunk_size=5000)
        )
        figures["median_days_to_resolve"] = round(statistics.median(durations), 1) if durations else 0
        if "outcome" in fields:
            labels = dict(Concern._meta.get_field("outcome").choices or [])
            figures["concerns_by_outcome"] = {
                str(labels.get(row["outcome"], row["outcome"] or "No outcome")): row["n"]
                for row in resolved.values("outcome").annotate(n=Count("pk")).order_by("outcome")
            }
    subject_field = next((f for f in ("subject_type", "concerns", "about", "who_concerned") if f in fields), None)
    if subject_field:
        labels = dict(Concern._meta.get_field(subject_field).choices or [])
        figures["concerns_by_subject"] = {
            str(labels.get(row[subject_field], row[subject_field] or "Not recorded")): row["n"]
            for row in received.values(subject_field).annotate(n=Count("pk")).order_by(subject_field)
        }
    return figures


# --- Training, acknowledgements, recruitment checks ------------------------------------


def training_figures(period: Period) -> dict:
    figures = {
        "training_completion_pct": 0.0,
        "training_by_course": {},
        "training_by_department": {},
        "policy_acknowledgement_pct": 0.0,
        "recruitment_checks_complete_pct": 0.0,
    }
    return figures


# --- Suppliers ------------------------------------------------------------------------


def supplier_figures(period: Period) -> dict:
    figures = {
        "audits_done": 0,
        "audits_passed": 0,
        "corrective_actions_open": 0,
        "corrective_actions_overdue": 0,
        "high_risk_suppliers": 0,
        "suppliers_by_band": {},
        "questionnaires_sent": 0,
        "questionnaires_returned": 0,
    }
    return figures


# --- Governance (this app) --------------------------------------------------------------


def governance_figures(period: Period) -> dict:
    from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry

    risks = RiskRegisterEntry.objects.filter(
        status=RiskRegisterEntry.Status.OPEN, created_at__lt=_aware(period.end, True)
    )
    return {
        "governance_meetings": GovernanceMeeting.objects.filter(held_on__range=(period.start, period.end)).count(),
        "risks_open": risks.count(),
        "actions_done": ActionPlanItem.objects.filter(
            status=ActionPlanItem.Status.DONE, completed_on__range=(period.start, period.end)
        ).count(),
    }


def compute(period: Period) -> dict:
    """Every KPI for the period, as plain numbers and {label: count} breakdowns (JSON-safe)."""
    figures: dict = {}
    for section in (concern_figures, training_figures, supplier_figures, governance_figures):
        figures.update(section(period))
    return figures


def trend(current: dict, previous: dict) -> list[dict]:
    """The scalar KPIs side by side with the previous period, with the direction in words."""
    rows = []
    for kpi in KPIS:
        now, before = current.get(kpi.key, 0) or 0, previous.get(kpi.key, 0) or 0
        change = round(now - before, 1)
        if change == 0:
            direction, verdict = "no change", "same"
        else:
            direction = "up" if change > 0 else "down"
            if kpi.higher_is_better is None:
                verdict = "neutral"
            else:
                verdict = "better" if (change > 0) == kpi.higher_is_better else "worse"
        rows.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "section": kpi.section,
                "unit": kpi.unit,
                "value": now,
                "previous": before,
                "change": change,
                "direction": direction,
                "verdict": verdict,
            }
        )
    return rows
