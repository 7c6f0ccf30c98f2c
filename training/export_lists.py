"""Training completion rates as CSV/XLSX, registered by name (compliance/export_registry.py).

One row per group and a total: small whatever the number of records, so always
downloaded at once (no `count`).
"""

from __future__ import annotations

from django.http import QueryDict

from compliance.export_registry import Export, ExportRequest, register
from compliance.web import require
from training import rules as training_rules
from training import selectors
from training.filters import CompletionRatesFilterSet
from training.models import Course

COMPLETION_RATES_EXPORT = "training-completion-rates"


@register(COMPLETION_RATES_EXPORT)
def completion_rates_export(*, user, params: QueryDict) -> Export:
    """Completion rates with the rates page's filters (an invalid value falls back to the defaults, as there)."""
    require(training_rules.can_view_completion_rates, user)
    filters = CompletionRatesFilterSet(params or None, queryset=Course.objects.none(), request=ExportRequest(user))
    result = selectors.completion_rates(user=user, **filters.rate_params())
    rows = (
        [row.label, row.complete, row.overdue, row.expired, row.not_yet_due, row.rate]
        for row in [*result["rows"], result["total"]]
    )
    return Export(
        filename=f"training-completion-{result['as_of']:%Y-%m-%d}",
        header=[result["group_by"].replace("_", " "), "complete", "overdue", "expired", "not yet due", "rate %"],
        rows=rows,
        detail=f"Training completion rates by {result['group_by']} as at {result['as_of']:%Y-%m-%d}",
        sheet_title="Completion rates",
    )
