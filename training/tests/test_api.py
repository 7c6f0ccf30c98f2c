"""API: courses, records scoped by role, completion rates; 400 on bad input; constant queries."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from compliance import roles
from tests.support import api_token
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def _emails(response):
    return sorted(row["email"] for row in response.json()["results"])


@pytest.fixture
def people(make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER, email="manager@example.org")
    report = make_user(roles.STAFF, email="report@example.org", line_manager=manager)
    outsider = make_user(roles.STAFF, email="outsider@example.org")
    course = CourseFactory(code="ms-induction", title="Modern slavery induction")
    for person in (manager, report, outsider):
        TrainingRecordFactory(user=person, course=course, due_on=datetime.date(2026, 5, 1))
    return {"manager": manager, "report": report, "outsider": outsider}


def test_records_are_own_for_staff_team_for_managers_all_for_hr(people, hr_user):
    url = "/api/v1/training/records/"
    assert _emails(_api(people["report"]).get(url)) == ["report@example.org"]
    assert _emails(_api(people["manager"]).get(url)) == ["manager@example.org", "report@example.org"]
    assert _emails(_api(hr_user).get(url)) == ["manager@example.org", "outsider@example.org", "report@example.org"]
    assert _emails(_api(people["manager"]).get(url + "?scope=team")) == ["report@example.org"]
    assert _emails(_api(people["manager"]).get(url + "?scope=own")) == ["manager@example.org"]
    assert _api(people["manager"]).get(url + "?scope=everyone").status_code == 400
    other = _api(people["report"]).get(url + f"?user={people['outsider'].pk}")
    assert other.json()["results"] == []
    record_id = _api(hr_user).get(url + f"?user={people['outsider'].pk}").json()["results"][0]["id"]
    assert _api(people["report"]).get(f"{url}{record_id}/").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_record_shows_status_words(people):
    row = _api(people["report"]).get("/api/v1/training/records/").json()["results"][0]
    assert row["status"] == "overdue"
    assert row["course_code"] == "ms-induction"


def test_courses_are_listed_for_everyone(people):
    response = _api(people["report"]).get("/api/v1/training/courses/")
    assert [c["code"] for c in response.json()["results"]] == ["ms-induction"]


@time_machine.travel(TODAY, tick=False)
def test_completion_rates_for_hr_404_for_staff_and_400_on_bad_input(people, hr_user):
    response = _api(hr_user).get("/api/v1/training/completion-rates/?group_by=course")
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["overdue"] == 3
    assert body["rows"][0]["label"] == "Modern slavery induction"
    assert body["rows"][0]["rate"] == 0.0
    bad = _api(hr_user).get("/api/v1/training/completion-rates/?as_of=31-31-2026&group_by=shoe_size")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"as_of", "group_by"}
    assert _api(people["report"]).get("/api/v1/training/completion-rates/").status_code == 404


@pytest.mark.parametrize("count", [1, 60])
def test_record_list_query_count_is_constant(make_user, hr_user, django_assert_max_num_queries, count):
    course = CourseFactory(code="ms-induction")
    for _ in range(count):
        TrainingRecordFactory(user=make_user(roles.STAFF), course=course)
    client = _api(hr_user)
    # Queries: token with user, user's roles, MFA check (authenticators), the count (cached after
    # this), one page of records with person, department and course.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/training/records/")
    assert response.json()["count"] == count


def test_record_list_count_comes_from_the_cache_until_a_record_changes(make_user, hr_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = CourseFactory(code="ms-induction")
    for _ in range(3):
        TrainingRecordFactory(user=make_user(roles.STAFF), course=course)
    client = _api(hr_user)
    assert client.get("/api/v1/training/records/").json()["count"] == 3
    # The COUNT over every record is run once, not on every page read.
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/training/records/", {"page": 1})
    assert again.json()["count"] == 3
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    # Each filter has its own count; a new record retires them all.
    assert client.get("/api/v1/training/records/", {"scope": "own"}).json()["count"] == 0
    TrainingRecordFactory(user=hr_user, course=course)
    assert client.get("/api/v1/training/records/").json()["count"] == 4
    assert client.get("/api/v1/training/records/", {"scope": "own"}).json()["count"] == 1
