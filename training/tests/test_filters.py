"""The records page and /api/v1/training/records/ filter through one FilterSet, so they answer alike."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from compliance import roles
from tests.support import api_token
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
URL = "/api/v1/training/records/"


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def records(make_user):
    course, other = CourseFactory(), CourseFactory()
    ann = make_user(roles.STAFF, full_name="Ann Carer")
    bob = make_user(roles.STAFF, full_name="Bob Night")
    return {
        "overdue": TrainingRecordFactory(user=ann, course=course, due_on=datetime.date(2026, 5, 1)),
        "due_soon": TrainingRecordFactory(user=bob, course=course, due_on=datetime.date(2026, 6, 10)),
        "complete": TrainingRecordFactory(user=bob, course=other, completed_on=datetime.date(2026, 4, 1)),
        "course": course,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"status": "overdue"}, ["overdue"]), ({"status": "complete"}, ["complete"]), ({"q": "ann"}, ["overdue"])],
)
def test_page_and_api_filter_the_same(client, login, hr_user, records, query, expected):
    with time_machine.travel(TODAY, tick=False):
        api_ids = sorted(row["id"] for row in _api(hr_user).get(URL, query).json()["results"])
        login(hr_user)
        page_ids = sorted(r.pk for r in client.get(reverse("training:record_list"), query).context["page"])
    assert api_ids == page_ids == sorted(records[name].pk for name in expected)


def test_the_course_filter_offers_only_courses_the_user_may_see(make_user, records):
    staff = make_user(roles.STAFF)
    hidden = CourseFactory(is_active=False)
    TrainingRecordFactory(user=staff, course=hidden)
    response = _api(staff).get(URL, {"course": hidden.pk})
    assert response.status_code == 400 and "course" in response.json()
    assert _api(staff).get(URL, {"course": records["course"].pk}).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_rates_page_and_api_take_the_same_parameters_through_one_filterset(client, login, hr_user, make_user, records):
    query = {"group_by": "department", "as_of": "2026-05-20", "course": records["course"].pk}
    body = _api(hr_user).get("/api/v1/training/completion-rates/", query).json()
    login(hr_user)
    page = client.get(reverse("training:rates"), query).context
    assert body["as_of"] == "2026-05-20" == page["as_of"].isoformat()
    assert body["group_by"] == "department" == page["group_by"]
    assert [(r["label"], r["overdue"]) for r in body["rows"]] == [(r.label, r.overdue) for r in page["rows"]]
    # A course the asker may not see is a field error in the API and ignored (shown on the form) on the page.
    board = make_user(roles.BOARD_MEMBER)
    hidden = CourseFactory(is_active=False)
    refused = _api(board).get("/api/v1/training/completion-rates/", {"course": hidden.pk})
    assert refused.status_code == 400 and "course" in refused.json()
    login(board)
    shown = client.get(reverse("training:rates"), {"course": hidden.pk})
    assert shown.status_code == 200 and "course" in shown.context["form"].errors
