"""The register's risk picture and list totals are cached figures (suppliers.figures): read once, never stale."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from suppliers import selectors
from suppliers.figures import register_figures_changed
from suppliers.models import RiskBand, Supplier
from suppliers.services import register as register_services
from suppliers.services.imports import import_apply
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory
from suppliers.tests.test_import_export import GOOD, HEADER

pytestmark = pytest.mark.django_db

SUMMARY_SQL = 'AS "high"'
COUNT_SQL = 'COUNT(*) AS "__count" FROM "suppliers_supplier"'


def _register_file(*rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _register(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suppliers:index"), params or {})
    sql = [q["sql"] for q in queries.captured_queries]
    return response.context, sql


def test_the_risk_picture_and_total_are_read_once_then_from_the_cache(client, login, procurement):
    SupplierFactory.create_batch(2, risk_band=RiskBand.HIGH)
    login(procurement)
    first, sql = _register(client)
    assert first["summary"]["high"] == 2 and first["page"].paginator.count == 2
    assert any(SUMMARY_SQL in s for s in sql) and any(COUNT_SQL in s for s in sql)
    again, sql = _register(client)
    assert again["summary"] == first["summary"] and again["page"].paginator.count == 2
    assert not [s for s in sql if s.startswith("SELECT COUNT") and "suppliers_" in s or SUMMARY_SQL in s]


def test_every_kind_of_write_retires_them(client, login, procurement):
    today = timezone.localdate()
    supplier = SupplierFactory(risk_band=RiskBand.LOW)
    login(procurement)

    def shown(params=None):
        context, _sql = _register(client, params)
        return context["summary"], context["page"].paginator.count

    assert shown() == ({**shown()[0], "low": 1, "high": 0, "overdue_actions": 0}, 1)
    # A save (post_save): a new supplier, and a band changed through the form's service.
    SupplierFactory(risk_band=RiskBand.HIGH)
    assert shown()[0]["high"] == 1 and shown()[1] == 2
    # An overdue action appears (post_save on the action).
    action = CorrectiveActionFactory(finding__audit__supplier=supplier, due_date=today - datetime.timedelta(days=2))
    assert shown()[0]["overdue_actions"] == 1
    # Deadlines extended by a decision: a queryset update() of the actions, then the supplier saved.
    Supplier.objects.filter(pk=supplier.pk).update(termination_recommended_at=timezone.now())
    register_services.supplier_decision_record(
        supplier=supplier,
        actor=procurement,
        decision=register_services.Decision.EXTEND,
        reason="Evidence promised next week",
        new_due_date=today + datetime.timedelta(days=14),
    )
    action.refresh_from_db()
    assert action.due_date > today and shown()[0]["overdue_actions"] == 0
    # Rescoring writes the band with an update(): the picture follows it.
    Supplier.objects.filter(pk=supplier.pk).update(risk_band=RiskBand.MEDIUM)  # as if scored medium before
    register_figures_changed()
    assert shown()[0]["medium"] == 1
    register_services.risk_assess(supplier=Supplier.objects.get(pk=supplier.pk))
    assert Supplier.objects.get(pk=supplier.pk).risk_band != RiskBand.MEDIUM and shown()[0]["medium"] == 0
    # An import writes in bulk.
    before = shown()[1]
    assert not import_apply(actor=procurement, filename="r.csv", content=_register_file(GOOD)).errors
    assert shown()[1] == Supplier.objects.count() > before
    # A filtered total is its own figure, and follows writes too.
    assert shown({"risk_band": RiskBand.HIGH})[1] == Supplier.objects.filter(risk_band=RiskBand.HIGH).count()
    Supplier.objects.get(risk_band=RiskBand.HIGH, pk__gt=supplier.pk).delete()
    assert shown({"risk_band": RiskBand.HIGH})[1] == Supplier.objects.filter(risk_band=RiskBand.HIGH).count()


def test_the_api_total_is_the_same_cached_figure(procurement):
    SupplierFactory.create_batch(3)
    api = APIClient()
    api.force_authenticate(procurement)
    assert api.get("/api/v1/suppliers/suppliers/").json()["count"] == 3
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/suppliers/suppliers/").json()["count"] == 3
    assert not [q for q in queries.captured_queries if COUNT_SQL in q["sql"]]
    SupplierFactory()
    assert api.get("/api/v1/suppliers/suppliers/").json()["count"] == 4


def test_who_may_not_read_the_register_gets_no_cached_picture(procurement, make_user):
    from compliance import roles

    SupplierFactory(risk_band=RiskBand.HIGH)
    assert selectors.register_summary(user=procurement)["high"] == 1
    assert selectors.register_summary(user=make_user(roles.STAFF))["high"] == 0


def test_the_agency_list_total_is_cached_and_follows_a_new_agency(client, login, procurement):
    SupplierFactory(agency_cleared=True)
    login(procurement)
    assert client.get(reverse("suppliers:agencies")).context["page"].paginator.count == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("suppliers:agencies")).context["page"].paginator.count == 1
    assert not [q for q in queries.captured_queries if COUNT_SQL in q["sql"]]
    SupplierFactory(agency_charging_fees=True)
    assert client.get(reverse("suppliers:agencies")).context["page"].paginator.count == 2


def test_a_list_that_can_match_nothing_counts_zero():
    assert selectors.register_count(Supplier.objects.none()) == 0
    assert selectors.register_count(Supplier.objects.filter(pk__in=[])) == 0
