"""Select options from a short model list read with one plain query.

Django reads a ModelChoiceField's options through QuerySet.iterator(), which on PostgreSQL
is a server-side cursor: DECLARE, FETCH until empty, CLOSE, four round trips for 30 case
workers. For the short lists a page offers in full (people of two roles, sites, first
responders) one query is cheaper; a long list offered through a search (SearchSelect) never
iterates its options at all.
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
        for row in self.queryset.all():  # a fresh copy each time, as iterator() read afresh
            yield self.choice(row)

    def __len__(self):
        return super().__len__() + (getattr(self.field, "null_label", None) is not None)


class ShortModelChoiceField(forms.ModelChoiceField):
    iterator = OneQueryChoices


class _ShortFilterField(django_filters.fields.ModelChoiceField):
    iterator = OneQueryChoices


class ShortModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose options are read with one query (OneQueryChoices)."""

    field_class = _ShortFilterField
