"""A case's row, status and risk badges, as tags rather than template markup per cell.

The case list rendered two included templates for each of its 50 rows; as tags the same
markup costs a fraction of that (suppliers' register badges did the same). The whole row is
one tag too: its eight cells as template variables and filters were most of the list's time.
"""

import functools
import re

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from safeguarding.models import RiskLevel, Status, SubjectType

register = template.Library()


# A reference of letters, digits and dashes (every reference: MS-2026-00042) is its own URL path segment.
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9-]+")


@functools.lru_cache(maxsize=64)
def _case_url_parts(urlconf, prefix) -> tuple[str, str]:
    url = reverse("safeguarding:case_detail", args=["MS-0000-0"], urlconf=urlconf)
    head, _, tail = url.partition("MS-0000-0")
    return head, tail


def _case_url(concern) -> str:
    """concern.get_absolute_url() without a walk of the URL resolver for each of the 50 rows."""
    if not _PLAIN_REFERENCE.fullmatch(concern.reference):
        return concern.get_absolute_url()
    head, tail = _case_url_parts(get_urlconf(), get_script_prefix())
    return f"{head}{concern.reference}{tail}"


def _label(choices, value):
    """The choice's label, as get_FOO_display() gives it, without rebuilding the field's choices for each row."""
    try:
        return choices(value).label
    except ValueError:
        return value


def _day(moment) -> str:
    """`moment` as the date filter writes it with "j M Y" ("2 Dec 2026"), in the current time zone and language.

    The filter parses its format string and looks up the language's formats for every date: for
    the list's 100 dates that was a fifth of the page.
    """
    moment = template_localtime(moment)
    return f"{moment.day} {MONTHS_3[moment.month].title()} {moment.year}"


def _day_and_time(moment) -> str:
    """`moment` as the date filter writes it with "j M Y H:i" ("2 Dec 2026 09:05")."""
    moment = template_localtime(moment)
    return f"{_day(moment)} {moment.hour:02d}:{moment.minute:02d}"


@register.simple_tag
def case_status_badge(concern) -> str:
    """The case's status, and "Overdue" beside it when its next step is late."""
    badge = format_html(
        '<span class="badge text-bg-secondary status-{}">{}</span>', concern.status, _label(Status, concern.status)
    )
    if concern.is_overdue:
        return format_html('{} <span class="badge text-bg-danger">Overdue</span>', badge)
    return badge


@register.simple_tag
def case_risk_badge(concern) -> str:
    """The assessed risk level, or that it has not been assessed yet."""
    if not concern.risk_level:
        return mark_safe('<span class="badge text-bg-light border">Risk: not assessed</span>')  # noqa: S308 - a constant
    return format_html(
        '<span class="badge risk-{}">Risk: {}</span>', concern.risk_level, _label(RiskLevel, concern.risk_level)
    )


_DANGER = mark_safe(' <span class="badge text-bg-danger">Immediate danger</span>')  # noqa: S308 - a constant
_ROW = (
    "<tr>\n"
    '      <td><a href="{}">{}</a>{}</td>\n'
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "    </tr>"
)


@register.simple_tag
def case_row(concern) -> str:
    """One row of the case list (safeguarding/_case_table.html), as its eight cells in the template wrote it."""
    return format_html(
        _ROW,
        _case_url(concern),
        concern.reference,
        _DANGER if concern.immediate_danger else "",
        _day(concern.created_at),
        _label(SubjectType, concern.subject_type),
        concern.site or concern.location_text or "—",
        case_status_badge(concern),
        case_risk_badge(concern),
        concern.assignee or "—",
        _day_and_time(concern.due_at) if concern.due_at else "—",
    )
