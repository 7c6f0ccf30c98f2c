"""The API's supplier search (the case triage form's searchable select asks it): the register's readers only."""

from __future__ import annotations

import pytest

from compliance import roles
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

SUPPLIERS = "/api/v1/suppliers/autocomplete/"
SUPPLIER_READERS = {
    roles.PROCUREMENT,
    roles.MODERN_SLAVERY_LEAD,
    roles.BOARD_MEMBER,
    roles.DIRECTOR,
    roles.COMPLIANCE_ADMIN,
}


def test_supplier_search_needs_a_signed_in_user_and_refuses_a_long_query(client, procurement):
    assert client.get(SUPPLIERS).status_code in {401, 403}
    client.force_login(procurement)
    assert client.get(SUPPLIERS, {"q": "x" * 101}).json() == {
        "q": ["Ensure this field has no more than 100 characters."]
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_supplier_search_is_for_the_registers_readers_only(client, make_user, role):
    SupplierFactory(name="Acme Cleaning", registration_number="01234567")
    client.force_login(make_user(role))
    rows = client.get(SUPPLIERS, {"q": "acme"}).json()["results"]
    assert [row["label"] for row in rows] == (["Acme Cleaning"] if role in SUPPLIER_READERS else [])


def test_supplier_search_matches_name_or_registration_number(client, lead):
    acme = SupplierFactory(name="Acme Cleaning", registration_number="01234567")
    SupplierFactory(name="Byte Hardware", registration_number="07654321")
    client.force_login(lead)
    assert client.get(SUPPLIERS, {"q": "CLEAN"}).json()["results"] == [
        {"id": str(acme.pk), "label": "Acme Cleaning", "detail": "Prospective · 01234567"}
    ]
    assert [row["label"] for row in client.get(SUPPLIERS, {"q": "0765"}).json()["results"]] == ["Byte Hardware"]


@pytest.mark.parametrize("rows", [1, 50])
def test_supplier_search_keeps_constant_queries(client, procurement, django_assert_max_num_queries, rows):
    for n in range(rows):
        SupplierFactory(name=f"Supplier {n} Ltd")
    client.force_login(procurement)
    # session, user, roles (the register's rule), count, page, and the session save in a savepoint (3).
    with django_assert_max_num_queries(8):
        response = client.get(SUPPLIERS, {"q": "supplier"})
    assert response.json()["count"] == rows
