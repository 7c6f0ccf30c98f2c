"""`{% audit_rows page %}`: the audit list's table rows, written in Python."""

from __future__ import annotations

import html

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from compliance.templatetags.links import pk_url_parts

register = template.Library()


def _text(value) -> str:
    return html.escape(str(value))


@register.simple_tag
def audit_rows(audits) -> str:
    """The rows (or the "no audits" row), byte for byte what the list's {% for %} loop wrote.

    The loop's lookups, filters and tags (about 15 a row) were a third of the page's CPU: 4.6 ms
    for 50 rows. Every value that is not a fixed string is escaped with html.escape, which is
    what Django's escape does, and the date goes through the same date filter.
    """
    audit_head, audit_tail = (html.escape(part) for part in pk_url_parts("suppliers:audit_detail"))
    supplier_head, supplier_tail = (html.escape(part) for part in pk_url_parts("suppliers:detail"))
    rows = []
    for a in audits:
        count = localize(a.finding_count) if settings.USE_THOUSAND_SEPARATOR else str(a.finding_count)
        rows.append(
            "\n  <tr>\n"
            f'    <td><a href="{audit_head}{int(a.pk)}{audit_tail}">{_text(date_filter(a.planned_date, "j M Y"))}</a></td>\n'
            f'    <td><a href="{supplier_head}{int(a.supplier_id)}{supplier_tail}">{_text(a.supplier.name)}</a></td>\n'
            f"    <td>{_text(a.get_kind_display())}</td><td>{_text(a.get_method_display())}</td>"
            f"<td>{_text(a.auditor_display or '—')}</td>\n"
            f"    <td>{_text(a.get_status_display())}</td><td>{_text(a.get_result_display() or '—')}</td>"
            f"<td>{count}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(rows) or '<tr><td colspan="8">No audits.</td></tr>')  # noqa: S308 - escaped above
