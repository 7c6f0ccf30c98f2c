"""The checkbox and radio lists written in Python (compliance/templatetags/fast_crispy.py) match crispy-bootstrap5's template."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import crispy_bootstrap5
import pytest
from django import forms
from django.template import Context, Template, engines
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from compliance.tests.test_form_renderer import CHOICES

ORIGINAL = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/layout/radio_checkbox_select.html"
PLAIN = [("a", "A & <b>"), (7, 2024), (Decimal("1.5"), mark_safe("<em>safe</em>")), ("lazy", gettext_lazy("Lazy"))]


class Sample(forms.Form):
    many = forms.MultipleChoiceField(choices=PLAIN, widget=forms.CheckboxSelectMultiple, help_text="Tick <b>all</b>")
    one = forms.ChoiceField(choices=PLAIN, widget=forms.RadioSelect)
    grouped = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False)
    attrs = forms.ChoiceField(choices=PLAIN, widget=forms.RadioSelect(attrs={"data-x": 'a "q"', "disabled": True}))


FORMS = [
    Sample(),
    Sample(auto_id=False),
    Sample({"many": ["a", "7"], "one": "zzz"}),  # errors on one, many chosen
    Sample({"one": "a"}, initial={"grouped": ["gb"]}),  # many required and missing
    Sample(initial={"many": ["1.5"], "one": 7}, prefix="p"),
]
CONTEXTS = [
    {"form_show_errors": True},
    {"form_show_errors": False},
    {"form_show_errors": True, "inline_class": "inline", "help_text_inline": True},
    {"form_show_errors": True, "field_class": "col-8 <x>", "flat_attrs": mark_safe('data-a="1"')},
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("extra", CONTEXTS)
def test_each_list_is_written_as_the_template_writes_it(form, extra):
    original = Template(ORIGINAL.read_text(), engine=engines["django"].engine)
    ours = get_template("bootstrap5/layout/radio_checkbox_select.html")
    form.is_bound and form.is_valid()
    for field in form:
        expected = original.render(Context({"field": field, **extra}))
        assert ours.render({"field": field, **extra}) == expected, field.name
