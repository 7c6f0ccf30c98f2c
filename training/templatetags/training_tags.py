import functools
import html

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from compliance.templatetags.links import pk_url_parts
from training.models import TrainingRecord

register = template.Library()

# Colour backs up the word on the badge; it is never the only signal.
STATUS_CLASSES = {
    "complete": "risk-low",
    "not_yet_due": "text-bg-light border",
    "due_soon": "risk-medium",
    "awaiting_confirmation": "risk-medium",
    "overdue": "risk-high",
    "expired": "risk-high",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(str(status), "text-bg-light border")


@register.filter
def status_badge(status: str) -> str:
    """A training status as its badge (every page showing one uses this: an include per row cost more than the row)."""
    label = TrainingRecord.Status(status).label
    return format_html('<span class="badge {}">{}</span>', status_class(status), label)


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:g}%"


@register.simple_tag
def attention_list(statuses) -> str:
    """The team page's "Needs attention" cell: per course, a link to the record and its status badge.

    Built here rather than by a {% for %} in the template: a page of 50 people has about 500 of
    these, and the template's lookups for each (record.pk, course.title, the badge filter and the
    label) and format_html's per-value checks were half the page's time. The HTML is the same:
    html.escape is what Django's escape does, applied to every value that is not a fixed string.
    """
    if not statuses:
        return mark_safe("<span>Nothing</span>")
    head, tail = (html.escape(part) for part in pk_url_parts("training:record_detail"))
    cell = "\n".join(
        f'<div><a href="{head}{int(item.record.pk)}{tail}">{html.escape(item.course.title)}</a>'
        f' <span class="badge {html.escape(status_class(item.status))}">{html.escape(str(item.status_label))}</span></div>'
        for item in statuses
    )
    return mark_safe(cell)  # noqa: S308 - every value in it is escaped above


@functools.lru_cache(maxsize=64)
def _month_abbreviations(language: str | None) -> tuple[str, ...]:
    # MONTHS_3 holds lazy translations: each use translates again. Once per language is enough.
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


def _day(day) -> str:
    """A date as the date filter writes it with "j M Y" ("2 Dec 2026", the month in the current language).

    The filter parses its format and looks up the language's formats for every date it is given.
    """
    return f"{day.day} {_month_abbreviations(get_language())[day.month]} {day.year}"


def _source_label(source: str) -> str:
    """get_source_display() without rebuilding the field's choices for each row."""
    try:
        return TrainingRecord.Source(source).label
    except ValueError:
        return source


@register.simple_tag
def record_row(record) -> str:
    """One row of HR's records list (training/admin/record_list.html), as its eight cells in the template wrote it.

    As template variables and filters (three dates, a badge, two links, get_source_display) the
    50 rows were most of the page's time.
    """
    person_head, person_tail = (html.escape(part) for part in pk_url_parts("training:person"))
    record_head, record_tail = (html.escape(part) for part in pk_url_parts("training:record_detail"))
    department = record.user.department
    return mark_safe(  # noqa: S308 - every value in it is escaped here (html.escape, as Django's escape)
        "<tr>\n"
        f'    <th scope="row"><a href="{person_head}{int(record.user_id)}{person_tail}">'
        f"{html.escape(str(record.user))}</a></th>\n"
        f"    <td>{'–' if department is None else html.escape(str(department))}</td>\n"
        f'    <td><a href="{record_head}{int(record.pk)}{record_tail}">{html.escape(record.course.title)}</a></td>\n'
        f"    <td>{status_badge(record.status)}</td>\n"
        f"    <td>{_day(record.due_on)}</td>\n"
        f"    <td>{'–' if record.completed_on is None else _day(record.completed_on)}</td>\n"
        f"    <td>{'–' if record.expires_on is None else _day(record.expires_on)}</td>\n"
        f"    <td>{html.escape(str(_source_label(record.source)))}</td>\n"
        "  </tr>"
    )
