"""What the KPI dashboard shows: a period, its figures against the previous period, charts and warnings."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.cache import cache
from django.utils import timezone

from compliance.services import organisation_get
from reporting import charts, kpi_figures, periods, selectors


def chosen_period(form, organisation, today: datetime.date) -> periods.Period:
    data = form.cleaned_data if form is not None and form.is_bound and form.is_valid() else {}
    kind = data.get("period") or "year"
    on = data.get("on") or today
    if kind == "custom":
        return periods.custom(data["start"], data["end"])
    if kind == "month":
        return periods.month(on)
    if kind == "quarter":
        return periods.quarter(on)
    return periods.financial_year(organisation, periods.financial_year_containing(organisation, on))


def quarters_without_meeting(today: datetime.date, meeting_dates: list[datetime.date]) -> list[periods.Period]:
    """The completed calendar quarters of the last year in which no governance meeting was held."""
    missing = []
    quarter = periods.quarter(today)
    for _ in range(4):
        quarter = quarter.previous()
        if not any(quarter.start <= day <= quarter.end for day in meeting_dates):
            missing.append(quarter)
    return missing


def meeting_warning(*, user, today: datetime.date) -> list[periods.Period]:
    since = today - datetime.timedelta(days=400)
    return quarters_without_meeting(today, selectors.meeting_dates_since(user=user, since=since))


def dashboard_charts(figures: dict, history: list) -> list[charts.Chart]:
    """charts.kpi_charts, kept a day by its inputs: drawing the SVGs costs more than reading the figures.

    A pure function of the figures, so a cached chart is never out of date: new figures are a new key.
    """
    digest = hashlib.sha256(json.dumps([figures, history], sort_keys=True, default=str).encode()).hexdigest()
    key = f"kpis:charts:{digest}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = charts.kpi_charts(figures, history)
        cache.set(key, drawn, 24 * 3600)
    return drawn


def build(*, user, form, request=None) -> dict:
    organisation = organisation_get(request)  # with the request: the same read as the page's header
    today = timezone.localdate()
    comparison = kpi_figures.period_comparison(chosen_period(form, organisation, today), today)
    snapshots = list(selectors.kpi_snapshot_list(user=user)[:12])
    history = [(f"{s.period_start:%b %Y}", s.figures) for s in reversed(snapshots)]
    year = periods.financial_year_containing(organisation, today)
    return {
        **comparison,
        "organisation": organisation,
        "charts": dashboard_charts(comparison["figures"], history),
        "snapshots": snapshots,
        "quarters_without_meeting": meeting_warning(user=user, today=today),
        "risk_reviews_overdue": selectors.risk_reviews_overdue_count(user=user, today=today),
        "current_statements": list(selectors.statements_of_years(user=user, financial_years=[year - 1, year])),
    }
