"""The case list as CSV/XLSX, registered by name (compliance/export_registry.py) so a worker can write a large one.

No narrative and no reporter: only the columns the list shows.
"""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone

from compliance import exports
from compliance import rules as role_rules
from compliance.export_registry import Export, ExportRequest, register
from compliance.web import require
from safeguarding import selectors
from safeguarding.filters import CaseFilter
from safeguarding.models import Concern

CASE_LIST_EXPORT = "cases"

CASE_EXPORT_HEADER = [
    "Reference",
    "Received",
    "Channel",
    "Concerns",
    "Site",
    "Status",
    "Risk",
    "Assignee",
    "Due",
    "Overdue",
    "Outcome",
    "Closed",
]


def _case_export_rows(cases):
    # Labels looked up once per export: get_FOO_display() rebuilds its choices (lazy translations)
    # on every call, which was half the time of a large export.
    labels = exports.choice_labels(Concern, "channel", "subject_type", "status", "risk_level", "outcome")

    def row(c) -> list:
        return [
            c.reference,
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
            labels["channel"].get(c.channel, c.channel),
            labels["subject_type"].get(c.subject_type, c.subject_type),
            # The reporter's free-text "where" reaches the Lead's spreadsheet: the helper escapes it.
            str(c.site or c.location_text or ""),
            labels["status"].get(c.status, c.status),
            labels["risk_level"].get(c.risk_level, c.risk_level),
            str(c.assignee or ""),
            timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M") if c.due_at else "",
            "yes" if c.is_overdue else "no",
            labels["outcome"].get(c.outcome, c.outcome),
            timezone.localtime(c.closed_at).strftime("%Y-%m-%d") if c.closed_at else "",
        ]

    return exports.each(cases, row)


@register(CASE_LIST_EXPORT)
def case_list_export(*, user, params: QueryDict) -> Export:
    """The case list the user may work, with the page's filters."""
    require(role_rules.can_work_cases, user)
    # The page's selector (only the exported columns) and FilterSet, so the file holds the cases
    # the page listed (every page of them).
    cases = CaseFilter(params, queryset=selectors.concern_export_list(user=user), request=ExportRequest(user)).qs
    count = cases.count()
    return Export(
        filename=f"cases-{timezone.localdate():%Y-%m-%d}",
        header=CASE_EXPORT_HEADER,
        rows=_case_export_rows(cases),
        detail=f"Case list ({count} cases)",
        sheet_title="Cases",
        count=lambda: count,
    )
