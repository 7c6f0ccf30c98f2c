"""Reporting's CSV/XLSX exports, registered by name (compliance/export_registry.py).

Both are small whatever the data (KPI figures, one row per statement), so they
are always downloaded at once (no `count`).
"""

from __future__ import annotations

from django.http import QueryDict

from compliance import rules as compliance_rules
from compliance.export_registry import Export, register
from compliance.services import organisation_get
from compliance.web import require
from reporting import dashboard, forms, registry, selectors
from reporting import rules as reporting_rules

KPI_EXPORT = "kpis"
REGISTRY_EXPORT = "statement-registry"


@register(KPI_EXPORT)
def kpi_export(*, user, params: QueryDict) -> Export:
    """The dashboard's figures for the chosen period, with the previous period."""
    require(compliance_rules.can_view_reporting, user)
    context = dashboard.build(user=user, form=forms.PeriodForm(params or None))
    period, previous = context["period"], context["previous"]
    return Export(
        filename=f"kpis-{period.start}-{period.end}",
        header=[
            "Section",
            "Indicator",
            "Unit",
            f"{period.start} to {period.end}",
            f"{previous.start} to {previous.end}",
            "Change",
            "Trend",
        ],
        rows=_kpi_rows(context),
        detail=f"KPIs {period.start} to {period.end}",
        sheet_title="KPIs",
    )


def _kpi_rows(context):
    for row in context["rows"]:
        yield [row["section"], row["label"], row["unit"], row["value"], row["previous"], row["change"], row["verdict"]]
    for key in (
        "concerns_by_outcome",
        "concerns_by_subject",
        "training_by_course",
        "training_by_department",
        "suppliers_by_band",
    ):
        for label, value in context["figures"].get(key, {}).items():
            yield [
                key.replace("_", " ").capitalize(),
                label,
                "%" if key.startswith("training") else "",
                value,
                "",
                "",
                "",
            ]


@register(REGISTRY_EXPORT)
def registry_export(*, user, params: QueryDict) -> Export:
    """Every statement in the GOV.UK registry's columns."""
    # Every role that exports is inside reporting; the Board and everyone outside get 404.
    require(reporting_rules.can_export_registry, user)
    statements = selectors.statement_registry_list(user=user)
    return Export(
        filename="modern-slavery-registry",
        header=registry.HEADER,
        rows=registry.rows(statements, organisation=organisation_get()),
        detail="Statement registry",
        sheet_title="Registry",
    )
