"""Enhanced due diligence gate for high risk; prohibited recruitment agencies."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from suppliers.services import register as register_services
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _high_risk_supplier(procurement):
    return register_services.supplier_create(
        actor=procurement,
        data={
            "name": "Glovemakers Sdn Bhd",
            "category": "medical_ppe",
            "countries": ["MY"],
            "annual_spend": 1_500_000,
            "migrant_workforce": True,
        },
    )


def test_high_risk_supplier_cannot_be_activated_until_enhanced_checks_are_recorded(client, procurement, lead, login):
    supplier = _high_risk_supplier(procurement)
    assert supplier.risk_band == "high"
    login(procurement)
    page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "record the enhanced due diligence checks (within the last 12 months) before activating" in page

    response = client.post(reverse("suppliers:activate", args=[supplier.pk]), follow=True)
    assert "Not activated: High risk" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.status == "prospective"

    # Ticking nothing is refused with a message.
    response = client.post(reverse("suppliers:enhanced_checks", args=[supplier.pk]), {"summary": "Looked at it"})
    assert "Tick at least one check" in response.content.decode()

    client.post(
        reverse("suppliers:enhanced_checks", args=[supplier.pk]),
        {
            "ownership_verified": "on",
            "worker_interviews": "on",
            "site_visit": "on",
            "summary": "Dormitories inspected; no fees.",
        },
    )
    client.post(reverse("suppliers:activate", args=[supplier.pk]))
    supplier.refresh_from_db()
    assert supplier.status == "active"
    history = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "Enhanced due diligence recorded" in history and "Activated." in history


def test_rise_to_high_tells_procurement_and_the_lead(procurement, lead):
    mail.outbox.clear()
    supplier = _high_risk_supplier(procurement)
    from compliance.models import Notification

    assert Notification.objects.filter(recipient=lead, subject__contains="now high risk").exists()
    assert Notification.objects.filter(recipient=procurement, subject__contains=supplier.name).exists()


def test_agency_that_charges_fees_is_prohibited_and_blocked(client, procurement, lead, login):
    agency = SupplierFactory(name="QuickStaff Recruitment", category="agency_staffing", is_recruitment_agency=True)
    login(procurement)
    client.post(
        reverse("suppliers:agency", args=[agency.pk]),
        {
            "fees_outcome": "charged",
            "fees_evidence": "Two workers said they paid £400 for 'training'.",
            "ids_outcome": "not_retained",
            "ids_evidence": "Workers showed their own passports.",
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    agency.refresh_from_db()
    assert agency.is_prohibited_agency
    response = client.post(reverse("suppliers:activate", args=[agency.pk]), follow=True)
    assert "policy 4.3" in response.content.decode()
    agency.refresh_from_db()
    assert agency.status == "prospective"
    assert "Prohibited agency" in client.get(reverse("suppliers:index")).content.decode()
    from compliance.models import Notification

    assert Notification.objects.filter(recipient=lead, subject__startswith="Prohibited recruitment agency").exists()


def test_agency_that_retains_id_documents_is_prohibited_and_an_active_one_is_suspended(procurement):
    agency = SupplierFactory(category="agency_staffing", is_recruitment_agency=True, status="active")
    register_services.supplier_agency_checks_record(
        supplier=agency,
        actor=procurement,
        fees_outcome="none_charged",
        fees_evidence="Contract clause 7.",
        ids_outcome="retained",
        ids_evidence="Passports in the office safe.",
    )
    agency.refresh_from_db()
    assert agency.is_prohibited_agency
    assert agency.status == "suspended"
    with pytest.raises(ValidationError):
        register_services.supplier_activate(supplier=agency, actor=procurement)


def test_agency_with_clean_answers_can_be_activated(procurement):
    agency = SupplierFactory(category="agency_staffing", is_recruitment_agency=True, countries=["GB"])
    register_services.supplier_agency_checks_record(
        supplier=agency,
        actor=procurement,
        fees_outcome="none_charged",
        fees_evidence="Contract clause 7; interviews.",
        ids_outcome="not_retained",
        ids_evidence="Interviews: workers hold their passports.",
    )
    agency.refresh_from_db()
    assert not agency.is_prohibited_agency
    register_services.supplier_activate(supplier=agency, actor=procurement)
    agency.refresh_from_db()
    assert agency.status == "active"


def test_enhanced_checks_older_than_a_year_no_longer_clear_the_gate(procurement):
    import datetime

    from django.utils import timezone

    from suppliers.models import EnhancedDueDiligence

    supplier = _high_risk_supplier(procurement)
    EnhancedDueDiligence.objects.create(
        supplier=supplier,
        site_visit=True,
        summary="Old visit",
        recorded_at=timezone.now() - datetime.timedelta(days=400),
    )
    with pytest.raises(ValidationError, match="within the last 12 months"):
        register_services.supplier_activate(supplier=supplier, actor=procurement)
