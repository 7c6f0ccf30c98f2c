"""Select options from a short model list read with one plain query.

Django reads a ModelChoiceField's options through QuerySet.iterator(), which on PostgreSQL
is a server-side cursor: DECLARE, FETCH until empty, CLOSE, four round trips for 30 case
workers. For the short lists a page offers in full (people of two roles, sites, first
responders) one query is cheaper; a long list offered through a search (SearchSelect) never
iterates its options at all. A page with two fields offering the same rows (the case page's
assignee and identity-grant people) reads them once and hands them to both (offer_rows).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator


class OneQueryChoices(ModelChoiceIterator):
    """ModelChoiceIterator reading its rows with one query (django_filters' null choice kept in its place)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        null_label = getattr(self.field, "null_label", None)  # django_filters' fields only
        if null_label is not None:
            yield (self.field.null_value, null_label)
        rows = getattr(self.field, "offered_rows", None)
        # A fresh copy of the queryset each time, as iterator() read afresh, unless the page read the rows.
        for row in self.queryset.all() if rows is None else rows:
            yield self.choice(row)

    def __len__(self):
        rows = getattr(self.field, "offered_rows", None)
        count = super().__len__() if rows is None else len(rows) + (self.field.empty_label is not None)
        return count + (getattr(self.field, "null_label", None) is not None)

    def __bool__(self):
        rows = getattr(self.field, "offered_rows", None)
        return super().__bool__() if rows is None else bool(self.field.empty_label is not None or rows)


def offer_rows(field, rows: list) -> None:
    """Offer ``rows`` (already read, in the queryset's order) as the options of a ShortModelChoiceField.

    What is submitted is still checked against the field's queryset; only the options shown come from
    the rows, so a page offering the same people in two forms reads them once.
    """
    field.offered_rows = rows


class ShortModelChoiceField(forms.ModelChoiceField):
    iterator = OneQueryChoices


class _ShortFilterField(django_filters.fields.ModelChoiceField):
    iterator = OneQueryChoices


class ShortModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose options are read with one query (OneQueryChoices)."""

    field_class = _ShortFilterField
