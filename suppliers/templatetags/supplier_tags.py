from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A person's name, or their email, or a placeholder when there is nobody."""
    if user is None:
        return empty
    return user.full_name or user.email


# The two badges of every register row, as tags rather than an {% include %} per cell: a page of
# 50 suppliers rendered 100 included templates, a fifth of the register's rendering.
@register.simple_tag
def status_badge(status: str, label: str) -> str:
    """A supplier's status: the class names its status, the text its label."""
    return format_html('<span class="badge supplier-status supplier-status-{}">{}</span>', status, label)


@register.simple_tag
def risk_badge(band: str, score: int | None) -> str:
    """A supplier's risk band with its score, or "Not scored"."""
    if not band:
        return mark_safe('<span class="badge text-bg-light">Not scored</span>')  # noqa: S308 - a constant
    points = format_html(' <span class="fw-normal">({})</span>', score) if score is not None else ""
    return format_html('<span class="badge risk-{}">{} risk{}</span>', band, capfirst(band), points)
