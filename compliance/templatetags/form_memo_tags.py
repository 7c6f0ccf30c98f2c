"""`{{ field|remembered_crispy_field }}`: a list's filter field as `|as_crispy_field` writes it, kept per process.

A list page renders its filter form on every visit; its fields' markup (a select of 10 to 30
options, a date, a search box) is a function of what compliance.form_memo.filter_field_key reads,
so each is rendered once per process for each value chosen. Typed text and fields with errors
are rendered as they are (filter_field_key), so a form that is posted back keeps what was typed
out of the process.
"""

from django import template

from compliance.form_memo import remembered_crispy_field as _remembered

register = template.Library()


@register.filter
def remembered_crispy_field(bound_field) -> str:
    return _remembered(bound_field)
