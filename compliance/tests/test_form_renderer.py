"""The form renderer writes exactly the markup Django's widget templates write."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from compliance.form_renderer import WidgetRenderer
from compliance.widgets import DateInput, SearchSelectMultiple, Textarea

ATTRS = {"class": "form-control", "required": True, "disabled": False, "data-x": 'a "quoted" <b>', "data-n": 3}
CHOICES = [
    ("", "---------"),
    ("gb", "United Kingdom & <Northern Ireland>"),
    (7, 2024),
    ("lazy", gettext_lazy("Lazy label")),
    ("Group <one>", [("a", "A"), (Decimal("1.5"), mark_safe("<em>safe</em>"))]),
]

WIDGETS = [
    (forms.TextInput(ATTRS), None),
    (forms.TextInput(), "Tom & <Jerry> \"quoted\" 'single'"),
    (forms.TextInput(), mark_safe("<b>safe</b>")),
    (forms.NumberInput({"min": 0, "step": Decimal("0.01")}), Decimal("1234.50")),
    (forms.NumberInput(), 1234567),
    (forms.EmailInput(), "a@example.org"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), 42),
    (DateInput(), datetime.date(2026, 12, 2)),
    (forms.DateTimeInput(), datetime.datetime(2026, 12, 2, 9, 5)),
    (forms.CheckboxInput(ATTRS), True),
    (forms.CheckboxInput(), False),
    (forms.Select(ATTRS, choices=CHOICES), "gb"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES), Decimal("1.5")),
    (forms.SelectMultiple(choices=CHOICES), ["a", 7]),
    (SearchSelectMultiple(choices=CHOICES), ["gb"]),
    (forms.NullBooleanSelect(), True),
    (Textarea(ATTRS), 'Line one\nline <two> & "three"'),
    (Textarea(), ""),
    (Textarea(), None),
    (forms.Textarea(), 12),
]


@pytest.mark.parametrize(
    ("widget", "value"), WIDGETS, ids=[f"{type(w).__name__}-{i}" for i, (w, _) in enumerate(WIDGETS)]
)
def test_widgets_render_as_djangos_templates_do(widget, value):
    expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    rendered = widget.render("field", value, attrs={"id": "id_field"}, renderer=WidgetRenderer())
    assert rendered == expected


def test_other_widgets_still_use_the_templates():
    widget = forms.RadioSelect(choices=[("a", "A <b>"), ("b", "B")])
    expected = widget.render("field", "a", renderer=DjangoTemplates())
    assert widget.render("field", "a", renderer=WidgetRenderer()) == expected


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), WidgetRenderer)
