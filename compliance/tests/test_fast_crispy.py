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


FIELD_ORIGINAL = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/field.html"


class Every(forms.Form):
    text = forms.CharField(help_text="Say <i>it</i>", max_length=5)
    optional = forms.CharField(required=False, label="Optional & <odd>")
    unlabelled = forms.CharField(label="", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "class": "mine"}), required=False)
    number = forms.IntegerField(min_value=0)
    email = forms.EmailField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    choice = forms.ChoiceField(choices=PLAIN, help_text="Pick")
    choices = forms.MultipleChoiceField(choices=PLAIN, required=False)
    many = forms.MultipleChoiceField(choices=PLAIN, widget=forms.CheckboxSelectMultiple, help_text="All")
    one = forms.ChoiceField(choices=PLAIN, widget=forms.RadioSelect, required=False)
    tick = forms.BooleanField(required=False, help_text="Tick it")
    upload = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    # Two widgets in one (crispy adds its classes to each), one with its own class already.
    when = forms.SplitDateTimeField(required=False, widget=forms.SplitDateTimeWidget(date_attrs={"class": "d"}))


FIELD_FORMS = [
    Every,
    lambda: Every(auto_id=False),
    lambda: Every({"text": "far too long", "number": "-1", "choice": "nope", "one": "x"}),
    lambda: Every({"text": "ok", "number": "1", "choice": "a", "many": ["a"]}, prefix="p"),
]
FIELD_CONTEXTS = [
    # What {{ form|crispy }} gives every field.
    {"form_show_errors": True, "form_show_labels": True, "field_class": "", "label_class": ""},
    {"form_show_errors": True, "form_show_labels": True, "help_text_inline": True, "error_text_inline": True},
    {"form_show_errors": True, "form_show_labels": True, "help_text_inline": True},
    {"form_show_errors": True, "form_show_labels": True, "error_text_inline": True},
    {"form_show_errors": False, "form_show_labels": True, "form_class": "mine"},
    # Layouts the Python does not write: the original template answers, the same way.
    {"form_show_errors": True, "form_show_labels": False},
    {"form_show_errors": True, "form_show_labels": True, "field_class": "col-8", "label_class": "col-4"},
    {"form_show_errors": True, "form_show_labels": True, "form_class": "form-horizontal", "wrapper_class": "w"},
    {"form_show_errors": True, "form_show_labels": True, "tag": "td"},
]


@pytest.mark.parametrize("make_form", FIELD_FORMS)
@pytest.mark.parametrize("extra", FIELD_CONTEXTS)
def test_each_field_is_written_as_the_template_writes_it(make_form, extra):
    original = Template(FIELD_ORIGINAL.read_text(), engine=engines["django"].engine)
    ours = get_template("bootstrap5/field.html")
    # Two forms alike: crispy's widget tag adds its classes to the widget it renders.
    theirs_form, our_form = make_form(), make_form()
    for form in (theirs_form, our_form):
        form.is_bound and form.is_valid()
    for theirs, mine in zip(theirs_form, our_form, strict=True):
        expected = original.render(Context({"field": theirs, **extra}))
        assert ours.render({"field": mine, **extra}) == expected, mine.name


def test_a_whole_form_is_written_as_crispy_writes_it():
    form = Every({"text": "far too long", "many": ["a"]})
    ours = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    assert 'id="div_id_text" class="mb-3"' in ours
    assert "Ensure this value has at most 5 characters" in ours


UNI_FORM_ORIGINAL = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/uni_form.html"


class Pair(forms.Form):
    start = forms.IntegerField(help_text="From")
    end = forms.IntegerField()

    def clean(self):
        if (self.cleaned_data.get("start") or 0) > (self.cleaned_data.get("end") or 0):
            raise forms.ValidationError("The start comes <after> the end.")
        return self.cleaned_data


WHOLE_FORMS = [*FIELD_FORMS, Pair, lambda: Pair({"start": "5", "end": "2"}), lambda: Pair({"start": "x"})]
WHOLE_CONTEXTS = [
    # What {{ form|crispy }} gives the form.
    {"field_class": "", "field_template": "bootstrap5/field.html", "form_show_errors": True, "form_show_labels": True},
    {"field_template": "bootstrap5/field.html", "form_show_errors": False, "form_show_labels": True},
    # Those the original answers: media included, another field template.
    {"field_template": "bootstrap5/field.html", "form_show_errors": True, "form_show_labels": True, "include_media": 1},
    {"field_template": "bootstrap5/layout/inline_field.html", "form_show_errors": True, "form_show_labels": True},
]


@pytest.mark.parametrize("make_form", WHOLE_FORMS)
@pytest.mark.parametrize("extra", WHOLE_CONTEXTS)
def test_each_whole_form_is_written_as_the_uni_form_template_writes_it(make_form, extra):
    """The project's uni_form.html (fields written directly) against crispy-bootstrap5's, errors summary included."""
    original = Template(UNI_FORM_ORIGINAL.read_text(), engine=engines["django"].engine)
    ours = get_template("bootstrap5/uni_form.html")
    theirs_form, our_form = make_form(), make_form()
    for form in (theirs_form, our_form):
        form.is_bound and form.is_valid()
    expected = original.render(Context({"form": theirs_form, **extra}))
    assert ours.render({"form": our_form, **extra}) == expected


def test_a_formset_and_a_helper_form_are_written_as_crispy_writes_them(monkeypatch):
    """Through crispy's own paths (a formset, {% crispy %}), with the tag writing fields and with it handing all to the original."""
    from crispy_forms.helper import FormHelper

    from compliance.templatetags import fast_crispy

    helper = FormHelper()
    helper.form_tag = False
    page = Template(
        "{% load crispy_forms_tags %}{{ formset|crispy }}|{% crispy form helper %}", engine=engines["django"].engine
    )

    def render():
        formset = forms.formset_factory(Pair, extra=2)()
        return page.render(Context({"formset": formset, "form": Pair({"start": "5", "end": "2"}), "helper": helper}))

    ours = render()
    monkeypatch.setattr(fast_crispy, "_FIELD", "no field template is called this")  # every form to the original
    assert ours == render()
    assert "The start comes &lt;after&gt; the end." in ours and 'name="form-1-end"' in ours
