"""The audit list at scale: findings counted per row, deep pages by keys, links without a reverse per row."""

import django.urls
import pytest
from django.urls import reverse

from compliance.web import DeepKeysFirstPaginator
from suppliers.tests.factories import AuditFactory, FindingFactory

pytestmark = pytest.mark.django_db


def test_each_audit_shows_how_many_findings_it_has(client, procurement, login):
    busy, quiet = AuditFactory(), AuditFactory()
    FindingFactory.create_batch(2, audit=busy)
    login(procurement)
    page = client.get(reverse("suppliers:audits")).context["page"]
    assert {a.pk: a.finding_count for a in page} == {busy.pk: 2, quiet.pk: 0}
    assert ">2</td>" in client.get(reverse("suppliers:audits")).content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_audit_list_deep_pages_read_keys_first_in_constant_queries(
    client, procurement, login, django_assert_max_num_queries, monkeypatch, rows
):
    for _ in range(rows):
        FindingFactory()
    login(procurement)
    expected = [(a.pk, a.finding_count) for a in client.get(reverse("suppliers:audits")).context["page"]]
    # Every page as a deep page: the list's queries, with the page's keys read before its rows.
    monkeypatch.setattr(DeepKeysFirstPaginator, "keys_first_from", 0)
    with django_assert_max_num_queries(11) as queries:
        response = client.get(reverse("suppliers:audits"))
    assert [(a.pk, a.finding_count) for a in response.context["page"]] == expected
    assert any('"suppliers_audit"."id" AS "pk"' in q["sql"] for q in queries.captured_queries)


def test_audit_list_links_need_no_reverse_per_row(client, procurement, login, monkeypatch):
    # {% url %} walks the resolver for each link (about 0.05 ms); the rows' links use {% pk_url %}.
    calls = []
    # {% url %} imports django.urls.reverse at each call, so this counts every one of them.
    monkeypatch.setattr(django.urls, "reverse", lambda *a, **k: calls.append(a) or reverse(*a, **k))
    login(procurement)
    audit = AuditFactory()
    html = client.get(reverse("suppliers:audits")).content.decode()
    assert f'href="{reverse("suppliers:detail", args=[audit.supplier_id])}"' in html
    assert f'href="{reverse("suppliers:audit_detail", args=[audit.pk])}"' in html
    one = len(calls)
    AuditFactory.create_batch(3)
    calls.clear()
    client.get(reverse("suppliers:audits"))
    assert len(calls) == one
