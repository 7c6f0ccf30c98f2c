"""The training pages in a real browser: one heading, no serious WCAG 2.2 AA violations (axe-core)."""

import datetime

import pytest

from compliance import roles
from tests.browser import axe_violations, format_violations, sign_in_as
from training.tests.factories import (
    CourseFactory,
    PolicyVersionFactory,
    RecruitmentCheckFactory,
    TrainingRecordFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/training/",
    "/training/team/",
    "/training/rates/",
    "/training/admin/",
    "/training/admin/records/",
    "/training/admin/rules/new/",
    "/training/admin/imports/",
    "/training/admin/recruitment/",
    "/training/policies/",
    "record",
    "recruitment",
    "policy",
    "person",
]


@pytest.mark.parametrize("path", PAGES)
def test_training_pages_are_accessible(page, live_server, make_user, path):
    hr = make_user(roles.STAFF, roles.HR, roles.LINE_MANAGER)
    person = make_user(roles.STAFF, line_manager=hr, full_name="Ann Carer")
    record = TrainingRecordFactory(
        user=person, course=CourseFactory(title="Modern slavery induction"), due_on=datetime.date(2026, 1, 5)
    )
    RecruitmentCheckFactory(worker=person, dbs_outcome="clear", dbs_checked_on=datetime.date(2025, 12, 1))
    version = PolicyVersionFactory(policy__title="Modern Slavery Policy")
    path = {
        "record": f"/training/records/{record.pk}/",
        "recruitment": f"/training/admin/recruitment/{person.pk}/",
        "policy": f"/training/policies/versions/{version.pk}/",
        "person": f"/training/people/{person.pk}/",
    }.get(path, path)
    sign_in_as(page, live_server, hr)
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_role("heading", level=1).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
