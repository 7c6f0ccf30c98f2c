import html

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
