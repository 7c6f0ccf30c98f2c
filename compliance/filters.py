"""FilterSets for the core's lists (the access log, the people register).

Each page filters through its FilterSet over the selector's restricted queryset;
the forms in compliance/forms.py stay the base form so their checks (a date range
that ends before it starts) and labels are kept.
"""

import datetime

import django_filters
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from compliance.forms import AccessLogFilterForm, PeopleFilterForm
from compliance.model_choices import ShortModelChoiceFilter
from compliance.models import AccessLog, Department, User
from compliance.widgets import DateInput


class AccessLogFilterSet(django_filters.FilterSet):
    who = django_filters.CharFilter(method="filter_who", label="Person (name or email)")
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, empty_label="Any action")
    record = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label="Record contains")
    # Days as ranges of the timestamp (local midnight to midnight), not `at__date`: a cast of
    # every row to a date cannot use the index on `at`, and the log has a row per read.
    since = django_filters.DateFilter(method="filter_since", label="From", widget=DateInput())
    until = django_filters.DateFilter(method="filter_until", label="To", widget=DateInput())

    class Meta:
        model = AccessLog
        fields = ["who", "action", "record", "since", "until"]
        form = AccessLogFilterForm

    def filter_who(self, queryset, name, value):
        return queryset.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value))

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_midnight(value + datetime.timedelta(days=1)))


def _midnight(day: datetime.date) -> datetime.datetime:
    """The start of a day in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


PEOPLE_STATUSES = [("active", "Active"), ("left", "Left"), ("all", "Everyone")]


class PeopleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_name_or_email", label="Name or email")
    # Short lists (the roles, the departments): their options in one plain query each.
    role = ShortModelChoiceFilter(field_name="groups", queryset=Group.objects.order_by("name"), empty_label="Any role")
    department = ShortModelChoiceFilter(queryset=Department.objects.all(), empty_label="Any department")
    # Applied in filter_queryset: an empty choice still means the active people.
    status = django_filters.ChoiceFilter(choices=PEOPLE_STATUSES, method="filter_nothing", empty_label=None)

    class Meta:
        model = User
        fields = ["q", "role", "department", "status"]
        form = PeopleFilterForm

    def filter_name_or_email(self, queryset, name, value):
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = (self.form.cleaned_data.get("status") if self.is_bound else None) or "active"
        if status == "active":
            return queryset.filter(is_active=True)
        if status == "left":
            return queryset.filter(is_active=False)
        return queryset
