"""Showing a receipt code in its groups of four, so it is easy to copy out by hand."""

from django import template

register = template.Library()


@register.filter
def receipt_code_groups(code: str) -> list[str]:
    """ "ABCD-EFGH-…" -> ["ABCD", "EFGH", …]; the page puts each group in its own box."""
    return [group for group in (code or "").split("-") if group]
