"""One supplier's page and the suppliers API read suppliers without the register rows' per-supplier counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from compliance.tests.factories import UserFactory
from suppliers import selectors
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _supplier_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "suppliers_supplier"."id"')]


def test_one_suppliers_page_reads_it_without_the_registers_counts(client, login, procurement):
    supplier = SupplierFactory(agency_cleared=True, agency_fees_checked_by=procurement)
    assert selectors.supplier_get(user=procurement, pk=supplier.pk) == supplier
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("suppliers:detail", args=[supplier.pk])).status_code == 200
    (read,) = _supplier_reads(queries)
    assert "suppliers_finding" not in read and "suppliers_correctiveaction" not in read
    assert '"compliance_user"' in read  # the people it names are joined


def test_the_api_list_reads_no_counts_and_joins_who_checked_each_agency(procurement, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(procurement)
    SupplierFactory(agency_cleared=True, agency_fees_checked_by=procurement, agency_ids_checked_by=procurement)
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/suppliers/suppliers/")
    # More agencies, each checked by someone else: the same queries (no read per checker).
    for _ in range(5):
        SupplierFactory(agency_cleared=True, agency_fees_checked_by=UserFactory(), agency_ids_checked_by=procurement)
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        body = api.get("/api/v1/suppliers/suppliers/").json()
    assert body["count"] == 6 and all(row["agency_fees_checked_by"] for row in body["results"])
    (read,) = _supplier_reads(many)
    assert "suppliers_finding" not in read and "suppliers_correctiveaction" not in read


def test_the_latest_assessment_is_the_first_of_the_listed_ones_read_once(client, login, procurement):
    from suppliers.services import register as register_services

    supplier = SupplierFactory()
    for reason in ("First look", "Second look", "Third look"):
        register_services.risk_assess(supplier=supplier, actor=procurement, reason=reason)
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suppliers:detail", args=[supplier.pk]))
    reads = [q for q in queries.captured_queries if 'FROM "suppliers_riskassessment"' in q["sql"]]
    assert len(reads) == 1
    assert response.context["latest"].reason == "Third look"
    assert [a.reason for a in response.context["assessments"]] == ["Third look", "Second look", "First look"]
    page = response.content.decode()
    assert "(Third look)" in page and "Earlier assessments" in page and ", First look" in page


def test_the_supply_chain_rows_read_the_tier_2_options_without_a_cursor(client, login, procurement):
    from suppliers.models import SubSupplier

    supplier = SupplierFactory()
    tier_2 = SubSupplier.objects.create(
        supplier=supplier, name="Linen Hire Ltd", country="GB", category="laundry", tier=SubSupplier.Tier.TIER_2
    )
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suppliers:supply_chain", args=[supplier.pk]))
    # A server-side cursor is DECLARE, FETCH and CLOSE for each row's handful of options.
    assert not [q["sql"] for q in queries.captured_queries if "DECLARE" in q["sql"]]
    page = response.content.decode()
    assert f'<option value="{tier_2.pk}">Linen Hire Ltd' in page and "None (tier 2)" in page


@pytest.mark.parametrize(("days_ago", "blocked"), [(30, False), (400, True)])
def test_the_activation_gate_on_the_page_reads_the_checks_it_lists(client, login, procurement, days_ago, blocked):
    import datetime

    from django.utils import timezone

    from suppliers.models import EnhancedDueDiligence, RiskBand

    supplier = SupplierFactory(risk_band=RiskBand.HIGH, risk_score=40)
    EnhancedDueDiligence.objects.create(
        supplier=supplier,
        recorded_by=procurement,
        recorded_at=timezone.now() - datetime.timedelta(days=days_ago),
        summary="Checked.",
    )
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suppliers:detail", args=[supplier.pk]))
    # The page lists every check; the gate reads that list instead of asking again (the one
    # query asking which lists have rows only says whether there are any).
    checks = 'SELECT "suppliers_enhancedduediligence"."id"'
    assert len([q for q in queries.captured_queries if q["sql"].startswith(checks)]) == 1
    assert any("enhanced due diligence" in b for b in response.context["blockers"]) == blocked


def test_the_api_writes_each_supplier_as_drf_would_without_its_per_field_lookups(procurement, monkeypatch):
    import datetime
    import decimal

    from django.utils import timezone
    from rest_framework import fields as drf_fields
    from rest_framework import serializers

    from suppliers.api import SupplierSerializer
    from suppliers.models import RiskBand

    SupplierFactory(
        name='Mixed <Co> & "Sons"',
        countries=["GB", "PL", "IN"],
        annual_spend=decimal.Decimal("1234567.89"),
        agency_cleared=True,
        agency_fees_checked_by=procurement,
        ppn009_assessor=procurement,
        ppn009_assessed_on=datetime.date(2026, 1, 2),
        termination_recommended_at=timezone.now(),
        risk_band=RiskBand.HIGH,
        risk_score=40,
    )
    SupplierFactory(contract_owner=None, countries=[], next_review_due=None)
    rows = list(selectors.supplier_records(user=procurement))
    serializer = SupplierSerializer(rows, many=True)
    drf = [serializers.Serializer.to_representation(serializer.child, row) for row in rows]
    lookups = []
    real = drf_fields.get_attribute
    monkeypatch.setattr(drf_fields, "get_attribute", lambda *a: lookups.append(a) or real(*a))
    assert serializer.data == drf
    assert lookups == []


def test_a_supplier_page_reads_only_the_lists_that_have_rows(client, login, procurement):
    from django.utils import timezone

    from suppliers.models import ReviewTask, SubSupplier, SupplierDocument

    bare, busy = SupplierFactory(), SupplierFactory()
    ReviewTask.objects.create(
        supplier=busy, assigned_to=procurement, reason="Annual review", due_date=timezone.localdate()
    )
    SupplierDocument.objects.create(supplier=busy, original_name="policy.pdf", size=1)
    SubSupplier.objects.create(supplier=busy, name="Linen Hire Ltd", country="GB", category="laundry")
    login(procurement)
    lists = (
        "suppliers_reviewtask",
        "suppliers_supplierdocument",
        "suppliers_subsupplier",
        "suppliers_suppliercertificate",
    )

    page, read = _page_reads(client, bare, lists)
    assert read == set() and "<li>None.</li>" in page
    page, read = _page_reads(client, busy, lists)
    assert read == {"suppliers_reviewtask", "suppliers_supplierdocument", "suppliers_subsupplier"}
    assert "policy.pdf" in page and "Annual review, due" in page and "Linen Hire Ltd" in page


def test_a_supplier_page_reads_its_audits_actions_questionnaires_and_checks_only_when_it_has_some(
    client, login, procurement
):
    import datetime

    from django.utils import timezone

    from suppliers.models import (
        CodeOfConduct,
        CodeOfConductAcceptance,
        EnhancedDueDiligence,
        QuestionnaireRequest,
        QuestionnaireTemplate,
    )
    from suppliers.tests.factories import CorrectiveActionFactory

    bare = SupplierFactory()
    busy = CorrectiveActionFactory(description="Cap weekly hours at 48").supplier
    QuestionnaireRequest.objects.create(
        supplier=busy,
        template=QuestionnaireTemplate.objects.first(),
        contact_name="Pat Contact",
        contact_email="pat@supplier.example",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    code = CodeOfConduct.objects.create(
        version="3", clauses="No fees.", effective_from=timezone.localdate(), published_at=timezone.now()
    )
    CodeOfConductAcceptance.objects.create(
        supplier=busy, code=code, accepted_on=timezone.localdate(), signed_by_name="Sam Signer"
    )
    EnhancedDueDiligence.objects.create(supplier=busy, summary="Owners traced", site_visit=True)
    login(procurement)
    lists = (
        "suppliers_audit",
        "suppliers_correctiveaction",
        "suppliers_questionnairerequest",
        "suppliers_codeofconductacceptance",
        "suppliers_enhancedduediligence",
    )

    page, read = _page_reads(client, bare, lists)
    assert read == set()
    assert "No audits yet." in page and "None sent." in page and "No acceptance recorded." in page
    page, read = _page_reads(client, busy, lists)
    assert read == set(lists)
    assert "Cap weekly hours at 48" in page and "Pat Contact" in page and "Sam Signer" in page
    assert "Owners traced" in page and "No audits yet." not in page


def _page_reads(client, supplier, tables) -> tuple[str, set[str]]:
    """The supplier page, and which of `tables` it read as a list of its own (SELECT ... FROM the
    table), not the one query asking which lists have rows."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    return page, {t for q in queries.captured_queries for t in tables if q["sql"].startswith(f'SELECT "{t}"."id"')}
