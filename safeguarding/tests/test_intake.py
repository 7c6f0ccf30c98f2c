"""Concerns received by phone, in person or by letter: recorded by the Lead or the Safeguarding team (page and API)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from safeguarding.models import Channel, Concern, Status, SubjectType, TimelineEntry
from safeguarding.services import concern_submit
from tests.support import api_token

pytestmark = pytest.mark.django_db

CALLER = "Mrs Irena Nowak"
CALLER_PHONE = "07700 900123"
URL = "/cases/intake/"
API = "/api/v1/safeguarding/intake/"


def _form(**overrides):
    data = {
        "channel": Channel.PHONE,
        "caller_name": CALLER,
        "caller_contact": CALLER_PHONE,
        "immediate_danger": "no",
        "subject_type": SubjectType.AGENCY_WORKER,
        "narrative": "Her nephew's agency takes his wages and he sleeps at the depot.",
    }
    data.update(overrides)
    return data


def test_the_lead_records_a_phone_call_through_the_concern_service(client, login, lead):
    login(lead)
    assert client.get(URL).status_code == 200
    response = client.post(URL, _form())
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == concern.get_absolute_url()
    assert (concern.channel, concern.reporter, concern.status) == (Channel.PHONE, None, Status.NEW)
    assert (concern.on_behalf_of, concern.reporter_contact) == (CALLER, CALLER_PHONE)
    # One rule for a new concern: reference, SLA clock, reporter-care deadlines, timeline, the Lead told.
    assert concern.reference.startswith("MS-") and concern.due_at is not None
    assert concern.acknowledge_due_at and concern.feedback_due_at
    assert concern.acknowledged_at is not None  # the caller spoke to someone: that is the acknowledgement
    entry = concern.timeline.get(kind=TimelineEntry.Kind.STATUS)
    assert entry.author == lead and "recorded by" in entry.body
    assert Notification.objects.filter(recipient=lead, subject=f"New concern {concern.reference}").exists()
    html = client.get(concern.get_absolute_url()).content.decode()
    assert CALLER in html and CALLER_PHONE in html and "(Phone)" in html


def test_a_letter_is_not_acknowledged_until_someone_does(client, login, lead):
    login(lead)
    client.post(URL, _form(channel=Channel.LETTER, caller_name="", caller_contact=""))
    concern = Concern.objects.get()
    assert concern.channel == Channel.LETTER and concern.acknowledged_at is None
    assert concern.on_behalf_of == "" and concern.reporter_contact == ""


def test_the_callers_identity_is_protected_like_a_reporters(client, login, lead, team_member):
    login(team_member)
    response = client.post(URL, _form(subject_type=SubjectType.STAFF))
    concern = Concern.objects.get()
    # The team member who took the call holds the case until the Lead triages, so it stays in their scope.
    assert concern.assignee == team_member
    assert response.url == concern.get_absolute_url()
    html = client.get(concern.get_absolute_url()).content.decode()
    assert response.status_code == 302 and concern.reference in html
    assert CALLER not in html and CALLER_PHONE not in html
    assert "Confidential" in html
    api = client.get(f"/api/v1/safeguarding/cases/{concern.reference}/").json()
    assert "reporter" not in api
    login(lead)
    assert CALLER in client.get(concern.get_absolute_url()).content.decode()


def test_a_receipt_code_is_shown_once_and_opens_the_callers_report(client, login, lead):
    login(lead)
    response = client.post(URL, _form(issue_receipt_code="on"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    code = "".join(
        part.split("</span>")[0] for part in response.content.decode().split('<span class="receipt-code-group">')[1:]
    )
    concern = Concern.objects.get()
    client.logout()
    page = client.post(reverse("safeguarding:report_status"), {"code": code}, follow=True).content.decode()
    assert concern.reference in page and "sleeps at the depot" in page


@pytest.mark.parametrize("role", [roles.STAFF, roles.LINE_MANAGER, roles.HR, roles.PROCUREMENT, roles.BOARD_MEMBER])
def test_other_roles_find_no_intake_page_or_endpoint(client, login, make_user, role):
    user = make_user(role)
    login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form()).status_code == 404
    assert client.post(API, _form(), content_type="application/json").status_code == 404
    assert not Concern.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_bad_input_keeps_what_was_typed(client, login, lead):
    login(lead)
    response = client.post(URL, _form(narrative="", channel=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert CALLER in html and CALLER_PHONE in html
    assert not Concern.objects.exists()


def _api(client, user, payload):
    token = api_token(user)
    return client.post(API, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")


def test_the_api_records_a_concern_by_phone_or_in_person(client, lead, team_member):
    payload = {
        "channel": Channel.IN_PERSON,
        "subject_type": SubjectType.SERVICE_USER,
        "narrative": "A resident's visitor says the resident's carer takes her bank card.",
        "caller_name": CALLER,
        "issue_receipt_code": True,
    }
    response = _api(client, team_member, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    concern = Concern.objects.get(reference=body["reference"])
    assert concern.channel == Channel.IN_PERSON and concern.on_behalf_of == CALLER
    assert len(body["receipt_code"]) > 20 and concern.receipt_code_hash
    assert response["Cache-Control"] == "no-store"
    response = _api(client, lead, {**payload, "issue_receipt_code": False, "caller_name": ""})
    assert response.status_code == 201 and response.json()["receipt_code"] is None


def test_the_api_answers_400_with_field_errors(client, lead):
    response = _api(client, lead, {"channel": Channel.ANONYMOUS_FORM, "subject_type": "x", "narrative": ""})
    assert response.status_code == 400
    assert set(response.json()) >= {"channel", "subject_type", "narrative"}
    assert not Concern.objects.exists()


def test_the_service_holds_the_rule_whoever_calls_it(staff_user, reporter, lead):
    kwargs = {"subject_type": SubjectType.STAFF, "indicators": [], "narrative": "Passport kept by the agency."}
    with pytest.raises(ValidationError) as error:
        concern_submit(reporter=None, recorded_by=staff_user, channel=Channel.PHONE, **kwargs)
    assert "channel" in error.value.message_dict
    with pytest.raises(ValidationError):
        concern_submit(reporter=None, channel=Channel.PHONE, **kwargs)  # nobody recorded it
    with pytest.raises(ValidationError):
        concern_submit(reporter=reporter, recorded_by=lead, channel=Channel.PHONE, **kwargs)
    with pytest.raises(ValidationError):
        concern_submit(reporter=reporter, recorded_by=lead, channel=Channel.STAFF_FORM, **kwargs)
    assert not Concern.objects.exists()
