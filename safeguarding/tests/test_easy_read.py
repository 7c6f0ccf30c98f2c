"""Easy read: one plain question per screen, sent through the same service as the full form."""

import pytest
from django.urls import reverse

from safeguarding.models import Channel, Concern, Indicator, SubjectType

pytestmark = pytest.mark.django_db
URL = reverse("safeguarding:report_easy")

ANSWERS = [
    {"immediate_danger": "no"},
    {"subject_type": SubjectType.AGENCY_WORKER},
    {"indicators": [Indicator.EXCESSIVE_HOURS, Indicator.NO_ID]},
    {"narrative": "He works every night and the agency keeps his passport."},
    {"location_text": "Laundry, Mill Road"},
    {"reporter_contact": ""},
]


def walk(client, answers, *, language="en"):
    """Answer each screen in turn, carrying earlier answers as the page's hidden fields do."""
    data: dict = {}
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    for step, answer in enumerate(answers):
        data.update(answer)
        response = client.post(URL, {**data, "step": step, "next": "1"}, HTTP_ACCEPT_LANGUAGE=language)
    return data, response


def test_one_question_per_screen_then_a_check_page_then_the_same_service(client):
    first = client.get(URL).content.decode()
    assert "Question 1 of 6" in first and "Is someone in danger right now?" in first
    assert 'name="subject_type"' not in first  # one question only

    data, check = walk(client, ANSWERS)
    page = check.content.decode()
    assert "Check your answers" in page
    assert "An agency or contractor worker" in page and "Excessive hours for low or no pay" in page
    assert Concern.objects.count() == 0  # nothing is stored before Send

    done = client.post(URL, {**data, "step": len(ANSWERS), "send": "1"})
    concern = Concern.objects.get()
    assert concern.channel == Channel.ANONYMOUS_FORM and concern.reporter is None
    assert concern.indicators == [Indicator.EXCESSIVE_HOURS, Indicator.NO_ID]
    assert concern.location_text == "Laundry, Mill Road"
    assert concern.receipt_code_hash and 'data-testid="receipt-code"' in done.content.decode()


def test_a_required_answer_keeps_the_reporter_on_its_screen(client):
    _data, response = walk(client, [*ANSWERS[:3], {"narrative": "  "}])
    page = response.content.decode()
    assert "Question 4 of 6" in page
    assert "Tell us what happened, in your own words." in page  # the field's own error


def test_back_returns_to_the_previous_question_with_the_answer_kept(client):
    data, _ = walk(client, ANSWERS[:2])
    response = client.post(URL, {**data, "step": 2, "back": "1"})
    page = response.content.decode()
    assert "Question 2 of 6" in page
    assert f'value="{SubjectType.AGENCY_WORKER}"' in page and "checked" in page


def test_a_signed_in_member_of_staff_reports_as_themselves(client, login, staff_user):
    login(staff_user)
    first = client.get(URL).content.decode()
    assert "Question 1 of 5" in first  # no contact question: the Lead knows who they are
    data, _ = walk(client, ANSWERS[:5])
    client.post(URL, {**data, "step": 5, "send": "1"})
    concern = Concern.objects.get()
    assert concern.reporter == staff_user and concern.channel == Channel.STAFF_FORM


def test_the_full_form_links_to_easy_read(client):
    assert f'href="{URL}"' in client.get(reverse("safeguarding:report_anonymous")).content.decode()
