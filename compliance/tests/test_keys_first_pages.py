"""KeysFirstPaginator gives the pages the plain Paginator gives, reading the back half from the end."""

from __future__ import annotations

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import User
from compliance.tests.factories import UserFactory
from compliance.web import KeysFirstPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("order", [("full_name", "pk"), ("-full_name", "-id"), ("job_title", "-pk")])
def test_every_page_is_the_plain_paginators_page(order):
    # Ties on the sort column (three names, two job titles), so the primary key decides the order.
    for n in range(23):
        UserFactory(full_name=("Ann", "Bob", "Cy")[n % 3], job_title=("Nurse", None)[n % 2] or "")
    people = User.objects.filter(email__startswith="person").order_by(*order)
    plain, keys_first = Paginator(people, 5), KeysFirstPaginator(people, 5)
    for number in plain.page_range:
        with CaptureQueriesContext(connection) as queries:
            page = keys_first.page(number)
        assert [p.pk for p in page] == [p.pk for p in plain.page(number)], number
        keys = next(q["sql"] for q in queries.captured_queries if 'AS "pk"' in q["sql"])
        # Pages nearer the end read their keys in the reversed order, from the end.
        first = re.search(r'ORDER BY "\w+"\."\w+" (ASC|DESC)', keys).group(1)
        from_the_end = (number - 1) * 5 > 23 - number * 5
        assert (first == "DESC") == (order[0].startswith("-") != from_the_end), (number, keys)


def test_an_order_not_ending_with_the_key_is_read_from_the_front():
    for n in range(12):
        UserFactory(full_name=f"Person {n:02}")
    people = User.objects.filter(email__startswith="person").order_by("full_name")
    with CaptureQueriesContext(connection) as queries:
        page = KeysFirstPaginator(people, 5).page(3)
    assert [p.full_name for p in page] == ["Person 10", "Person 11"]
    assert not any("DESC" in q["sql"] for q in queries.captured_queries)
