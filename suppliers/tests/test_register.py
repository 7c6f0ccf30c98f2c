"""Register pages: who sees what, filters, detail explanation and history, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from suppliers.models import Supplier, SupplierCertificate, SupplierDocument, SupplierPortalLink
from suppliers.services import register as register_services
from suppliers.tests.factories import AuditFactory, FindingFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.LINE_MANAGER, roles.SAFEGUARDING_TEAM])
def test_roles_without_supplier_access_get_404(client, make_user, login, role):
    supplier = SupplierFactory()
    login(make_user(role))
    for url in (
        reverse("suppliers:index"),
        reverse("suppliers:detail", args=[supplier.pk]),
        reverse("suppliers:edit", args=[supplier.pk]),
        reverse("suppliers:audits"),
        reverse("suppliers:export"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("suppliers:activate", args=[supplier.pk])).status_code == 404


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN])
def test_readers_see_the_register_but_cannot_change_it(client, make_user, login, role):
    supplier = SupplierFactory(name="Brightclean Services Ltd")
    login(make_user(role))
    assert "Brightclean Services Ltd" in client.get(reverse("suppliers:index")).content.decode()
    page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "Brightclean Services Ltd" in page
    assert "Edit details" not in page
    # Pages only managers use do not exist for readers (404); an action on a page they see is forbidden (403).
    assert client.get(reverse("suppliers:create")).status_code == 404
    assert client.get(reverse("suppliers:edit", args=[supplier.pk])).status_code == 404
    assert client.post(reverse("suppliers:edit", args=[supplier.pk]), {"name": "Renamed"}).status_code == 404
    assert client.post(reverse("suppliers:activate", args=[supplier.pk])).status_code == 403
    assert client.get(reverse("suppliers:import")).status_code == 404
    supplier.refresh_from_db()
    assert supplier.name == "Brightclean Services Ltd"


def test_procurement_adds_a_supplier_and_sees_its_score_explained(client, procurement, login):
    login(procurement)
    response = client.post(
        reverse("suppliers:create"),
        {
            "name": "Northern Linen Ltd",
            "registration_number": "09876543",
            "category": "laundry",
            "countries": ["GB", "RO"],
            "annual_spend": "180000",
            "uses_agency_labour": "on",
            "contact_name": "Jo Smith",
            "contact_email": "jo@linen.example",
        },
    )
    supplier = Supplier.objects.get(name="Northern Linen Ltd")
    assert response.status_code == 302
    assert supplier.status == "prospective"
    page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    # Each factor and its points, adding up to the total shown.
    assert "Romania: High prevalence" in page
    assert "Laundry" in page
    assert "Uses agency labour" in page
    assert supplier.risk_score == 20 + 20 + 5 + 10 + 10
    assert f'data-testid="risk-total">{supplier.risk_score}<' in page
    assert "Added to the register." in page


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, procurement, login):
    login(procurement)
    response = client.post(
        reverse("suppliers:create"),
        {
            "name": "Half-typed Ltd",
            "category": "cleaning",
            "annual_spend": "lots",
            "contract_start": "2026-05-01",
            "contract_end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Half-typed Ltd"' in html
    assert "Enter a number." in html
    assert "The contract cannot end before it starts." in html
    assert not Supplier.objects.filter(name="Half-typed Ltd").exists()


def test_filters_and_search(client, procurement, login):
    SupplierFactory(name="Acme Cleaning", category="cleaning", countries=["GB", "IN"], status="active")
    SupplierFactory(name="Byte Hardware", category="it_hardware", countries=["CN"])
    SupplierFactory(name="Care Partners", category="commissioned_care", countries=["GB"], is_recruitment_agency=True)
    login(procurement)

    def names(**params):
        return [s.name for s in client.get(reverse("suppliers:index"), params).context["page"]]

    assert names(q="acme") == ["Acme Cleaning"]
    assert names(category="it_hardware") == ["Byte Hardware"]
    assert names(country="IN") == ["Acme Cleaning"]
    assert names(country="GB") == ["Acme Cleaning", "Care Partners"]
    assert names(status="active") == ["Acme Cleaning"]
    assert names(agency="on") == ["Care Partners"]
    SupplierFactory(name="Owned By Me", contract_owner=procurement)
    assert names(mine="on") == ["Owned By Me"]


def test_updates_are_in_the_history(client, procurement, login):
    supplier = register_services.supplier_create(
        actor=procurement, data={"name": "Fresh Foods", "category": "catering"}
    )
    login(procurement)
    client.post(
        reverse("suppliers:edit", args=[supplier.pk]),
        {"name": "Fresh Foods", "category": "catering", "annual_spend": "2000000", "countries": ["GB"]},
    )
    page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "Changed: " in page and "annual spend" in page
    assert "Register details changed" in page


@pytest.mark.parametrize("rows", [1, 50])
def test_register_list_queries_are_constant(client, procurement, login, django_assert_max_num_queries, rows):
    SupplierFactory.create_batch(rows)
    login(procurement)
    # session read, user, user's groups (roles), risk picture (2: supplier aggregates,
    # overdue actions), count, organisation name, unread notifications, page of suppliers
    # (owner joined, finding/action counts annotated), session save; the filter form's
    # country choices are in memory. Same at 1 and 50.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("suppliers:index"))
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_register_deep_pages_read_keys_first_in_constant_queries(
    client, procurement, login, django_assert_max_num_queries, monkeypatch, rows
):
    from compliance.web import DeepKeysFirstPaginator

    SupplierFactory.create_batch(rows)
    login(procurement)
    expected = [s.pk for s in client.get(reverse("suppliers:index")).context["page"]]
    # Every page as a deep page: the queries above, with the page's keys read before its rows.
    monkeypatch.setattr(DeepKeysFirstPaginator, "keys_first_from", 0)
    with django_assert_max_num_queries(13) as queries:
        response = client.get(reverse("suppliers:index"))
    assert [s.pk for s in response.context["page"]] == expected
    assert any('"suppliers_supplier"."id" AS "pk"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("rows", [1, 50])
def test_supplier_detail_queries_are_constant(client, procurement, login, django_assert_max_num_queries, rows):
    supplier = SupplierFactory()
    register_services.risk_assess(supplier=supplier)
    for n in range(rows):
        FindingFactory(audit=AuditFactory(supplier=supplier))
        register_services.supplier_event_record(supplier=supplier, kind="note", message="x")
        link = SupplierPortalLink.objects.create(
            supplier=supplier,
            contact_name="Kim",
            contact_email=f"k{n}@x.example",
            token_hash=f"{n:064d}",
            expires_at=timezone.now() + datetime.timedelta(days=9),
        )
        document = SupplierDocument.objects.create(supplier=supplier, original_name="a.pdf", size=1)
        SupplierCertificate.objects.create(supplier=supplier, title="Audit", document=document, uploaded_via=link)
    login(procurement)
    # session, user, roles, org, notifications; supplier; latest + earlier assessments;
    # audits + their findings (prefetch); actions; questionnaires; acceptances; current code;
    # enhanced checks; review tasks; documents; portal links; certificates (document joined);
    # tier-2/3 suppliers (the risk tables only when there are some); history; activation gate (EDD exists).
    with django_assert_max_num_queries(25):
        response = client.get(reverse("suppliers:detail", args=[supplier.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_audit_list_queries_are_constant(client, procurement, login, django_assert_max_num_queries, rows):
    for _ in range(rows):
        AuditFactory()
    login(procurement)
    # session read, user, roles, org, notifications, count, page of audits (supplier and
    # auditor joined, findings counted), session save. Same at 1 and 50.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("suppliers:audits"))
    assert len(response.context["page"]) == rows


def test_register_shows_the_risk_picture(client, board, login):
    SupplierFactory(risk_band="high", termination_recommended_at="2026-01-01T00:00Z")
    SupplierFactory(risk_band="low")
    SupplierFactory(risk_band="high", status="terminated")
    login(board)
    summary = client.get(reverse("suppliers:index")).context["summary"]
    assert (summary["high"], summary["low"], summary["decisions"]) == (1, 1, 1)


def test_supplier_detail_says_when_contract_dates_are_not_recorded(client, procurement, login):
    login(procurement)
    undated = SupplierFactory(contract_start=None, contract_end=None)
    html = client.get(reverse("suppliers:detail", args=[undated.pk])).content.decode()
    assert "Dates not recorded" in html and "? to ?" not in html
    open_ended = SupplierFactory(contract_start=datetime.date(2026, 1, 5), contract_end=None)
    html = client.get(reverse("suppliers:detail", args=[open_ended.pk])).content.decode()
    assert "5 Jan 2026 to end not recorded" in html


def test_register_counts_each_suppliers_open_findings_and_overdue_actions_by_the_one_rule(client, procurement, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from suppliers.models import CorrectiveAction, Finding
    from suppliers.tests.factories import CorrectiveActionFactory

    busy = SupplierFactory(name="A busy supplier")
    SupplierFactory(name="B quiet supplier")
    late = datetime.date.today() - datetime.timedelta(days=3)
    for _ in range(2):
        FindingFactory(audit=AuditFactory(supplier=busy))
    FindingFactory(audit=AuditFactory(supplier=busy), status=Finding.Status.CLOSED)
    CorrectiveActionFactory(finding=FindingFactory(audit=AuditFactory(supplier=busy)), due_date=late)
    CorrectiveActionFactory(finding=FindingFactory(audit=AuditFactory(supplier=busy)), due_date=late)
    CorrectiveActionFactory(finding=FindingFactory(audit=AuditFactory(supplier=busy)))  # not yet due
    CorrectiveActionFactory(  # verified: not open, so not overdue
        finding=FindingFactory(audit=AuditFactory(supplier=busy), status=Finding.Status.CLOSED),
        due_date=late,
        status=CorrectiveAction.Status.VERIFIED,
        verified_at=datetime.datetime.now(tz=datetime.UTC),
    )
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suppliers:index"))
    rows = {s.name: (s.open_findings, s.overdue_actions) for s in response.context["page"]}
    assert rows == {"A busy supplier": (5, 2), "B quiet supplier": (0, 0)}
    assert "2 overdue" in response.content.decode()
    # The overdue figure matches the summary's link (the one rule), and the register's total is a
    # plain COUNT over suppliers: no join to findings or actions, no GROUP BY.
    assert response.context["summary"]["overdue_actions"] == 2
    count = next(
        q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "suppliers_supplier" in q["sql"]
    )
    assert "GROUP BY" not in count and "suppliers_finding" not in count


def test_hr_reads_the_agencies_and_nothing_else_of_the_register(client, make_user, login):
    agency = SupplierFactory(name="Staffline Agency", is_recruitment_agency=True)
    staffing = SupplierFactory(name="Nurses On Call", category=Supplier.Category.AGENCY_STAFFING)
    SupplierFactory(name="Clean Co", category=Supplier.Category.CLEANING, is_recruitment_agency=False)
    login(make_user(roles.HR))
    response = client.get(reverse("suppliers:agencies"))
    assert response.status_code == 200
    assert {s.name for s in response.context["page"]} == {agency.name, staffing.name}
    html = response.content.decode()
    assert "Clean Co" not in html and "Read only" in html
    # Read only: the register pages, an agency's page and its changes stay closed to HR.
    for url in (reverse("suppliers:detail", args=[agency.pk]), reverse("suppliers:edit", args=[agency.pk])):
        assert client.get(url).status_code == 404
