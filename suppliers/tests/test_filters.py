"""One FilterSet per list: the page and its API endpoint answer the same query with the same rows."""

import copy

import pytest
from django.urls import reverse
from django_countries import countries

from compliance import roles
from suppliers.filters import SupplierFilter
from suppliers.models import Audit, CorrectiveAction
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/suppliers"


@pytest.fixture
def register(procurement):
    SupplierFactory(name="Acme Cleaning", category="cleaning", countries=["GB", "IN"], status="active")
    SupplierFactory(name="Byte Hardware", category="it_hardware", countries=["CN"], risk_band="high")
    SupplierFactory(name="Care Partners", category="commissioned_care", countries=["GB"], is_recruitment_agency=True)
    SupplierFactory(name="Owned By Me", countries=["IE"], contract_owner=procurement)


QUERIES = [
    {"q": "acme"},
    {"category": "it_hardware"},
    {"country": "IN"},
    {"country": "GB", "status": "active"},
    {"risk_band": "high"},
    {"agency": "true"},
    {"mine": "true"},
    {"order": "-annual_spend", "country": "GB"},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_the_register_page_and_the_api_filter_alike(client, procurement, login, register, query):
    login(procurement)
    page = [s.name for s in client.get(reverse("suppliers:index"), query).context["page"]]
    api = [s["name"] for s in client.get(f"{API}/suppliers/", query).json()["results"]]
    assert page == api
    assert page, "each query should match something, or the comparison proves little"


def test_the_api_refuses_a_filter_value_it_does_not_know(client, procurement, login, register):
    login(procurement)
    assert client.get(f"{API}/suppliers/", {"risk_band": "catastrophic"}).status_code == 400


def test_the_export_holds_the_rows_the_page_shows(client, procurement, login, register):
    login(procurement)
    body = b"".join(client.get(reverse("suppliers:export"), {"country": "GB"}).streaming_content).decode("utf-8-sig")
    assert "Acme Cleaning" in body and "Care Partners" in body and "Byte Hardware" not in body


def test_audit_and_action_lists_filter_alike_on_page_and_api(client, procurement, login):
    done = AuditFactory(status=Audit.Status.COMPLETED, result=Audit.Result.MAJOR)
    AuditFactory()
    login(procurement)
    page = [a.pk for a in client.get(reverse("suppliers:audits"), {"status": "completed"}).context["page"]]
    api = [a["id"] for a in client.get(f"{API}/audits/", {"status": "completed"}).json()["results"]]
    assert page == api == [done.pk]
    mine = CorrectiveActionFactory(owner=procurement)
    CorrectiveActionFactory()
    page = [a.pk for a in client.get(reverse("suppliers:actions"), {"mine": "true"}).context["page"]]
    api = [a["id"] for a in client.get(f"{API}/corrective-actions/", {"mine": "true"}).json()["results"]]
    assert page == api == [mine.pk]
    assert CorrectiveAction.objects.count() == 2


def test_a_supplier_filter_offers_only_suppliers_the_user_may_see(client, make_user, login):
    owner = make_user(roles.STAFF)
    theirs = CorrectiveActionFactory(owner=owner)
    CorrectiveActionFactory()
    login(owner)
    # An owner outside the register may list their actions, but not probe the register through the filter.
    response = client.get(f"{API}/corrective-actions/", {"supplier": theirs.supplier_id})
    assert response.status_code == 400
    assert [a["id"] for a in client.get(f"{API}/corrective-actions/").json()["results"]] == [theirs.pk]


def test_the_country_filter_offers_every_country_without_copying_them_per_request():
    # Each request deep-copies its FilterSet's filters: the 250 countries are shared, not copied each time,
    # and still every country django-countries lists, by code and name.
    choices = SupplierFilter.base_filters["country"].extra["choices"]
    assert copy.deepcopy(SupplierFilter.base_filters)["country"].extra["choices"] is choices
    assert list(choices) == [(code, name) for code, name in countries]
    field = SupplierFilter({}).form.fields["country"]
    assert list(field.choices) == [("", "Any country"), *choices]
