"""The case list's one FilterSet, shared by the Cases page, its CSV export and `/api/v1/safeguarding/cases/`.

It narrows a queryset that `selectors.concern_list(user=...)` already
restricted to the user's scope; it never widens it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.db.models import F
from django.utils import timezone

from compliance.model_choices import ShortModelChoiceFilter
from compliance.models import Site
from safeguarding import selectors
from safeguarding.models import RiskLevel, Status, SubjectType


class CaseOrder(models.TextChoices):
    DUE = "due", "Due soonest"
    RISK = "risk", "Highest risk first"


def _case_workers(request):
    # The filter shows each person's name (str(user): full name, else email) and filters by key.
    return selectors.case_workers().only("pk", "full_name", "email")


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference", field_name="reference", lookup_expr="icontains", max_length=20)
    status = django_filters.ChoiceFilter(label="Status", choices=Status.choices, empty_label="Any")
    risk_level = django_filters.ChoiceFilter(label="Risk", choices=RiskLevel.choices, empty_label="Any")
    assignee = ShortModelChoiceFilter(label="Assignee", queryset=_case_workers, empty_label="Anyone")
    subject_type = django_filters.ChoiceFilter(label="Concerns", choices=SubjectType.choices, empty_label="Anyone")
    site = ShortModelChoiceFilter(label="Site", queryset=Site.objects.all(), empty_label="Any site")
    # A checkbox on the page ("on"); `true`/`1` from API clients.
    overdue = django_filters.BooleanFilter(label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label="Order", choices=CaseOrder.choices, empty_label="Newest first", method="filter_sort"
    )

    @staticmethod
    def reads_the_clock(params) -> bool:
        """Whether these parameters ask for the overdue cases: their total changes with time, not only on a write."""
        return bool(params.get("overdue"))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.exclude(status=Status.CLOSED).filter(due_at__lt=timezone.now())

    def filter_sort(self, queryset, name, value):
        # Each order matches one index on Concern (Meta.indexes), the pk last so pages do not overlap.
        if value == CaseOrder.DUE:
            return queryset.order_by(F("due_at").asc(nulls_last=True), "-created_at", "-pk")
        if value == CaseOrder.RISK:
            return queryset.order_by("risk_rank", F("due_at").asc(nulls_last=True), "-pk")
        return queryset

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            for name, field in form.fields.items():
                if name == "overdue":
                    field.widget.attrs["class"] = "form-check-input"
                elif isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] = "form-select"
                else:
                    field.widget.attrs["class"] = "form-control"
            form.styled = True
        return form
