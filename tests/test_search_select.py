"""Search as you type: the API's people, supplier and country searches, and the forms that use them.

Each search answers under the rule of the page that has the field (restrict(); out of scope is an
empty list), paginated, in a constant number of queries. The forms render only the stored choice
(never the whole table), refuse an id outside the user's scope, and without JavaScript take a
typed name through the search box below the select.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from compliance import roles
from compliance.models import PersonPick
from compliance.tests.factories import UserFactory
from safeguarding.forms import TriageForm
from safeguarding.models import Status
from safeguarding.tests.factories import ConcernFactory
from suppliers.forms import AuditForm, CorrectiveActionForm, SupplierForm
from suppliers.models import Supplier
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/autocomplete/"
SUPPLIERS = "/api/v1/suppliers/autocomplete/"
COUNTRIES = "/api/v1/countries/autocomplete/"

# Who may search people for each field: the roles of the page that has the field.
PICKERS = {
    PersonPick.CONTRACT_OWNER: {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    PersonPick.AUDITOR: {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    PersonPick.ACTION_OWNER: {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    PersonPick.LINE_MANAGER: {roles.COMPLIANCE_ADMIN},
    PersonPick.CASE_ASSIGNEE: {roles.MODERN_SLAVERY_LEAD},
    PersonPick.RISK_OWNER: {roles.MODERN_SLAVERY_LEAD},
    PersonPick.TRAINEE: {roles.HR, roles.COMPLIANCE_ADMIN},
}
SUPPLIER_READERS = {
    roles.PROCUREMENT,
    roles.MODERN_SLAVERY_LEAD,
    roles.BOARD_MEMBER,
    roles.DIRECTOR,
    roles.COMPLIANCE_ADMIN,
}


def _options(html: str, name: str) -> list[str]:
    """The values of the <option>s of the select called ``name``."""
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(0))


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_people_search_answers_each_field_under_its_pages_rule(client, make_user, role):
    make_user(roles.SAFEGUARDING_TEAM, full_name="Sam Casework")
    UserFactory(full_name="Lee Leaver", is_active=False)
    client.force_login(make_user(role))
    for pick, allowed in PICKERS.items():
        response = client.get(PEOPLE, {"field": pick})
        assert response.status_code == 200, (pick, response.content)
        names = [row["label"] for row in response.json()["results"]]
        if role in allowed:
            assert "Sam Casework" in names, pick
            assert "Lee Leaver" not in names, f"{pick}: a leaver is offered"
        else:
            assert names == [], f"{role} searched people for {pick}"


def test_people_search_matches_name_or_email_and_says_which_person(client, procurement):
    UserFactory(full_name="Ann Smith", email="ann.smith@example.org", job_title="Chef")
    UserFactory(full_name="Ann Smith", email="ann.s2@example.org", job_title="")
    UserFactory(full_name="Bob Jones", email="bob@example.org")
    client.force_login(procurement)
    rows = client.get(PEOPLE, {"field": "contract_owner", "q": "ann s"}).json()["results"]
    assert [row["detail"] for row in rows] == ["ann.s2@example.org", "ann.smith@example.org · Chef"]
    assert [row["label"] for row in client.get(PEOPLE, {"field": "auditor", "q": "BOB@"}).json()["results"]] == [
        "Bob Jones"
    ]


def test_case_assignees_are_only_the_lead_and_the_team(client, make_user):
    lead = make_user(roles.MODERN_SLAVERY_LEAD, full_name="Lena Lead")
    make_user(roles.SAFEGUARDING_TEAM, full_name="Tom Team")
    make_user(roles.PROCUREMENT, full_name="Pat Procurement")
    client.force_login(lead)
    labels = {row["label"] for row in client.get(PEOPLE, {"field": "case_assignee"}).json()["results"]}
    assert labels == {"Lena Lead", "Tom Team"}


def test_searches_refuse_bad_parameters_with_field_errors(client, procurement):
    client.force_login(procurement)
    response = client.get(PEOPLE, {"field": "boss", "q": "x" * 101})
    assert response.status_code == 400
    assert set(response.json()) == {"field", "q"}
    assert client.get(PEOPLE).json() == {"field": ["This field is required."]}
    assert client.get(SUPPLIERS, {"q": "x" * 101}).status_code == 400
    assert client.get(COUNTRIES, {"q": "x" * 101}).status_code == 400


@pytest.mark.parametrize("url", [PEOPLE + "?field=contract_owner", SUPPLIERS, COUNTRIES])
def test_searches_need_a_signed_in_user(client, url):
    assert client.get(url).status_code in {401, 403}


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


def test_country_search_by_name_or_code_and_paginated(client, staff_user):
    client.force_login(staff_user)
    everything = client.get(COUNTRIES).json()
    assert everything["count"] > 240
    assert len(everything["results"]) == 50 and everything["next"]
    assert {"id": "GB", "label": "United Kingdom", "detail": "GB"} in client.get(COUNTRIES, {"q": "kingdom"}).json()[
        "results"
    ]
    found = [row["id"] for row in client.get(COUNTRIES, {"q": "fr"}).json()["results"]]
    assert {"FR", "ZA"} <= set(found)  # France by its code and name, South Africa by its name


@pytest.mark.parametrize("rows", [1, 50])
def test_people_search_keeps_constant_queries(client, procurement, django_assert_max_num_queries, rows):
    for n in range(rows):
        UserFactory(full_name=f"Quillon {n}")
    client.force_login(procurement)
    # session, user, roles (the page's rule), count, page, and the session save in a savepoint (3).
    with django_assert_max_num_queries(8):
        response = client.get(PEOPLE, {"field": "contract_owner", "q": "quillon"})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_supplier_search_keeps_constant_queries(client, procurement, django_assert_max_num_queries, rows):
    for n in range(rows):
        SupplierFactory(name=f"Supplier {n} Ltd")
    client.force_login(procurement)
    # session, user, roles (the register's rule), count, page, and the session save in a savepoint (3).
    with django_assert_max_num_queries(8):
        response = client.get(SUPPLIERS, {"q": "supplier"})
    assert response.json()["count"] == rows


def test_country_search_reads_nothing_but_the_session(client, staff_user, django_assert_max_num_queries):
    client.force_login(staff_user)
    with django_assert_max_num_queries(6):
        assert client.get(COUNTRIES, {"q": "land"}).status_code == 200


# --- the forms -------------------------------------------------------------------------------


def test_a_new_cases_page_does_not_carry_the_register(client, lead):
    suppliers = [SupplierFactory() for _ in range(40)]
    concern = ConcernFactory(status=Status.NEW, linked_supplier=suppliers[3])
    client.force_login(lead)
    html = client.get(reverse("safeguarding:case_detail", args=[concern.reference])).content.decode()
    # Only the stored link (and "None") is in the page; the combobox asks the API for the rest.
    assert _options(html, "triage-linked_supplier") == ["", str(suppliers[3].pk)]
    assert 'data-search-url="/api/v1/suppliers/autocomplete/?"' in html
    assert 'name="triage-linked_supplier__search"' in html
    assert "Search for the supplier in the register by name" in html


def test_triage_refuses_a_supplier_outside_the_users_scope(make_user):
    supplier = SupplierFactory()
    data = {"triage-risk_level": "high", "triage-linked_supplier": str(supplier.pk)}
    assert TriageForm(data, prefix="triage", user=make_user(roles.MODERN_SLAVERY_LEAD)).is_valid()
    # The Safeguarding team does not read the register: the same id is not a choice for them,
    # nor for a form made without a user.
    for user in (make_user(roles.SAFEGUARDING_TEAM), None):
        form = TriageForm(data, prefix="triage", user=user)
        assert not form.is_valid()
        assert "linked_supplier" in form.errors


def test_triage_without_javascript_finds_the_supplier_by_name(client, lead):
    wanted = SupplierFactory(name="Harbour Laundry Services")
    SupplierFactory(name="Harbour Catering")
    SupplierFactory(name="Inland Transport")
    concern = ConcernFactory(status=Status.NEW)
    client.force_login(lead)
    url = reverse("safeguarding:case_action", args=[concern.reference, "triage"])
    data = {"triage-risk_level": "high", "triage-note": "Kept as typed", "triage-linked_supplier": ""}

    response = client.post(url, {**data, "triage-linked_supplier__search": "harbour"})
    assert response.status_code == 400
    html = response.content.decode()
    # Two match: both are offered in the list, nothing else, and what was typed is kept.
    assert "2 match “harbour” (Harbour Catering, Harbour Laundry Services)" in html
    assert sorted(_options(html, "triage-linked_supplier")[1:]) == sorted(
        str(pk) for pk in Supplier.objects.filter(name__startswith="Harbour").values_list("pk", flat=True)
    )
    assert "Kept as typed" in html
    concern.refresh_from_db()
    assert concern.status == Status.NEW

    response = client.post(url, {**data, "triage-linked_supplier__search": "nowhere"})
    assert "Nothing matches “nowhere”" in response.content.decode()

    response = client.post(url, {**data, "triage-linked_supplier__search": "laundry"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.TRIAGED and concern.linked_supplier == wanted


def test_edit_forms_render_only_the_stored_person(procurement):
    people = [UserFactory(full_name=f"Person {n}") for n in range(20)]
    gone = UserFactory(full_name="Former Owner", is_active=False)
    supplier = SupplierFactory(contract_owner=gone)
    form = SupplierForm(instance=supplier)
    html = str(form["contract_owner"])
    # The stored owner (who has left) round-trips; nobody else is in the page.
    assert _options(html, "contract_owner") == ["", str(gone.pk)]
    assert 'data-search-url="/api/v1/people/autocomplete/?field=contract_owner"' in html
    assert AuditForm()["auditor"].field.widget.source == "api-people-search"
    assert _options(str(CorrectiveActionForm(initial={"owner": people[4].pk})["owner"]), "owner") == [
        "",
        str(people[4].pk),
    ]
    # The countries stay all in the page (250 options), searchable by the combobox.
    countries = str(form["countries"])
    assert 'data-search-select="local"' in countries
    assert countries.count("<option") > 240


def test_a_person_form_refuses_an_inactive_line_manager_it_does_not_hold(admin_user):
    from compliance.forms import PersonForm

    gone = UserFactory(is_active=False)
    person = UserFactory()
    form = PersonForm(instance=person, data={"email": person.email, "full_name": "X", "line_manager": str(gone.pk)})
    form.is_valid()
    assert "line_manager" in form.errors


def _pages_with_person_fields():
    """PersonPick -> [(page, field name on it)]: every page that has a person field, from stored rows."""
    from suppliers.tests.factories import FindingFactory

    supplier = SupplierFactory()
    finding = FindingFactory(audit__supplier=supplier)
    concern = ConcernFactory(status=Status.NEW)
    return {
        PersonPick.CONTRACT_OWNER: [
            ("/suppliers/new/", "contract_owner"),
            (f"/suppliers/{supplier.pk}/edit/", "contract_owner"),
        ],
        PersonPick.AUDITOR: [(f"/suppliers/{supplier.pk}/audits/new/", "auditor")],
        PersonPick.ACTION_OWNER: [(f"/suppliers/findings/{finding.pk}/actions/new/", "owner")],
        PersonPick.LINE_MANAGER: [("/organisation/people/new/", "line_manager")],
        PersonPick.CASE_ASSIGNEE: [(f"/cases/{concern.reference}/", "triage-assignee")],
        PersonPick.RISK_OWNER: [("/reporting/risks/new/", "owner"), ("/reporting/actions/new/", "owner")],
        PersonPick.TRAINEE: [("/training/admin/records/assign/", "user")],
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_people_search_for_a_field_answers_exactly_whoever_gets_the_page_with_it(client, make_user, role):
    pages = _pages_with_person_fields()
    assert set(pages) == set(PersonPick), "a PersonPick without its page here"
    client.force_login(make_user(role))
    for pick, places in pages.items():
        searchable = bool(client.get(PEOPLE, {"field": pick}).json()["results"])
        for url, field in places:
            response = client.get(url)
            has_field = response.status_code == 200 and f'name="{field}"' in response.content.decode()
            assert has_field == searchable, f"{role}: {url} {'has' if has_field else 'lacks'} {field}, search {pick}"
