"""The open corrective actions list at scale: the columns it shows, deep pages by keys from the nearer end."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suppliers.models import CorrectiveAction
from suppliers.tests.factories import CorrectiveActionFactory

pytestmark = pytest.mark.django_db


def _row_queries(queries):
    return [q["sql"] for q in queries.captured_queries if 'FROM "suppliers_correctiveaction"' in q["sql"]]


def test_action_list_rows_read_only_the_columns_they_show(client, procurement, login):
    action = CorrectiveActionFactory(description="Show the rota for March")
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("suppliers:actions")).content.decode()
    assert "Show the rota for March" in html and action.supplier.name in html
    rows = " ".join(_row_queries(queries))
    for column in ("countries", "annual_spend", "evidence", "password"):
        assert f'."{column}"' not in rows, column
    assert "suppliers_finding" not in rows


def test_action_list_pages_tile_the_order_and_the_last_reads_its_keys_backwards(client, procurement, login):
    today = timezone.localdate()
    for day in range(55):
        CorrectiveActionFactory(due_date=today + datetime.timedelta(days=day % 7))
    CorrectiveActionFactory(status=CorrectiveAction.Status.VERIFIED)
    login(procurement)
    expected = list(
        CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.VERIFIED)
        .order_by("due_date", "pk")
        .values_list("pk", flat=True)
    )
    first = [a.pk for a in client.get(reverse("suppliers:actions")).context["page"]]
    with CaptureQueriesContext(connection) as queries:
        last = [a.pk for a in client.get(reverse("suppliers:actions") + "?page=2").context["page"]]
    assert first + last == expected
    (keys,) = [q for q in _row_queries(queries) if "LIMIT" in q]
    assert '"due_date" DESC' in keys
