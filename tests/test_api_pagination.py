"""API lists: page numbers with a count as before, a keyset cursor on request, and cheap deep pages."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import roles
from compliance.web import PAGE_SIZE
from safeguarding.tests.factories import ConcernFactory
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
CASES = "/api/v1/safeguarding/cases/"
RECORDS = "/api/v1/training/records/"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def many_cases():
    now = timezone.now()
    return [ConcernFactory(created_at=now - datetime.timedelta(minutes=n % 40)) for n in range(PAGE_SIZE * 2 + 5)]


def _walk(api, url, params):
    """Every row by following `next` from the first page; the pages' sizes."""
    rows, sizes, response = [], [], api.get(url, params).json()
    while True:
        rows += response["results"]
        sizes.append(len(response["results"]))
        if not response["next"]:
            return rows, sizes
        response = api.get(response["next"]).json()


def test_a_cursor_walks_every_case_once_in_the_page_numbers_order_and_runs_no_count(
    lead, many_cases, django_assert_max_num_queries
):
    api = _api(lead)
    by_cursor, sizes = _walk(api, CASES, {"cursor": ""})
    by_page, _ = _walk(api, CASES, {})
    assert [r["reference"] for r in by_cursor] == [r["reference"] for r in by_page]
    assert len({r["reference"] for r in by_cursor}) == len(many_cases) and sizes == [PAGE_SIZE, PAGE_SIZE, 5]
    first = api.get(CASES, {"cursor": ""}).json()
    assert "count" not in first and first["previous"] is None and "cursor=" in first["next"]
    # Page numbers keep their count (the existing contract).
    assert api.get(CASES).json()["count"] == len(many_cases)


def test_an_order_a_cursor_cannot_follow_or_a_forged_cursor_is_refused_not_a_500(lead, many_cases):
    api = _api(lead)
    refused = api.get(CASES, {"cursor": "", "sort": "risk"})
    assert refused.status_code == 400 and "cursor" in refused.json()
    assert api.get(CASES, {"cursor": "not-a-cursor"}).status_code == 404
    assert api.get(CASES, {"sort": "risk", "page": 2}).status_code == 200
    # A list built in Python has no keys to seek by.
    countries = api.get("/api/v1/countries/autocomplete/", {"cursor": ""})
    assert countries.status_code == 400 and "cursor" in countries.json()


@pytest.mark.parametrize("count", [1, PAGE_SIZE])
def test_records_by_cursor_and_a_deep_page_keep_a_constant_number_of_queries(
    hr_user, make_user, django_assert_max_num_queries, monkeypatch, count
):
    from compliance.web import DeepKeysFirstPaginator

    person = make_user(roles.STAFF)
    for n in range(PAGE_SIZE + count):
        TrainingRecordFactory(user=person, course=CourseFactory(), due_on=datetime.date(2026, 1, 1 + n % 28))
    api = _api(hr_user)
    # Queries: the user's roles, MFA check, one page of records (no count).
    with django_assert_max_num_queries(3):
        assert len(api.get(RECORDS, {"cursor": ""}).json()["results"]) == PAGE_SIZE
    expected = [r["id"] for r in api.get(RECORDS, {"page": 2}).json()["results"]]
    # Page 2 as a deep page (keys first from the start): roles, MFA, the count, the page's keys, its rows.
    monkeypatch.setattr(DeepKeysFirstPaginator, "keys_first_from", 0)
    with django_assert_max_num_queries(5) as deep:
        rows = api.get(RECORDS, {"page": 2}).json()["results"]
    assert [r["id"] for r in rows] == expected and len(rows) == count
    assert any('SELECT "training_trainingrecord"."id" AS "pk"' in q["sql"] for q in deep.captured_queries)
