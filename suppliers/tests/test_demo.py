"""The demo register: realistic spread, idempotent."""

import pytest

from compliance import demo as core_demo
from suppliers import demo
from suppliers.models import Audit, CorrectiveAction, QuestionnaireRequest, Supplier

pytestmark = pytest.mark.django_db


def test_demo_register_covers_bands_audits_actions_and_is_idempotent():
    core_demo.seed()
    demo.seed()
    count = Supplier.objects.count()
    assert count >= 30
    bands = set(Supplier.objects.values_list("risk_band", flat=True))
    assert {"low", "medium", "high"} <= bands
    assert Audit.objects.exists()
    assert CorrectiveAction.objects.filter(status="open", escalation_level__gt=0).exists()
    assert CorrectiveAction.objects.filter(status="open", escalation_level=0).exists()
    assert QuestionnaireRequest.objects.filter(status="returned").exists()
    prohibited = [s for s in Supplier.objects.all() if s.is_prohibited_agency]
    assert len(prohibited) == 1 and prohibited[0].status != "active"
    assert Supplier.objects.filter(termination_recommended_at__isnull=False).exists()
    audits, requests = Audit.objects.count(), QuestionnaireRequest.objects.count()
    demo.seed()
    assert Supplier.objects.count() == count
    # Even when one supplier is new (e.g. the list grew), nothing else is seeded twice.
    Supplier.objects.filter(name="Clearview Window Cleaning").delete()
    demo.seed()
    assert Supplier.objects.count() == count
    assert Audit.objects.count() == audits
    assert QuestionnaireRequest.objects.count() == requests
