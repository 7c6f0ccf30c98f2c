"""The risk settings' tables are rendered once per process for the rows they show, and follow every change."""

import re

import pytest
from django.urls import reverse

from compliance.templatetags import formset_tags
from compliance.templatetags.formset_tags import formset_table
from suppliers.forms import CategoryRiskFormSet, CountryRiskForm, CountryRiskFormSet
from suppliers.models import CategoryRisk, CountryRisk

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """Each country row's form as it is made: none are made when the table comes from the memo."""
    monkeypatch.setattr(formset_tags, "rendered_tables", {})
    made = []
    original = CountryRiskForm.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(CountryRiskForm, "__init__", counting)
    return made


def _weights(page: str) -> str:
    start = page.index('<legend class="h4">Weights and band thresholds</legend>')
    return page[start : page.index("</fieldset>", start)]


def _tables_html():
    countries = CountryRiskFormSet(queryset=CountryRisk.objects.all(), prefix="countries")
    categories = CategoryRiskFormSet(queryset=CategoryRisk.objects.all(), prefix="categories")
    return formset_table(countries, "Country prevalence bands"), formset_table(categories, "Category points")


def test_risk_tables_are_rendered_once_for_the_same_rows(client, procurement, login, built):
    CountryRisk.objects.update_or_create(country="GB", defaults={"band": "low", "points": 3, "source": "GSI"})
    CountryRisk.objects.update_or_create(country="FR", defaults={"band": "medium", "points": 9, "source": ""})
    login(procurement)
    first = client.get(reverse("suppliers:risk_settings")).content.decode()
    assert built
    expected = _tables_html()
    built.clear()
    second = client.get(reverse("suppliers:risk_settings")).content.decode()
    assert built == []
    for table in expected:
        assert table in first and table in second


@pytest.mark.parametrize(
    "change",
    [
        lambda: CountryRisk.objects.filter(country="GB").update(points=77),
        lambda: CountryRisk.objects.filter(country="GB").update(source="Walk Free <2023>"),
        lambda: CountryRisk.objects.update_or_create(country="AQ", defaults={"band": "low", "points": 1}),
        lambda: CountryRisk.objects.filter(country="GB").delete(),
        lambda: CategoryRisk.objects.update_or_create(category="catering", defaults={"points": 41}),
    ],
)
def test_risk_tables_show_every_change_at_once(client, procurement, login, built, change):
    # Even a change that sends no signal (a queryset update): the memo is keyed on the rows themselves.
    CountryRisk.objects.update_or_create(country="GB", defaults={"band": "low", "points": 3, "source": "GSI"})
    login(procurement)
    client.get(reverse("suppliers:risk_settings"))
    change()
    page = client.get(reverse("suppliers:risk_settings")).content.decode()
    for table in _tables_html():
        assert table in page


def test_a_refused_save_shows_its_errors_in_the_table(client, procurement, login, built):
    CountryRisk.objects.update_or_create(country="GB", defaults={"band": "low", "points": 3, "source": "GSI"})
    login(procurement)
    page = client.get(reverse("suppliers:risk_settings"))
    data = {f"w-{w.key}": w.value for w in page.context["weight_form"].weights}
    countries = list(CountryRisk.objects.all())
    data.update({"countries-TOTAL_FORMS": len(countries), "countries-INITIAL_FORMS": len(countries)})
    data.update({"categories-TOTAL_FORMS": 0, "categories-INITIAL_FORMS": 0})
    for i, row in enumerate(countries):
        data.update({f"countries-{i}-id": row.pk, f"countries-{i}-country": row.country.code})
        data.update({f"countries-{i}-band": row.band, f"countries-{i}-points": "-5", f"countries-{i}-source": ""})
    html = client.post(reverse("suppliers:risk_settings"), data).content.decode()
    # The table's own alert, inside the form (the page's message banner says the same above it).
    assert re.search(
        r'novalidate><input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
        r'<div class="alert alert-danger" role="alert">Nothing was saved',
        html,
    ), html
    assert 'class="invalid-feedback d-block" role="alert"' in html


def test_the_weight_fields_are_rendered_once_for_the_same_weights(client, procurement, login, built, monkeypatch):
    from suppliers.forms import RiskWeightForm
    from suppliers.models import RiskWeight

    # The fields are rendered by iterating the form: counted here.
    rendered = []
    original = RiskWeightForm.__iter__
    monkeypatch.setattr(RiskWeightForm, "__iter__", lambda self: rendered.append(1) or original(self))
    login(procurement)
    first = _weights(client.get(reverse("suppliers:risk_settings")).content.decode())
    assert rendered
    rendered.clear()
    assert _weights(client.get(reverse("suppliers:risk_settings")).content.decode()) == first
    assert rendered == []
    # A changed weight (even by a queryset update, which sends no signal) shows at once.
    RiskWeight.objects.filter(key="labour_agency").update(value=123, help_text="Changed help")
    page = client.get(reverse("suppliers:risk_settings")).content.decode()
    assert rendered
    assert 'value="123"' in page and "Changed help" in page, _weights(page)
