"""Tier-2 and tier-3 suppliers: edited on the supplier page, rolled up into the risk score by the worst one."""

import pytest
from django.urls import reverse

from suppliers import scoring
from suppliers.models import EnhancedDueDiligence, RiskWeight, SubSupplier, SupplierEvent
from suppliers.services import register as register_services
from suppliers.services import tiers as tier_services
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _formset(rows, initial=0):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def _factor(supplier):
    return next((f for f in scoring.supplier_score(supplier).factors if f.key == "supply_chain_tier"), None)


def test_a_high_risk_tier_3_raises_the_parent_score_and_is_named(procurement):
    supplier = SupplierFactory(category="professional", countries=["GB"])
    before = scoring.supplier_score(supplier).score
    tier2 = SubSupplier.objects.create(supplier=supplier, name="UK Wholesale Ltd", country="GB", category="other")
    SubSupplier.objects.create(
        supplier=supplier, name="Klang Glove Works", country="BD", category="medical_ppe", tier=3, parent=tier2
    )
    result = scoring.supplier_score(supplier)
    factor = _factor(supplier)
    # Bangladesh: high (20) + medical consumables and PPE (25) = 45 points, at the tier-3 share of 30%.
    assert factor.points == 14
    assert "Klang Glove Works" in factor.detail and "Tier 3" in factor.detail and "Bangladesh" in factor.detail
    assert factor.label == "Tier-2/3 supply chain: worst country/category risk"
    assert result.score == before + 14
    assert sum(f.points for f in result.factors) == result.score


def test_the_worst_tier_wins_and_the_weights_are_data(procurement):
    supplier = SupplierFactory(category="professional", countries=["GB"])
    SubSupplier.objects.create(supplier=supplier, name="Local Ltd", country="GB", category="other")  # 5 at 50%: 2
    tier2 = SubSupplier.objects.create(supplier=supplier, name="Textile Mill", country="IN", category="textiles")
    SubSupplier.objects.create(
        supplier=supplier, name="Cotton Gin", country="UZ", category="textiles", tier=3, parent=tier2
    )
    # India high (20) + textiles (20) = 40 at 50% = 20 beats Uzbekistan 40 at 30% = 12.
    assert _factor(supplier).points == 20 and "Textile Mill" in _factor(supplier).detail
    RiskWeight.objects.filter(key="tier3_share").update(value=100)
    assert _factor(supplier).points == 40 and "Cotton Gin" in _factor(supplier).detail


def test_no_sub_suppliers_no_factor(procurement):
    assert _factor(SupplierFactory()) is None


def test_procurement_edits_the_supply_chain_on_the_page_and_the_score_follows(client, login, procurement):
    supplier = SupplierFactory(category="professional", countries=["GB"])
    register_services.risk_assess(supplier=supplier, reason="Added")
    login(procurement)
    url = reverse("suppliers:supply_chain", args=[supplier.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _formset([{"name": "Dhaka Garments", "country": "BD", "category": "textiles", "tier": "2", "parent": ""}])
    )
    assert response.status_code == 302
    tier2 = SubSupplier.objects.get(supplier=supplier)
    # Now a tier 3 under it, chosen from the tier-2 list.
    response = client.post(
        url,
        _formset(
            [
                {
                    "id": tier2.pk,
                    "name": "Dhaka Garments",
                    "country": "BD",
                    "category": "textiles",
                    "tier": "2",
                    "parent": "",
                },
                {"name": "Spinning Co", "country": "PK", "category": "textiles", "tier": "3", "parent": str(tier2.pk)},
            ],
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert SubSupplier.objects.get(name="Spinning Co").parent == tier2
    supplier.refresh_from_db()
    latest = supplier.risk_assessments.first()
    assert latest.reason == "Supply chain tiers changed"
    assert any(f["key"] == "supply_chain_tier" and "Dhaka Garments" in f["detail"] for f in latest.factors)
    assert SupplierEvent.objects.filter(supplier=supplier, kind=SupplierEvent.Kind.SUB_SUPPLIERS).count() == 2
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert "Spinning Co" in page and "supplies Dhaka Garments" in page and "Pakistan: Very high prevalence (30)" in page
    # Removing the tier 2 removes the tier 3 under it.
    client.post(
        url,
        _formset(
            [
                {
                    "id": tier2.pk,
                    "name": "Dhaka Garments",
                    "country": "BD",
                    "category": "textiles",
                    "tier": "2",
                    "DELETE": "on",
                },
                {
                    "id": SubSupplier.objects.get(name="Spinning Co").pk,
                    "name": "Spinning Co",
                    "country": "PK",
                    "category": "textiles",
                    "tier": "3",
                    "parent": str(tier2.pk),
                },
            ],
            initial=2,
        ),
    )
    assert not SubSupplier.objects.filter(supplier=supplier).exists()


def test_a_tier_3_needs_a_tier_2_parent_of_the_same_supplier(client, login, procurement):
    supplier = SupplierFactory()
    other = SubSupplier.objects.create(
        supplier=SupplierFactory(), name="Someone else's", country="GB", category="other"
    )
    login(procurement)
    url = reverse("suppliers:supply_chain", args=[supplier.pk])
    response = client.post(
        url, _formset([{"name": "Orphan", "country": "BD", "category": "textiles", "tier": "3", "parent": ""}])
    )
    assert response.status_code == 200
    assert "parent" in response.context["formset"].forms[0].errors
    assert 'value="Orphan"' in response.content.decode()
    response = client.post(
        url,
        _formset([{"name": "Orphan", "country": "BD", "category": "textiles", "tier": "3", "parent": str(other.pk)}]),
    )
    assert response.status_code == 200
    assert not SubSupplier.objects.filter(supplier=supplier).exists()
    with pytest.raises(Exception, match="tier-2"):
        tier_services.supplier_supply_chain_update(
            supplier=supplier,
            actor=procurement,
            rows=[{"name": "Orphan", "country": "BD", "category": "textiles", "tier": 3, "parent": other}],
        )


def test_readers_cannot_edit_the_supply_chain(client, login, board):
    supplier = SupplierFactory()
    login(board)
    assert client.get(reverse("suppliers:supply_chain", args=[supplier.pk])).status_code == 404


def test_the_tier_weights_are_on_the_risk_settings_page(client, login, procurement):
    login(procurement)
    page = client.get(reverse("suppliers:risk_settings")).content.decode()
    assert (
        "Tier-3 supply chain: share of the worst tier-3 supplier&#x27;s risk (%)" in page
        or "Tier-3 supply chain" in page
    )


def test_enhanced_checks_take_supply_chain_mapped_from_the_list(client, login, procurement):
    supplier = SupplierFactory()
    login(procurement)
    url = reverse("suppliers:enhanced_checks", args=[supplier.pk])
    client.post(url, {"ownership_verified": "on", "summary": "Checked."})
    assert EnhancedDueDiligence.objects.get(supplier=supplier).supply_chain_mapped is False
    SubSupplier.objects.create(supplier=supplier, name="Mapped Ltd", country="GB", category="other")
    # Mapped: nothing else ticked is still a recorded check.
    response = client.post(url, {"summary": "Supply chain mapped to tier 2."})
    assert response.status_code == 302
    assert EnhancedDueDiligence.objects.filter(supplier=supplier, supply_chain_mapped=True).count() == 1
