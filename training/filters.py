"""FilterSets shared by a list page and its API endpoint, so both filter the same way."""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.model_choices import ShortModelChoiceFilter
from compliance.models import Department, User
from compliance.widgets import DateInput
from training.models import DUE_SOON_DAYS, Course, TrainingRecord
from training.selectors import GROUP_BY_CHOICES

# The statuses the record list filters by (the page's select and the API's ?status=).
RECORD_STATUS_FILTERS = {
    "overdue": "Overdue",
    "due_soon": "Due in the next 30 days",
    "awaiting": "Awaiting confirmation",
    "expired": "Expired",
    "complete": "Completed",
}


def records_in_status(records: QuerySet[TrainingRecord], status: str, today: datetime.date) -> QuerySet:
    """Records in one of RECORD_STATUS_FILTERS on `today`; any other value leaves them all."""
    open_records = records.filter(completed_on__isnull=True)
    return {
        "overdue": open_records.filter(declared_on__isnull=True, due_on__lt=today),
        "due_soon": open_records.filter(
            declared_on__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        ),
        "awaiting": open_records.filter(declared_on__isnull=False),
        "expired": records.filter(expires_on__lte=today),
        "complete": records.filter(completed_on__isnull=False),
    }.get(status, records)


def _courses_for(request):
    # Only courses the asking user may see can be chosen; another id is a field error (400 in the API).
    if request is None:
        return Course.objects.none()
    return Course.objects.restrict(request.user, "view")


class TrainingRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_person", label="Name or email")
    status = django_filters.ChoiceFilter(
        choices=list(RECORD_STATUS_FILTERS.items()), method="filter_status", empty_label="All"
    )
    course = ShortModelChoiceFilter(queryset=_courses_for, empty_label="All")

    class Meta:
        model = TrainingRecord
        fields = ["q", "status", "course", "user"]

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value))

    def filter_status(self, queryset, name, value):
        return records_in_status(queryset, value, timezone.localdate())


class TeamFilterSet(django_filters.FilterSet):
    """The team training page: narrows the people the user oversees (a manager with 400 reports finds one)."""

    q = django_filters.CharFilter(method="filter_person", label="Name or email")
    # One plain query for the options (not a server-side cursor's four round trips).
    department = ShortModelChoiceFilter(
        queryset=Department.objects.order_by("name"), label="Department", empty_label="All departments"
    )

    class Meta:
        model = User
        fields = ["q", "department"]

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))


class CompletionRatesFilterSet(django_filters.FilterSet):
    """The parameters of the rates page and /api/v1/training/completion-rates/: as at, group by, course.

    Completion is an aggregate (selectors.completion_rates), not a list of rows, so these
    filters narrow no queryset: `rate_params()` hands their checked values to the selector.
    A course the user may not see is a field error (400 in the API), as on the records list.
    """

    as_of = django_filters.DateFilter(label="As at", method="as_parameter", widget=DateInput())
    group_by = django_filters.ChoiceFilter(
        label="Group by", choices=GROUP_BY_CHOICES, method="as_parameter", empty_label=None
    )
    course = ShortModelChoiceFilter(
        label="Course", queryset=_courses_for, method="as_parameter", empty_label="All courses"
    )

    class Meta:
        model = Course
        fields = ["as_of", "group_by", "course"]

    def as_parameter(self, queryset, name, value):
        return queryset

    def rate_params(self) -> dict:
        """The selector's arguments; the defaults (today, by course, every course) where none was given."""
        data = self.form.cleaned_data if self.is_valid() else {}
        course = data.get("course")
        return {
            "as_of": data.get("as_of"),
            "group_by": data.get("group_by") or "course",
            "course_id": course.pk if course else None,
        }
