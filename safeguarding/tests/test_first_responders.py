"""The list of first responders (Compliance admin page and API) and the referral API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from compliance import roles
from safeguarding.models import FirstResponder, Referral, ReferralOutcome, Status, SubjectType
from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory, ReferralFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/safeguarding/first-responders/"


def api_client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the Compliance admin's page ----------------------------------------------------------


def test_compliance_admin_adds_and_deactivates_a_first_responder(client, login, compliance_admin, lead):
    FirstResponderFactory()
    login(compliance_admin)
    url = reverse("safeguarding:first_responders")
    assert "Local authority adult social care" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "new-name": "  Leeds City Council   adult safeguarding ",
            "new-category": "local_authority",
            "new-is_nrm_first_responder": "on",
            "new-has_duty_to_notify": "on",
            "new-active": "on",
        },
        follow=True,
    )
    assert "Leeds City Council adult safeguarding added" in response.content.decode()
    added = FirstResponder.objects.get(name="Leeds City Council adult safeguarding")
    assert added.has_duty_to_notify and added.active

    # A second entry with the same name (any case) is refused and the input kept.
    response = client.post(url, {"new-name": "leeds city council ADULT safeguarding", "new-category": "police"})
    assert response.status_code == 400
    assert "is already on the list" in response.content.decode()
    assert "leeds city council ADULT safeguarding" in response.content.decode()

    # Deactivated: no longer offered on the referral form, still on the referrals made through it.
    edit = reverse("safeguarding:first_responder_edit", args=[added.pk])
    response = client.post(
        edit, {"name": added.name, "category": "local_authority", "is_nrm_first_responder": "on"}, follow=True
    )
    assert "Leeds City Council adult safeguarding saved." in response.content.decode()
    added.refresh_from_db()
    assert not added.active and not added.has_duty_to_notify
    concern = ConcernFactory(status=Status.TRIAGED, risk_level="high")
    login(lead)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Local authority adult social care" in html
    assert "Leeds City Council adult safeguarding" not in html


@pytest.mark.parametrize("role", [roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM, roles.STAFF, roles.HR])
def test_only_the_compliance_admin_keeps_the_list(client, login, make_user, role):
    responder = FirstResponderFactory()
    login(make_user(role))
    assert client.get(reverse("safeguarding:first_responders")).status_code == 404
    assert client.get(reverse("safeguarding:first_responder_edit", args=[responder.pk])).status_code == 404
    response = client.post(reverse("safeguarding:first_responders"), {"new-name": "X", "new-category": "police"})
    assert response.status_code == 404
    assert not FirstResponder.objects.filter(name="X").exists()


# --- the API ------------------------------------------------------------------------------


def test_api_case_workers_read_the_list_and_only_the_admin_changes_it(make_user):
    responder = FirstResponderFactory()
    team = api_client_for(make_user(roles.SAFEGUARDING_TEAM))
    assert responder.name in team.get(LIST).content.decode()
    assert team.post(LIST, {"name": "Unseen UK", "category": "charity"}, format="json").status_code == 403
    assert team.patch(f"{LIST}{responder.pk}/", {"active": False}, format="json").status_code == 404
    assert not FirstResponder.objects.filter(name="Unseen UK").exists()
    assert api_client_for(make_user(roles.STAFF)).get(LIST).status_code == 404

    admin = api_client_for(make_user(roles.COMPLIANCE_ADMIN))
    response = admin.post(
        LIST, {"name": "Unseen UK", "category": "charity", "is_nrm_first_responder": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_nrm_first_responder"] is True
    response = admin.post(LIST, {"name": "UNSEEN uk", "category": "charity"}, format="json")
    assert response.status_code == 400 and "already on the list" in response.content.decode()
    response = admin.patch(f"{LIST}{responder.pk}/", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert admin.post(LIST, {"name": "No kind"}, format="json").status_code == 400


def test_api_records_a_referral_with_the_same_rules_as_the_page(make_user):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    responder = FirstResponderFactory()
    concern = ConcernFactory(status=Status.INVESTIGATING, risk_level="high", subject_type=SubjectType.SERVICE_USER)
    api = api_client_for(lead)
    url = f"/api/v1/safeguarding/cases/{concern.reference}/referrals/"
    body = {"responder": responder.pk, "kind": "nrm", "made_on": concern.created_at.date().isoformat()}
    # An adult without consent: 400 with the field named, nothing saved.
    response = api.post(url, body, format="json")
    assert response.status_code == 400 and "consent" in response.json()
    assert not concern.referrals.exists()
    # Age uncertain: treated as a child, no consent needed.
    response = api.post(
        url, {**body, "age_group": "uncertain", "safe_contact": "Via her support worker"}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["treated_as_child"] is True and data["consent"] == "not_required" and data["awaiting_outcome"] is True
    assert data["responder"] == responder.name
    # An unknown first responder is refused as not found.
    assert api.post(url, {**body, "responder": 999999}, format="json").status_code == 400

    referral = concern.referrals.get()
    outcome_url = f"{url}{referral.pk}/outcome/"
    final = {"outcome": "cg_positive", "outcome_on": concern.created_at.date().isoformat()}
    response = api.post(outcome_url, final, format="json")
    assert response.status_code == 400 and "children_services_contacted" in response.json()
    response = api.post(outcome_url, {**final, "children_services_contacted": True}, format="json")
    assert response.status_code == 200 and response.json()["outcome"] == ReferralOutcome.CG_POSITIVE
    assert api.post(f"{url}{ReferralFactory().pk}/outcome/", final, format="json").status_code == 404

    cqc = api.post(
        f"/api/v1/safeguarding/cases/{concern.reference}/cqc-notifications/",
        {"notified_on": concern.created_at.date().isoformat(), "cqc_reference": "INC-1"},
        format="json",
    )
    assert cqc.status_code == 201 and cqc.json()["cqc_reference"] == "INC-1"
    detail = api.get(f"/api/v1/safeguarding/cases/{concern.reference}/").json()
    assert detail["referrals"][0]["kind"] == Referral.Kind.NRM
    assert detail["cqc_notifications"][0]["cqc_reference"] == "INC-1"


def test_api_referral_is_404_for_a_case_out_of_scope(make_user):
    member = make_user(roles.SAFEGUARDING_TEAM)
    concern = ConcernFactory(status=Status.INVESTIGATING, risk_level="high", subject_type=SubjectType.STAFF)
    response = api_client_for(member).post(
        f"/api/v1/safeguarding/cases/{concern.reference}/referrals/", {}, format="json"
    )
    assert response.status_code == 404
