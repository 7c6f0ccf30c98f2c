"""Supplier API: same permissions as the pages, filtering, 400 not 500, constant queries."""

import pytest

from compliance import roles
from suppliers.models import Supplier
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, FindingFactory, SupplierFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/suppliers"


def test_procurement_creates_and_filters_suppliers(client, procurement, login):
    login(procurement)
    response = client.post(
        f"{BASE}/suppliers/",
        {
            "name": "API Cleaning",
            "category": "cleaning",
            "countries": ["GB", "BD"],
            "annual_spend": "50000",
            "contract_owner": procurement.email,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["risk_band"] and body["status"] == "prospective"
    SupplierFactory(name="Other", category="catering", countries=["FR"])
    assert [s["name"] for s in client.get(f"{BASE}/suppliers/", {"category": "cleaning"}).json()["results"]] == [
        "API Cleaning"
    ]
    assert [s["name"] for s in client.get(f"{BASE}/suppliers/", {"country": "BD"}).json()["results"]] == [
        "API Cleaning"
    ]
    assert [s["name"] for s in client.get(f"{BASE}/suppliers/", {"q": "oth"}).json()["results"]] == ["Other"]


def test_status_cannot_be_forced_through_the_api(client, procurement, login):
    supplier = SupplierFactory(agency_charging_fees=True)
    login(procurement)
    response = client.patch(f"{BASE}/suppliers/{supplier.pk}/", {"status": "active"}, content_type="application/json")
    assert response.status_code == 200
    supplier.refresh_from_db()
    assert supplier.status == "prospective"


def test_bad_input_is_a_400_with_field_errors(client, procurement, login):
    login(procurement)
    response = client.post(
        f"{BASE}/suppliers/",
        {
            "name": "",
            "category": "rockets",
            "countries": ["XX"],
            "annual_spend": "-5",
            "contract_owner": "nobody@x.example",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"name", "category", "countries", "contract_owner"} <= set(response.json())


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN])
def test_readers_read_but_cannot_write(client, make_user, login, role):
    supplier = SupplierFactory()
    login(make_user(role))
    assert client.get(f"{BASE}/suppliers/{supplier.pk}/").status_code == 200
    assert (
        client.post(
            f"{BASE}/suppliers/", {"name": "x", "category": "other"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.patch(f"{BASE}/suppliers/{supplier.pk}/", {"name": "y"}, content_type="application/json").status_code
        == 403
    )
    # Refused before the body is read: a reader's invalid write is 403, never its field errors (400).
    assert client.post(f"{BASE}/suppliers/", {}, content_type="application/json").status_code == 403
    assert (
        client.patch(
            f"{BASE}/suppliers/{supplier.pk}/", {"category": "rockets"}, content_type="application/json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.SAFEGUARDING_TEAM])
def test_others_get_404_everywhere(client, make_user, login, role):
    supplier = SupplierFactory()
    login(make_user(role))
    paths = (
        "suppliers/",
        f"suppliers/{supplier.pk}/",
        "risk-assessments/",
        "audits/",
        "findings/",
        "questionnaires/",
        "certificates/",
        "conduct-acceptances/",
    )
    for path in paths:
        # 404, not an empty list: the register's lists do not exist for people outside it.
        assert client.get(f"{BASE}/{path}").status_code == 404, path
    assert client.post(f"{BASE}/suppliers/", {"name": "x"}, content_type="application/json").status_code == 404


def test_contract_owner_sees_only_their_corrective_actions(client, make_user, login):
    owner = make_user(roles.STAFF)
    mine = CorrectiveActionFactory(owner=owner)
    CorrectiveActionFactory()
    login(owner)
    body = client.get(f"{BASE}/corrective-actions/").json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    assert client.get(f"{BASE}/suppliers/").status_code == 404


def test_findings_and_actions_filter(client, procurement, login):
    supplier = SupplierFactory()
    FindingFactory(audit__supplier=supplier, severity="critical")
    FindingFactory(severity="minor")
    login(procurement)
    results = client.get(f"{BASE}/findings/", {"severity": "critical"}).json()["results"]
    assert [f["supplier"] for f in results] == [supplier.pk]
    CorrectiveActionFactory(due_date=__import__("datetime").date(2020, 1, 1))
    assert len(client.get(f"{BASE}/corrective-actions/", {"overdue": "true"}).json()["results"]) == 1


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(
    "path,make",
    [
        ("suppliers/", lambda: SupplierFactory()),
        ("audits/", lambda: AuditFactory()),
        ("findings/", lambda: FindingFactory()),
        ("corrective-actions/", lambda: CorrectiveActionFactory()),
        (
            "risk-assessments/",
            lambda: __import__("suppliers.services.register", fromlist=["x"]).risk_assess(supplier=SupplierFactory()),
        ),
    ],
)
def test_api_lists_keep_constant_queries(client, procurement, login, django_assert_max_num_queries, rows, path, make):
    for _ in range(rows):
        make()
    login(procurement)
    # session, user, roles (permission), count, page (related rows joined), and the
    # session save wrapped in a savepoint (3). Same at 1 and 50 rows.
    with django_assert_max_num_queries(8):
        response = client.get(f"{BASE}/{path}")
    assert response.status_code == 200
    assert response.json()["count"] == rows
    assert Supplier.objects.exists()


def test_activation_gate_answers_400_with_the_reason(client, procurement, login):
    agency = SupplierFactory(agency_retaining_ids=True)
    login(procurement)
    response = client.post(f"{BASE}/suppliers/{agency.pk}/activate/")
    assert response.status_code == 400
    assert "policy 4.3" in str(response.json())
    clean = SupplierFactory()
    assert client.post(f"{BASE}/suppliers/{clean.pk}/activate/").json()["status"] == "active"


def test_owner_submits_evidence_and_procurement_verifies_through_the_api(client, make_user, procurement, login):
    owner = make_user(roles.STAFF)
    action = CorrectiveActionFactory(owner=owner)
    login(owner)
    assert (
        client.post(f"{BASE}/corrective-actions/{action.pk}/evidence/", {}, content_type="application/json").status_code
        == 400
    )
    response = client.post(
        f"{BASE}/corrective-actions/{action.pk}/evidence/",
        {"evidence": "Rota attached"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "evidence_submitted"
    assert client.post(
        f"{BASE}/corrective-actions/{action.pk}/verify/", {"accepted": True}, content_type="application/json"
    ).status_code in (403, 404)
    stranger = make_user(roles.STAFF)
    login(stranger)
    assert (
        client.post(
            f"{BASE}/corrective-actions/{action.pk}/evidence/", {"evidence": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    login(procurement)
    response = client.post(
        f"{BASE}/corrective-actions/{action.pk}/verify/", {"accepted": False}, content_type="application/json"
    )
    assert response.status_code == 400 and "note" in response.json()
    response = client.post(
        f"{BASE}/corrective-actions/{action.pk}/verify/",
        {"accepted": True, "note": "Seen"},
        content_type="application/json",
    )
    assert response.json()["status"] == "verified"


def test_a_register_reader_is_refused_verifying_an_action_before_its_body_is_read(client, board, login):
    action = CorrectiveActionFactory()
    login(board)
    url = f"{BASE}/corrective-actions/{action.pk}/verify/"
    assert client.get(f"{BASE}/corrective-actions/{action.pk}/").status_code == 200
    # 403 for a valid body and for an empty one alike: a reader never sees the form's field errors.
    for body in ({"accepted": True}, {}):
        assert client.post(url, body, content_type="application/json").status_code == 403
    action.refresh_from_db()
    assert action.verified_at is None
