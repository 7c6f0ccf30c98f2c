"""A case's status and risk badges, as tags rather than an {% include %} per cell.

The case list rendered two included templates for each of its 50 rows; as tags the same
markup costs a fraction of that (suppliers' register badges did the same).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def case_status_badge(concern) -> str:
    """The case's status, and "Overdue" beside it when its next step is late."""
    badge = format_html(
        '<span class="badge text-bg-secondary status-{}">{}</span>', concern.status, concern.get_status_display()
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
        '<span class="badge risk-{}">Risk: {}</span>', concern.risk_level, concern.get_risk_level_display()
    )
