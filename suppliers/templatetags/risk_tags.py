"""`{% risk_table formset caption %}`: the risk settings' tables, each written once per process for the rows it shows.

The country table is 41 rows of five widgets: building its forms and rendering them was about
15 of the page's 35 ms of CPU, on every visit to a page whose tables change a few times a year.
An unbound model formset's markup is a function of its rows, its form class, the language and
the script prefix alone (no user, no CSRF token: those are outside the table), so it is kept
under a key made of exactly those, read fresh from the database on each visit. A change to any
row therefore makes a new key, and no signal or cache entry has to be retired. A bound formset
(a POST, with its errors) is always rendered as it is.
"""

from __future__ import annotations

import functools
import threading

from django import template
from django.template import engines
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe

from compliance.templatetags.formset_tags import formset_table

register = template.Library()

# A handful of entries at most (two tables, a language or two); cleared rather than grown past this.
MEMO_SIZE = 16
# Public so a test can start from an empty one.
rendered_tables: dict[tuple, str] = {}
_lock = threading.Lock()


def formset_key(formset, caption: str) -> tuple:
    """Everything an unbound model formset's table depends on, its rows' stored values included."""
    rows = tuple(
        (obj.pk, *(repr(field.value_from_object(obj)) for field in obj._meta.concrete_fields))
        for obj in formset.get_queryset()
    )
    return (type(formset), formset.prefix, caption, translation.get_language(), get_script_prefix(), rows)


def _remembered(key: tuple, render) -> str:
    html = rendered_tables.get(key)
    if html is None:
        html = render()
        with _lock:
            if len(rendered_tables) >= MEMO_SIZE:
                rendered_tables.clear()
            rendered_tables[key] = html
    return mark_safe(html)  # noqa: S308 - the renderer's own output, kept as it was


@register.simple_tag
def risk_table(formset, caption: str) -> str:
    """`{% formset_table %}` of an unbound model formset, rendered once per distinct set of rows."""
    if formset.is_bound:
        return formset_table(formset, caption)
    return _remembered(formset_key(formset, caption), lambda: formset_table(formset, caption))


@functools.cache
def _weight_fields_template():
    # Made on first use: this module is imported while the template engine loads its libraries.
    return engines["django"].from_string(
        '{% load crispy_forms_tags %}{% for field in weight_form %}<div class="col-md-6 col-xl-4">'
        "{{ field|as_crispy_field }}</div>{% endfor %}"
    )


@register.simple_tag
def risk_weight_fields(weight_form) -> str:
    """The weights' crispy fields (22 of them, 3 ms), rendered once per distinct set of weight rows."""
    render = functools.partial(_weight_fields_template().render, {"weight_form": weight_form})
    if weight_form.is_bound:
        return render()
    rows = tuple(
        (w.pk, *(repr(field.value_from_object(w)) for field in w._meta.concrete_fields)) for w in weight_form.weights
    )
    return _remembered(("weights", translation.get_language(), get_script_prefix(), rows), render)
