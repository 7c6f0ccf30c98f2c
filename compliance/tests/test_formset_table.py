"""`{% formset_table %}`: every input labelled by its column and row, errors shown, caption escaped."""

from __future__ import annotations

from django import forms
from django.template import engines

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
