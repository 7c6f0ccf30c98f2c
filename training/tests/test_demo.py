"""The demo data: about 150 staff, realistic completion, the seed policy as version 1."""

import datetime

import pytest
from django.core.management import call_command

from compliance.models import User
from compliance.policy_models import Acknowledgement, PolicyVersion
from training.models import Course, RecruitmentCheck, TrainingRecord
from training.selectors import completion_rates

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_realistic_training_picture_and_can_run_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), TrainingRecord.objects.count(), Acknowledgement.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), TrainingRecord.objects.count(), Acknowledgement.objects.count()) == counts

    assert User.objects.filter(email__startswith="staff").count() >= 150
    assert set(Course.objects.values_list("kind", flat=True)) == {"induction", "refresher", "specialised"}
    hr = User.objects.get(email="hr@nextsmartstep.example")
    total = completion_rates(user=hr)["total"]
    assert total.overdue > 5 and total.expired > 5 and total.complete > 100
    assert 50 < total.rate < 95
    version = PolicyVersion.objects.get(policy__title="Modern Slavery Policy")
    assert version.number == 1
    assert "4.3 Ethical Recruitment Practices" in version.text
    assert 50 < Acknowledgement.objects.filter(version=version).count() < 150
    assert RecruitmentCheck.objects.filter(right_to_work_expires_on__isnull=False).exists()
    from suppliers.models import Supplier

    if Supplier.objects.filter(name="CareForce Staffing Ltd").exists():
        # Linked on the second run, once the suppliers demo has put the agency in the register.
        assert RecruitmentCheck.objects.filter(agency__name="CareForce Staffing Ltd").exists()
    manager = User.objects.get(email="manager@nextsmartstep.example")
    assert manager.direct_reports.count() > 5
    # The demo logins show the flows: an overdue course for staff, a declaration for the manager.
    assert TrainingRecord.objects.filter(
        user__email="staff@nextsmartstep.example", due_on__lt=datetime.date.today(), completed_on__isnull=True
    ).exists()
    assert TrainingRecord.objects.filter(
        user__line_manager=manager, declared_on__isnull=False, completed_on__isnull=True
    ).exists()
