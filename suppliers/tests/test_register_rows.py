"""The register's rows, written in Python ({% register_rows %}): the same markup its template loop wrote."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from suppliers import selectors
from suppliers.models import RiskBand, Supplier
from suppliers.tests.factories import CorrectiveActionFactory, FindingFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# The loop the tag replaced, as it was in suppliers/index.html.
OLD_LOOP = """  {% for s in page %}
  <tr>
    {% if can_manage %}<td><input class="form-check-input" type="checkbox" name="supplier" value="{{ s.pk }}" id="pick-{{ s.pk }}"><label class="visually-hidden" for="pick-{{ s.pk }}">Select {{ s.name }}</label></td>{% endif %}
    <th scope="row"><a href="{% pk_url 'suppliers:detail' s.pk %}">{{ s.name }}</a>{% if s.is_prohibited_agency %} <span class="badge risk-critical">Prohibited agency</span>{% endif %}{% if s.termination_recommended_at %} <span class="badge risk-high">Decision needed</span>{% endif %}</th>
    <td>{{ s.get_category_display }}</td>
    <td>{% status_badge s.status s.get_status_display %}</td>
    <td>{% risk_badge s.risk_band s.risk_score %}</td>
    <td class="text-end">£{{ s.annual_spend|floatformat:"0g" }}</td>
    <td>{{ s.contract_owner|person:"—" }}</td>
    <td>{{ s.open_findings }}{% if s.overdue_actions %} <span class="badge risk-high">{{ s.overdue_actions }} overdue</span>{% endif %}</td>
    <td>{{ s.next_review_due|date:"j M Y"|default:"—" }}</td>
  </tr>
  {% empty %}
  <tr><td colspan="{% if can_manage %}9{% else %}8{% endif %}">No suppliers match these filters.</td></tr>
  {% endfor %}"""


def _render(source: str, **context) -> str:
    return Template("{% load supplier_tags links %}" + source).render(Context(context))


def _varied_register(reader):
    today = timezone.localdate()
    SupplierFactory(name="Plain Ltd")
    SupplierFactory(name='<b>Tom & "Jerry\'s"</b>', contract_owner=None, annual_spend=1234567.89)
    SupplierFactory(name="Fee Agency", agency_charging_fees=True, risk_band=RiskBand.HIGH, risk_score=0)
    SupplierFactory(name="Ids Agency", agency_retaining_ids=True, risk_band=RiskBand.MEDIUM, risk_score=41)
    SupplierFactory(
        name="Ended",
        status=Supplier.Status.TERMINATED,
        termination_recommended_at=timezone.now(),
        next_review_due=today + datetime.timedelta(days=40),
        category=Supplier.Category.CLEANING,
    )
    late = SupplierFactory(name="Late Actions", contract_owner__full_name="")
    FindingFactory(supplier=late, audit__supplier=late)
    CorrectiveActionFactory.create_batch(2, finding__audit__supplier=late, due_date=today - datetime.timedelta(days=3))
    return list(selectors.supplier_list(user=reader))


@pytest.mark.parametrize("can_manage", [True, False])
def test_register_rows_are_the_loops_markup(procurement, can_manage):
    rows = _varied_register(procurement)
    assert any(s.overdue_actions for s in rows) and any(s.is_prohibited_agency for s in rows)
    ours = _render("{% register_rows page can_manage %}", page=rows, can_manage=can_manage)
    assert ours == _render(OLD_LOOP, page=rows, can_manage=can_manage).removeprefix("  ")
    assert "&lt;b&gt;Tom &amp; &quot;Jerry&#x27;s&quot;&lt;/b&gt;" in ours


@pytest.mark.parametrize("can_manage", [True, False])
def test_an_empty_register_says_so_across_every_column(can_manage):
    ours = _render("{% register_rows page can_manage %}", page=[], can_manage=can_manage)
    assert ours == _render(OLD_LOOP, page=[], can_manage=can_manage).removeprefix("  ")
    assert f'colspan="{9 if can_manage else 8}"' in ours


def test_the_register_reads_only_the_columns_its_rows_show(client, procurement, login, django_assert_max_num_queries):
    # Every kind of row (an agency's flags read three more columns): none may load a deferred column.
    SupplierFactory(agency_charging_fees=True, termination_recommended_at=timezone.now())
    SupplierFactory(agency_retaining_ids=True, contract_owner=None)
    SupplierFactory()
    login(procurement)
    with django_assert_max_num_queries(12) as queries:
        page = client.get(reverse("suppliers:index")).content.decode()
    assert "Prohibited agency" in page and "Decision needed" in page
    rows = [q["sql"] for q in queries.captured_queries if 'AS "open_findings"' in q["sql"]]
    assert len(rows) == 1
    assert '"suppliers_supplier"."countries"' not in rows[0] and "ppn009" not in rows[0]
    assert '"suppliers_supplier"."contact_email"' not in rows[0]


def test_the_rows_read_labels_and_dates_once_a_page_not_through_each_rows_display(procurement, monkeypatch):
    # get_FOO_display() rebuilt a dict of every choice twice a row, and the date filter parsed its
    # format each row: the tag looks labels up in one dict per page and writes the date itself.
    rows = _varied_register(procurement)
    expected = _render("{% register_rows page True %}", page=rows)

    def refuse(*args, **kwargs):
        raise AssertionError("read per row")

    monkeypatch.setattr(Supplier, "get_category_display", refuse, raising=False)
    monkeypatch.setattr(Supplier, "get_status_display", refuse, raising=False)
    monkeypatch.setattr("django.utils.formats.date_format", refuse)
    assert _render("{% register_rows page True %}", page=rows) == expected
