"""`{% formset_table %}`: every input labelled by its column and row, errors shown, caption escaped."""

from __future__ import annotations

from django import forms
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

TEMPLATE = engines["django"].from_string('{% load formset_tags %}{% formset_table formset "Sites <main>" %}')


class SiteForm(forms.Form):
    name = forms.CharField(label="Name")
    active = forms.BooleanField(label="Active", required=False)
    ref = forms.CharField(widget=forms.HiddenInput, required=False)


SiteFormSet = forms.formset_factory(SiteForm, extra=0, min_num=1, validate_min=True)


def test_each_input_is_labelled_by_column_and_row_with_hidden_fields_in_the_first_cell():
    formset = SiteFormSet(initial=[{"name": "Leeds", "ref": "a1"}, {"name": "York", "ref": "b2"}])
    html = TEMPLATE.render({"formset": formset})
    assert '<th scope="col">Name</th><th scope="col">Active</th>' in html
    assert '<label class="visually-hidden" for="id_form-1-name">Name, row 2</label>' in html
    # The hidden field rides in the row's first cell, not in a column of its own.
    assert '<td><input type="hidden" name="form-0-ref" value="a1" id="id_form-0-ref"><label' in html
    assert '<div class="form-check"><input type="checkbox" name="form-1-active"' in html
    assert 'aria-label="Sites &lt;main&gt;"' in html
    assert 'name="form-TOTAL_FORMS" value="2"' in html  # the management form, or nothing can be saved


def test_field_and_formset_errors_are_announced():
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    formset = SiteFormSet(data)
    assert not formset.is_valid()
    html = TEMPLATE.render({"formset": formset})
    assert '<div class="invalid-feedback d-block" role="alert">This field is required.</div>' in html
    data["form-TOTAL_FORMS"] = "0"
    formset = SiteFormSet(data)
    assert not formset.is_valid()
    assert '<div class="alert alert-danger" role="alert">' in TEMPLATE.render({"formset": formset})


def _cell_as_before(form, field, row, first):
    """The cell as format_html wrote it before the tag wrote f-strings (the markup must not change)."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    hidden = format_html_join("", "{}", ((h,) for h in form.hidden_fields())) if first else ""
    label = format_html(
        '<label class="visually-hidden" for="{}">{}, row {}</label>', field.id_for_label, field.label, row
    )
    widget = format_html('<div class="form-check">{}</div>', field) if field.widget_type == "checkbox" else str(field)
    errors = field.errors
    feedback = (
        format_html('<div class="invalid-feedback d-block" role="alert">{}</div>', " ".join(errors)) if errors else ""
    )
    return format_html("<td>{}{}{}{}</td>", hidden, label, mark_safe(widget), feedback)


class TrickyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name & <title>"), max_length=5)
    active = forms.BooleanField(label="Active", required=False)
    ref = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=mark_safe("<em>Note</em>"), required=False)

    def clean_note(self):
        if "bad" in self.cleaned_data["note"]:
            raise forms.ValidationError('Not "bad" <here> & there')
        return self.cleaned_data["note"]


def test_cells_are_the_markup_format_html_wrote(monkeypatch):
    from compliance.templatetags import formset_tags

    tricky = forms.formset_factory(TrickyForm, extra=1)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-name": 'Tom & "Jerry" <x>',  # too long: an error whose message is escaped
        "form-0-active": "on",
        "form-0-ref": "a<1>",
        "form-0-note": "bad 'quote'",
        "form-1-name": "York",
    }
    for formset in (tricky(data), tricky(initial=[{"name": "Leeds", "ref": "r&1", "note": "<b>"}])):
        formset.is_valid()
        html = TEMPLATE.render({"formset": formset})
        assert "invalid-feedback" in html or not formset.is_bound
        monkeypatch.setattr(formset_tags, "_cell", _cell_as_before)
        assert TEMPLATE.render({"formset": formset}) == html
        monkeypatch.undo()


def test_cells_escape_plain_strings_without_djangos_lazy_check(monkeypatch):
    # The organisation profile's 180 cells: format_html checked each of ~1,300 values for a lazy
    # string before escaping it (a third of the tables' time); plain strings now skip that check.
    from django.utils import html as django_html

    calls = []
    real = django_html.escape.__wrapped__ if hasattr(django_html.escape, "__wrapped__") else django_html.escape
    monkeypatch.setattr(django_html, "escape", lambda text: calls.append(text) or real(text))
    formset = SiteFormSet(initial=[{"name": f"Site {n}", "ref": str(n)} for n in range(20)])
    TEMPLATE.render({"formset": formset})
    assert len(calls) < 10, calls
