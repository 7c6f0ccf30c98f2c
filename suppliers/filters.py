"""One FilterSet per supplier list, shared by the page and its API endpoint.

Each filters a queryset its selector already restricted to what the user may see;
a filter narrows, it never widens. On a page an invalid value is ignored (the form
shows it); the API answers 400 (DjangoFilterBackend).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django_countries import countries

from compliance.widgets import SearchSelect
from suppliers.models import (
    Audit,
    CodeOfConductAcceptance,
    ContractType,
    CorrectiveAction,
    Finding,
    QuestionnaireRequest,
    RiskAssessment,
    RiskBand,
    Supplier,
    SupplierCertificate,
)

# The register's sort orders: (value, label); the page offers them, the API accepts them.
SUPPLIER_ORDERS = [
    ("name", "Name"),
    ("-risk_score", "Highest risk first"),
    ("-annual_spend", "Highest spend first"),
    ("next_review_due", "Review due soonest"),
]


# LSAS certificate states the register filters by; "expiring" uses the reminder's window.
LSAS_STATUSES = [
    ("current", "Certified, current"),
    ("expiring", "Certificate expiring within 60 days"),
    ("expired", "Certificate expired"),
    ("none", "No LSAS level recorded"),
]


class _SharedChoices(tuple):
    """Choices every form may share: a tuple of (str, str) pairs nothing changes, so a deep copy is itself.

    Each request deep-copies its FilterSet's filters and then its form's fields, choices and all:
    250 countries (django-countries' named tuples) were two copies of 250 objects per page.
    """

    __slots__ = ()

    def __deepcopy__(self, memo):
        return self


# Read once at import, in the default language, as the filter has always offered them.
COUNTRY_CHOICES = _SharedChoices((str(code), str(name)) for code, name in countries)


def _signed_in(request) -> bool:
    return request is not None and request.user.is_authenticated


# A filter by supplier or audit offers (and accepts) only the rows the asking user may see.
def _suppliers_seen(request):
    return Supplier.objects.restrict(request.user if request else None)


def _audits_seen(request):
    return Audit.objects.restrict(request.user if request else None)


class SupplierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Name, registration number or contact"
    )
    category = django_filters.ChoiceFilter(choices=Supplier.Category.choices, empty_label="Any category")
    status = django_filters.ChoiceFilter(choices=Supplier.Status.choices, empty_label="Any status")
    risk_band = django_filters.ChoiceFilter(label="Risk", choices=RiskBand.choices, empty_label="Any risk")
    country = django_filters.ChoiceFilter(
        label="Country of operation",
        choices=COUNTRY_CHOICES,
        empty_label="Any country",
        method="filter_country",
        widget=SearchSelect,  # 250 countries: type to find one
    )
    contract_type = django_filters.ChoiceFilter(choices=ContractType.choices, empty_label="Any contract type")
    lsas = django_filters.ChoiceFilter(
        label="LSAS", choices=LSAS_STATUSES, empty_label="Any LSAS status", method="filter_lsas"
    )
    mine = django_filters.BooleanFilter(label="Only suppliers I own", method="filter_mine", widget=forms.CheckboxInput)
    agency = django_filters.BooleanFilter(label="Agencies only", method="filter_agency", widget=forms.CheckboxInput)
    termination_recommended = django_filters.BooleanFilter(
        label="Decision needed", method="filter_termination_recommended", widget=forms.CheckboxInput
    )
    order = django_filters.ChoiceFilter(
        label="Sort by", choices=SUPPLIER_ORDERS, method="filter_order", empty_label=None
    )

    class Meta:
        model = Supplier
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(registration_number__icontains=value) | Q(contact_name__icontains=value)
        )

    def filter_country(self, queryset, name, value):
        # CountryField(multiple=True) stores "GB,IN": match the code as a whole item.
        code = value.upper()
        return queryset.filter(
            Q(countries=code)
            | Q(countries__startswith=f"{code},")
            | Q(countries__endswith=f",{code}")
            | Q(countries__contains=f",{code},")
        )

    def filter_mine(self, queryset, name, value):
        if not value or not _signed_in(self.request):
            return queryset
        return queryset.filter(contract_owner=self.request.user)

    def filter_lsas(self, queryset, name, value):
        from suppliers.services.procurement import LSAS_REMIND_DAYS

        today = timezone.localdate()
        soon = today + datetime.timedelta(days=LSAS_REMIND_DAYS)
        if value == "none":
            return queryset.filter(lsas_level="")
        certified = queryset.exclude(lsas_level="")
        if value == "expired":
            return certified.filter(lsas_certificate_expiry__lt=today)
        if value == "expiring":
            return certified.filter(lsas_certificate_expiry__gte=today, lsas_certificate_expiry__lte=soon)
        # Current: not expired (a level without a recorded expiry counts as current).
        return certified.filter(Q(lsas_certificate_expiry__isnull=True) | Q(lsas_certificate_expiry__gte=today))

    def filter_agency(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(is_recruitment_agency=True) | Q(category=Supplier.Category.AGENCY_STAFFING))

    def filter_termination_recommended(self, queryset, name, value):
        return queryset.filter(termination_recommended_at__isnull=False) if value else queryset

    def filter_order(self, queryset, name, value):
        return queryset.order_by(value, "pk") if value else queryset


class RiskAssessmentFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)

    class Meta:
        model = RiskAssessment
        fields = ["supplier", "band"]


class AuditFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)
    status = django_filters.ChoiceFilter(choices=Audit.Status.choices, empty_label="Any status")
    result = django_filters.ChoiceFilter(choices=Audit.Result.choices, empty_label="Any result")
    kind = django_filters.ChoiceFilter(choices=Audit.Kind.choices, empty_label="Any kind")
    method = django_filters.ChoiceFilter(choices=Audit.Method.choices, empty_label="Any method")

    class Meta:
        model = Audit
        fields = ["supplier", "status", "result", "kind", "method"]


class FindingFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)
    audit = django_filters.ModelChoiceFilter(queryset=_audits_seen)

    class Meta:
        model = Finding
        fields = ["supplier", "audit", "source", "severity", "status"]


class SupplierCertificateFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = SupplierCertificate
        fields = ["supplier", "kind", "expires_before"]


class CodeOfConductAcceptanceFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)

    class Meta:
        model = CodeOfConductAcceptance
        fields = ["supplier", "code", "source"]


class CorrectiveActionFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    mine = django_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = CorrectiveAction
        fields = ["supplier", "status", "escalation_level"]

    def filter_overdue(self, queryset, name, value):
        # The one rule for "overdue", so the register's "Overdue: N" link shows exactly N rows.
        overdue = CorrectiveAction.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_mine(self, queryset, name, value):
        if not value or not _signed_in(self.request):
            return queryset
        return queryset.filter(owner=self.request.user)


class QuestionnaireFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=QuestionnaireRequest.Status.choices, empty_label="Any status")
    supplier = django_filters.ModelChoiceFilter(queryset=_suppliers_seen)

    class Meta:
        model = QuestionnaireRequest
        fields = ["status", "supplier"]
