"""KPI figures for the dashboard, the KPI API and CSV and the statement editor, without computing
every KPI over every table on every request.

- A period that has ended: its figures are stored (KpiPeriodFigures), one row read per page.
  kpis.compute gives the same answer whatever day it runs once a period has ended (everything is
  as at the period end), so a stored row *is* the live figure as of its computation. Rows are
  refreshed by `kpi_figures_refresh`, which Celery beat runs hourly (reporting.tasks), and any
  period asked for without a row is computed and stored on demand. What can make a stored row
  differ from a live computation is an edit dated into an ended period (a completion recorded
  late, a backdated referral or audit); the hourly refresh brings it back in step.
- The period under way: its figures change with every new case, so they are cached for a short
  time only (KPI_OPEN_PERIOD_CACHE_SECONDS, 60 s by default; 0 turns it off), keyed by the day.
  We chose a short lifetime over invalidation because nearly every write in every app moves some
  open-period KPI, and a minute's lag on a dashboard of year-to-date figures misleads no one.

The figures themselves are kpis.compute_many's: one rule per fact, whichever path they come by.
"""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from compliance.services import organisation_get
from reporting import kpis, periods
from reporting.models import KpiPeriodFigures
from reporting.periods import Period


def _ended(period: Period, today: datetime.date) -> bool:
    # A period ending today still changes until the day is over: it is cached, not stored.
    return period.end < today


def _open_key(period: Period, today: datetime.date) -> str:
    return f"kpis:open:{period.start.isoformat()}:{period.end.isoformat()}:{today.isoformat()}"


def figures_for(periods_wanted: list[Period], today: datetime.date | None = None) -> list[dict]:
    """kpis.compute_many's figures for each period: stored when it has ended, briefly cached when not."""
    today = today or timezone.localdate()
    results: list[dict | None] = [None] * len(periods_wanted)
    ended = [i for i, period in enumerate(periods_wanted) if _ended(period, today)]
    if ended:
        wanted = Q(pk__in=[])
        for i in ended:
            wanted |= Q(period_start=periods_wanted[i].start, period_end=periods_wanted[i].end)
        stored = {
            (row.period_start, row.period_end): row.figures_json
            for row in KpiPeriodFigures.objects.filter(wanted).only("period_start", "period_end", "figures_json")
        }
        for i in ended:
            results[i] = _parsed(stored.get((periods_wanted[i].start, periods_wanted[i].end)))
    timeout = settings.KPI_OPEN_PERIOD_CACHE_SECONDS
    for i, period in enumerate(periods_wanted):
        if results[i] is None and i not in ended and timeout:
            results[i] = cache.get(_open_key(period, today))
    missing = [i for i, figures in enumerate(results) if figures is None]
    if missing:
        computed = kpis.compute_many([periods_wanted[i] for i in missing], today)
        to_store = []
        for i, figures in zip(missing, computed, strict=True):
            results[i] = figures
            if i in ended:
                to_store.append((periods_wanted[i], figures))
            elif timeout:
                cache.set(_open_key(periods_wanted[i], today), figures, timeout)
        _store(to_store)
    return results


def _parsed(text: str | None) -> dict | None:
    # A row that is not a figures dict (damaged by hand) is treated as missing: computed and stored again.
    try:
        figures = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return figures if isinstance(figures, dict) else None


def period_comparison(period: Period, today: datetime.date | None = None) -> dict:
    """kpis.period_comparison, with the figures from figures_for."""
    today = today or timezone.localdate()
    previous = period.previous()
    figures, previous_figures = figures_for([period, previous], today)
    return {
        "period": period,
        "previous": previous,
        "figures": figures,
        "previous_figures": previous_figures,
        "rows": kpis.trend(figures, previous_figures),
    }


def compute(period: Period, today: datetime.date | None = None) -> dict:
    """kpis.compute, with the figures from figures_for."""
    return figures_for([period], today)[0]


def _store(pairs: list[tuple[Period, dict]]) -> None:
    # An upsert: two requests filling the same period at once both succeed, the later one wins.
    now = timezone.now()
    KpiPeriodFigures.objects.bulk_create(
        [
            KpiPeriodFigures(period_start=p.start, period_end=p.end, figures_json=json.dumps(f), computed_at=now)
            for p, f in pairs
        ],
        update_conflicts=True,
        unique_fields=["period_start", "period_end"],
        update_fields=["figures_json", "computed_at"],
    )


def standard_periods(today: datetime.date) -> list[Period]:
    """The ended periods the dashboard offers by default, with the ones they are compared with.

    The last two financial years, eight quarters and 24 months, each with its previous period.
    """
    organisation = organisation_get()
    year = periods.financial_year_containing(organisation, today)
    found: list[Period] = [periods.financial_year(organisation, year - n) for n in (1, 2)]
    quarter = periods.quarter(today)
    month = periods.month(today)
    for _ in range(8):
        quarter = quarter.previous()
        found.append(quarter)
    for _ in range(24):
        month = month.previous()
        found.append(month)
    found += [period.previous() for period in found]
    unique = {(period.start, period.end): period for period in found}
    return [period for period in unique.values() if _ended(period, today)]


def kpi_figures_refresh(*, today: datetime.date | None = None, batch: int = 12) -> int:
    """Recompute and store the figures of every stored period and the standard ones; returns how many.

    Run by Celery beat every hour (and by `manage.py kpi_figures_refresh`), so a late edit dated
    into an ended period reaches its stored figures within the hour.
    """
    today = today or timezone.localdate()
    wanted = {(p.start, p.end): p for p in standard_periods(today)}
    for start, end in KpiPeriodFigures.objects.values_list("period_start", "period_end"):
        wanted.setdefault((start, end), Period(start, end, "custom"))
    ended = [period for period in wanted.values() if _ended(period, today)]
    for first in range(0, len(ended), batch):
        chunk = ended[first : first + batch]
        _store(list(zip(chunk, kpis.compute_many(chunk, today), strict=True)))
    return len(ended)
