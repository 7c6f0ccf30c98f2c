"""The demo data: a dozen cases in every state, made twice without duplicates."""

import pytest

from compliance import demo as core_demo
from safeguarding import demo
from safeguarding.models import Concern, Status

pytestmark = pytest.mark.django_db


def test_seed_creates_cases_in_every_state_and_is_idempotent():
    core_demo.seed()
    assert demo.seed() == len(demo.CASES)
    assert demo.seed() == 0
    assert Concern.objects.count() == len(demo.CASES) >= 12
    assert set(Concern.objects.values_list("status", flat=True)) == set(Status.values)
    assert Concern.objects.filter(receipt_code_hash__gt="").count() == 2
    assert all(c.timeline.exists() for c in Concern.objects.all())
