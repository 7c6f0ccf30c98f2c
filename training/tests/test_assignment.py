"""Rule-based assignment: on import, on joining a role, for new starters, and when a certificate expires."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group

from compliance import roles
from compliance.tests.factories import DepartmentFactory
from training.models import Course, TrainingRecord
from training.services import (
    assignment_rule_save,
    assignments_apply,
    training_completion_from_import,
    training_reminders_send,
)
from training.tests.factories import AssignmentRuleFactory, CourseFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def _courses_of(user):
    return sorted(TrainingRecord.objects.filter(user=user).values_list("course__code", flat=True))


@time_machine.travel(TODAY, tick=False)
def test_joining_a_role_assigns_the_specialised_course(make_user):
    course = CourseFactory(code="ms-managers", kind=Course.Kind.SPECIALISED)
    AssignmentRuleFactory(course=course, role=Group.objects.get(name=roles.LINE_MANAGER), due_within_days=60)
    person = make_user(roles.STAFF)
    assert _courses_of(person) == []

    person.groups.add(Group.objects.get(name=roles.LINE_MANAGER))

    record = TrainingRecord.objects.get(user=person)
    assert record.course == course
    assert record.source == TrainingRecord.Source.RULE
    assert record.due_on == TODAY + datetime.timedelta(days=60)


@time_machine.travel(TODAY, tick=False)
def test_rule_criteria_all_have_to_match(make_user, hr_user):
    care = DepartmentFactory(name="Care delivery")
    course = CourseFactory(code="agency-induction")
    rule = AssignmentRuleFactory.build(course=course, department=care, employment_type="agency")
    agency_carer = make_user(roles.STAFF, department=care, employment_type="agency")
    permanent_carer = make_user(roles.STAFF, department=care, employment_type="permanent")
    agency_elsewhere = make_user(roles.STAFF, employment_type="agency")

    assigned = assignment_rule_save(rule=rule, actor=hr_user)

    assert assigned == 1
    assert _courses_of(agency_carer) == ["agency-induction"]
    assert _courses_of(permanent_carer) == []
    assert _courses_of(agency_elsewhere) == []


@time_machine.travel(TODAY, tick=False)
def test_new_starter_rule_is_due_n_days_after_start_and_skips_long_serving_staff(make_user):
    induction = CourseFactory(code="ms-induction", kind=Course.Kind.INDUCTION, validity_months=None)
    AssignmentRuleFactory(course=induction, new_starter_within_days=28)
    starter = make_user(roles.STAFF, start_date=TODAY - datetime.timedelta(days=3))
    veteran = make_user(roles.STAFF, start_date=datetime.date(2019, 5, 1))

    assignments_apply(users=[starter, veteran])

    assert TrainingRecord.objects.get(user=starter).due_on == TODAY + datetime.timedelta(days=25)
    assert _courses_of(veteran) == []


@time_machine.travel(TODAY, tick=False)
def test_assignment_is_idempotent_and_skips_leavers(make_user):
    AssignmentRuleFactory(course=CourseFactory(code="refresher"))
    person = make_user(roles.STAFF)
    leaver = make_user(roles.STAFF, is_active=False, left_on=TODAY)

    assignments_apply(users=[person, leaver])
    assignments_apply(users=[person, leaver])

    assert TrainingRecord.objects.filter(user=person).count() == 1
    assert not TrainingRecord.objects.filter(user=leaver).exists()


def test_an_expiring_certificate_is_reassigned_by_rule_when_it_nears_expiry(make_user):
    refresher = CourseFactory(code="safeguarding-refresher", validity_months=12)
    person = make_user(roles.STAFF)
    with time_machine.travel(datetime.date(2025, 4, 1), tick=False):
        AssignmentRuleFactory(course=refresher)
        training_completion_from_import(
            user=person, course=refresher, completed_on=datetime.date(2025, 4, 1), score=90, source="manual"
        )
    completed = TrainingRecord.objects.get(user=person)
    assert completed.expires_on == datetime.date(2026, 4, 1)

    # Two months before expiry: still valid, nothing new.
    with time_machine.travel(datetime.date(2026, 2, 1), tick=False):
        training_reminders_send()
    assert TrainingRecord.objects.filter(user=person).count() == 1

    # Within 30 days of expiry the daily task assigns the renewal, due on the expiry date.
    with time_machine.travel(datetime.date(2026, 3, 10), tick=False):
        training_reminders_send()
        training_reminders_send()
    renewal = TrainingRecord.objects.get(user=person, completed_on__isnull=True)
    assert renewal.due_on == datetime.date(2026, 4, 1)
    assert renewal.source == TrainingRecord.Source.RULE
    assert TrainingRecord.objects.filter(user=person).count() == 2


def test_the_daily_sweep_assigns_after_a_department_change(make_user):
    catering = DepartmentFactory(name="Housekeeping and catering")
    AssignmentRuleFactory(course=CourseFactory(code="food-workers-ms"), department=catering)
    person = make_user(roles.STAFF)
    with time_machine.travel(TODAY, tick=False):
        person.department = catering
        person.save()
        assert _courses_of(person) == []
        training_reminders_send()
    assert _courses_of(person) == ["food-workers-ms"]
