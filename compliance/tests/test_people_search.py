"""The API's people and country searches, which the searchable selects ask as the user types.

Each person search answers under the rule of the page that has the field (User.objects.restrict
with "pick_<field>"; out of scope is an empty list), paginated, in a constant number of queries.
tests/test_search_select.py holds the forms and the parity with the pages themselves.
"""

from __future__ import annotations

import pytest

from compliance import roles
from compliance.models import PersonPick
from compliance.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/autocomplete/"
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
    assert client.get(COUNTRIES, {"q": "x" * 101}).status_code == 400


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


def test_country_search_reads_nothing_but_the_session(client, staff_user, django_assert_max_num_queries):
    client.force_login(staff_user)
    with django_assert_max_num_queries(6):
        assert client.get(COUNTRIES, {"q": "land"}).status_code == 200
