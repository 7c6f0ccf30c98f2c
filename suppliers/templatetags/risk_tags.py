"""`{% risk_weight_fields weight_form %}`: the risk settings' weights, written once per process for their rows.

The risk settings' country and category tables use compliance's `{% remembered_formset_table %}`
(compliance/templatetags/formset_tags.py), which explains why an unbound table may be kept;
the weights are the same idea for a plain form made of the weight rows.
"""

from __future__ import annotations

import functools

from django import template
from django.template import engines
from django.urls import get_script_prefix
from django.utils import translation

from compliance.templatetags.formset_tags import remembered

register = template.Library()


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
    return remembered(("weights", translation.get_language(), get_script_prefix(), rows), render)
