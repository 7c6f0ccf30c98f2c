"""The audit list at scale: findings counted per row, deep pages by keys, rows written in Python from the columns they show."""

import datetime

import django.urls
import pytest
from django.db import connection
from django.template import engines
from django.template.base import Variable
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.web import DeepKeysFirstPaginator
from suppliers.models import Audit
from suppliers.tests.factories import AuditFactory, FindingFactory, SupplierFactory

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


# The rows as the list's template loop wrote them before {% audit_rows %}: the tag must write the same bytes.
OLD_LOOP = engines["django"].from_string(
    "{% load links %}"
    "{% for a in page %}\n"
    "  <tr>\n"
    '    <td><a href="{% pk_url \'suppliers:audit_detail\' a.pk %}">{{ a.planned_date|date:"j M Y" }}</a></td>\n'
    "    <td><a href=\"{% url 'suppliers:detail' a.supplier_id %}\">{{ a.supplier.name }}</a></td>\n"
    '    <td>{{ a.get_kind_display }}</td><td>{{ a.get_method_display }}</td><td>{{ a.auditor_display|default:"—" }}</td>\n'
    '    <td>{{ a.get_status_display }}</td><td>{{ a.get_result_display|default:"—" }}</td><td>{{ a.finding_count }}</td>\n'
    "  </tr>\n"
    '  {% empty %}<tr><td colspan="8">No audits.</td></tr>{% endfor %}'
)
NEW_ROWS = engines["django"].from_string("{% load audit_tags %}{% audit_rows page %}")


def test_audit_rows_write_what_the_template_loop_wrote(client, procurement, login, make_user):
    login(procurement)
    assert NEW_ROWS.render({"page": []}) == OLD_LOOP.render({"page": []})
    supplier = SupplierFactory(name='Smith & Sons <"Cleaning">')
    AuditFactory(supplier=supplier, auditor=make_user(full_name="Ann O'Neil"), result=Audit.Result.MAJOR)
    AuditFactory(supplier=supplier, auditor=make_user(full_name=""), kind=Audit.Kind.SPOT_CHECK)
    AuditFactory(auditor_name="Ethical Audits <Ltd>", method=Audit.Method.ON_SITE, status=Audit.Status.COMPLETED)
    FindingFactory.create_batch(3, audit=AuditFactory(planned_date=datetime.date(2026, 1, 5)))
    page = client.get(reverse("suppliers:audits")).context["page"]
    assert len(page) == 4
    assert NEW_ROWS.render({"page": page}) == OLD_LOOP.render({"page": page})


def test_audit_list_rows_read_only_the_columns_they_show(client, procurement, login):
    FindingFactory()
    login(procurement)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("suppliers:audits"))
    (rows,) = [
        q["sql"] for q in queries.captured_queries if 'FROM "suppliers_audit"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    for column in ("scope", "summary", "result_override_reason", "countries", "annual_spend", "password"):
        assert f'."{column}"' not in rows, column


def test_audit_list_rows_need_no_template_lookups_per_row(client, procurement, login, monkeypatch):
    # The template loop resolved about 15 variables a row; {% audit_rows %} none, at any number of rows.
    lookups = []
    original = Variable._resolve_lookup
    monkeypatch.setattr(Variable, "_resolve_lookup", lambda self, context: lookups.append(1) or original(self, context))
    login(procurement)
    AuditFactory()
    client.get(reverse("suppliers:audits"))
    one = len(lookups)
    AuditFactory.create_batch(4)
    lookups.clear()
    client.get(reverse("suppliers:audits"))
    assert len(lookups) == one
