"""restrict() on every training and policy QuerySet agrees with the object rule, for every role × every record state.

Pages, the API and the selectors start from restrict(); the predicates in
training/rules.py and compliance/rules.py say the same thing per object. These
tests hold the two together, so who may see a record is never written twice unchecked.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from compliance import roles
from compliance import rules as compliance_rules
from compliance.policy_models import Policy, PolicyVersion
from tests.support import assert_restrict_matches
from training import rules as training_rules
from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck, TrainingRecord
from training.tests.factories import (
    AssignmentRuleFactory,
    CourseFactory,
    RecruitmentCheckFactory,
    TrainingRecordFactory,
)


@pytest.fixture
def manager(make_user):
    return make_user(roles.STAFF, roles.LINE_MANAGER)


@pytest.fixture
def everyone(make_user, manager):
    """One person per role, a line manager with a report, HR who is also a manager, someone switched off, anonymous."""
    people = [make_user(role) for role in roles.ALL_ROLES]
    people.append(manager)
    people.append(make_user(roles.STAFF, roles.HR, roles.LINE_MANAGER))
    people.append(make_user(roles.STAFF, roles.LINE_MANAGER, is_active=False))
    people.append(AnonymousUser())
    return people


@pytest.fixture
def records(everyone, manager, make_user):
    """A record for each person (so each sees their own), a direct report's, and a manager's manager's view."""
    report = make_user(roles.STAFF, line_manager=manager)
    grand_report = make_user(roles.STAFF, line_manager=report)
    owners = [p for p in everyone if getattr(p, "pk", None)] + [report, grand_report]
    # The report is named as someone's line manager without the Line manager role: they see only
    # their own records (the role, not the field, makes a manager).
    everyone.append(report)
    course = CourseFactory()
    made = [TrainingRecordFactory(user=owner, course=course) for owner in owners]
    made.append(TrainingRecordFactory(user=report, completed_on=datetime.date(2026, 2, 1)))
    made.append(TrainingRecordFactory(user=report, declared_on=datetime.date(2026, 2, 1)))
    return made


@pytest.mark.django_db
def test_course_restrict_matches_the_rule(everyone):
    CourseFactory(is_active=True)
    CourseFactory(is_active=False)
    queryset = Course.objects.all()
    assert_restrict_matches(queryset=queryset, predicate=training_rules.can_view_course, users=everyone)
    assert_restrict_matches(
        queryset=queryset, predicate=compliance_rules.can_manage_training, users=everyone, action="change"
    )


@pytest.mark.django_db
def test_training_record_restrict_matches_the_rules(everyone, records):
    queryset = TrainingRecord.objects.all()
    assert_restrict_matches(queryset=queryset, predicate=training_rules.can_view_record, users=everyone)
    assert_restrict_matches(
        queryset=queryset, predicate=training_rules.can_confirm_record, users=everyone, action="confirm"
    )


@pytest.mark.django_db
def test_role_gated_training_models_match_their_rules(everyone, make_user):
    AssignmentRuleFactory(is_active=True)
    AssignmentRuleFactory(is_active=False)
    RecruitmentCheckFactory(worker=make_user(roles.STAFF))
    ImportBatch.objects.create(kind=ImportBatch.Kind.ROSTER, filename="roster.csv", uploaded_by=everyone[0])
    for model, predicate in (
        (AssignmentRule, compliance_rules.can_manage_training),
        (RecruitmentCheck, training_rules.can_manage_recruitment_checks),
        (ImportBatch, compliance_rules.can_manage_training),
    ):
        for action in ("view", "change"):
            assert_restrict_matches(queryset=model.objects.all(), predicate=predicate, users=everyone, action=action)


@pytest.mark.django_db
def test_an_unknown_action_answers_nothing(everyone, records):
    hr = next(p for p in everyone if getattr(p, "pk", None) and p.role_names == {roles.HR})
    for model in (Course, AssignmentRule, TrainingRecord, RecruitmentCheck, ImportBatch, Policy, PolicyVersion):
        assert not model.objects.restrict(hr, "delete-everything").exists(), model
