from django import template

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
def percent(value) -> str:
    return "–" if value is None else f"{value:g}%"
