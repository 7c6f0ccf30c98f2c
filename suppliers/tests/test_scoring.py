"""Risk scoring: each factor, weights edited by an admin, explanation adds up."""

import pytest

from suppliers import scoring
from suppliers.models import CategoryRisk, CountryRisk, RiskWeight, Supplier
from suppliers.services import register as register_services
from suppliers.tests.factories import FindingFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _points(result, key):
    return sum(f.points for f in result.factors if f.key == key)


def test_baseline_uk_professional_supplier_is_low():
    supplier = SupplierFactory(category=Supplier.Category.PROFESSIONAL, countries=["GB"], annual_spend=5000)
    result = scoring.supplier_score(supplier)
    assert result.band == "low"
    assert _points(result, "country") == 0
    assert _points(result, "category") == 0
    assert _points(result, "questionnaire_missing") == 10
    assert result.score == 10


def test_country_takes_the_worst_country_of_operation():
    supplier = SupplierFactory(countries=["GB", "MY", "IN"])
    result = scoring.supplier_score(supplier)
    factor = next(f for f in result.factors if f.key == "country")
    assert factor.points == 20
    assert "Malaysia" in factor.detail or "India" in factor.detail


def test_unlisted_country_scores_the_unlisted_weight():
    supplier = SupplierFactory(countries=["IS"])  # Iceland: not in the seeded table
    assert _points(scoring.supplier_score(supplier), "country") == 10


def test_category_spend_and_labour_model_each_add_their_points():
    supplier = SupplierFactory(
        category=Supplier.Category.CLEANING,
        annual_spend=250_000,
        uses_agency_labour=True,
        subcontracts=True,
        migrant_workforce=True,
        on_site_at_our_premises=True,
    )
    result = scoring.supplier_score(supplier)
    assert _points(result, "category") == 20
    assert _points(result, "spend") == 5
    assert _points(result, "labour_agency") == 10
    assert _points(result, "labour_subcontracts") == 5
    assert _points(result, "labour_migrant") == 10
    assert _points(result, "labour_on_site") == 5
    supplier.annual_spend = 2_000_000
    assert _points(scoring.supplier_score(supplier), "spend") == 10


def test_open_findings_add_points_by_severity():
    supplier = SupplierFactory()
    FindingFactory(audit__supplier=supplier, severity="critical")
    FindingFactory(audit__supplier=supplier, severity="minor")
    FindingFactory(audit__supplier=supplier, severity="minor")
    FindingFactory(audit__supplier=supplier, severity="major", status="closed")
    result = scoring.supplier_score(supplier)
    assert _points(result, "finding_critical") == 25
    assert _points(result, "finding_minor") == 6
    assert _points(result, "finding_major") == 0


def test_explanation_adds_up_to_the_score_and_is_stored():
    supplier = SupplierFactory(
        category=Supplier.Category.AGENCY_STAFFING, countries=["GB", "PK"], migrant_workforce=True
    )
    assessment = register_services.risk_assess(supplier=supplier, reason="test")
    assert assessment.score == sum(f["points"] for f in assessment.factors)
    supplier.refresh_from_db()
    assert supplier.risk_score == assessment.score
    assert supplier.risk_band == assessment.band == "high"


def test_weights_and_tables_edited_by_an_admin_change_the_score():
    supplier = SupplierFactory(category=Supplier.Category.CATERING, countries=["IN"], uses_agency_labour=True)
    before = scoring.supplier_score(supplier).score
    RiskWeight.objects.filter(key="labour_agency").update(value=30)
    CategoryRisk.objects.filter(category="catering").update(points=0)
    CountryRisk.objects.filter(country="IN").update(points=5)
    after = scoring.supplier_score(supplier).score
    assert after == before + 20 - 15 - 15


def test_band_thresholds_are_data():
    supplier = SupplierFactory()
    assert scoring.supplier_score(supplier).band == "low"
    RiskWeight.objects.filter(key="band_high_from").update(value=5)
    assert scoring.supplier_score(supplier).band == "high"
