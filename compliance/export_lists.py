"""The core's CSV/XLSX exports, registered by name (compliance/export_registry.py) so a worker can write a large one."""

from __future__ import annotations

from django.http import QueryDict

from compliance import exports, selectors
from compliance import rules as compliance_rules
from compliance.export_registry import Export, register
from compliance.filters import AccessLogFilterSet
from compliance.web import require

ACCESS_LOG_EXPORT = "access-log"
ACCESS_LOG_HEADER = ["when", "who", "email", "action", "record", "detail", "ip_address", "path"]


def _access_log_row(e):
    return [
        e.at.isoformat(),
        e.user.full_name if e.user else "",
        e.user.email if e.user else "",
        e.action,
        e.object_repr,
        e.detail,
        e.ip_address or "",
        e.path,
    ]


@register(ACCESS_LOG_EXPORT)
def access_log_export(*, user, params: QueryDict) -> Export:
    """The access log with the page's filters, for those who may read it."""
    require(compliance_rules.can_view_access_log, user)
    # The same filtered queryset as the page, so the file holds what the filters chose.
    entries = AccessLogFilterSet(params or None, queryset=selectors.access_log_list(user=user)).qs
    return Export(
        filename="access-log",
        header=ACCESS_LOG_HEADER,
        rows=exports.each(entries, _access_log_row),
        detail="Access log",
        sheet_title="Access log",
        # Counted only for an XLSX, which may go to a worker; a CSV streams without it.
        count=entries.count,
    )
