"""Each training selector restricts on its own, called directly (the views' role checks are not the only ones).

HR and the Compliance admin get every row; a line manager their direct reports' (and their own
records); a member of staff their own records and the active courses; anyone else nothing.
"""

import datetime

import pytest
from django.test import RequestFactory

from compliance import roles
from training import selectors
from training.filters import TrainingRecordFilterSet
from training.models import ImportBatch
from training.tests.factories import AssignmentRuleFactory, CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def team(make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    report = make_user(roles.STAFF, line_manager=manager)
    stranger = make_user(roles.STAFF)
    course = CourseFactory()
    retired = CourseFactory(is_active=False)
    return {
        "manager": manager,
        "report": report,
        "stranger": stranger,
        "hr": make_user(roles.HR),
        "course": course,
        "retired": retired,
        "records": {
            person: TrainingRecordFactory(user=who, course=course)
            for person, who in (("manager", manager), ("report", report), ("stranger", stranger))
        },
        "rule": AssignmentRuleFactory(course=course),
        "batch": ImportBatch.objects.create(kind=ImportBatch.Kind.ROSTER, filename="roster.csv", uploaded_by=manager),
    }


def _pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_courses_are_all_for_hr_and_the_active_ones_for_everyone_else(team):
    assert {team["course"].pk, team["retired"].pk} <= _pks(selectors.course_list(user=team["hr"]))
    for who in ("manager", "report", "stranger"):
        got = _pks(selectors.course_list(user=team[who]))
        assert team["course"].pk in got and team["retired"].pk not in got, who


def test_the_records_filter_offers_only_the_courses_the_user_may_see(team):
    def accepts(user, course) -> bool:
        request = RequestFactory().get("/")
        request.user = user
        return TrainingRecordFilterSet(data={"course": course.pk}, request=request).is_valid()

    assert accepts(team["hr"], team["retired"])
    assert accepts(team["stranger"], team["course"])
    assert not accepts(team["stranger"], team["retired"])


def test_records_are_own_reports_or_all(team):
    records = team["records"]
    every = {r.pk for r in records.values()}
    assert _pks(selectors.training_record_list(user=team["hr"])) == every
    assert _pks(selectors.training_record_list(user=team["manager"])) == {records["manager"].pk, records["report"].pk}
    assert _pks(selectors.training_record_list(user=team["stranger"])) == {records["stranger"].pk}
    # The records list page's rows: the same records for everyone, with fewer joins.
    for user in ("hr", "manager", "stranger"):
        assert _pks(selectors.training_record_rows(user=team[user])) == _pks(
            selectors.training_record_list(user=team[user])
        )
    assert selectors.training_record_get(user=team["stranger"], pk=records["report"].pk) is None
    assert selectors.training_record_get(user=team["manager"], pk=records["report"].pk) == records["report"]


def test_assignment_rules_and_imports_are_hr_and_the_admins(team, make_user):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    for reader in (team["hr"], admin):
        assert _pks(selectors.assignment_rule_list(user=reader)) == {team["rule"].pk}
        assert _pks(selectors.import_batch_list(user=reader)) == {team["batch"].pk}
    for outsider in (team["manager"], team["stranger"], make_user(roles.MODERN_SLAVERY_LEAD)):
        assert _pks(selectors.assignment_rule_list(user=outsider)) == set()
        assert _pks(selectors.import_batch_list(user=outsider)) == set()


def test_team_people_and_one_person_are_direct_reports_only_for_a_manager(team):
    assert _pks(selectors.team_people(user=team["manager"])) == {team["report"].pk}
    assert {team["manager"].pk, team["report"].pk, team["stranger"].pk} <= _pks(selectors.team_people(user=team["hr"]))
    assert _pks(selectors.team_people(user=team["stranger"])) == set()
    assert selectors.person_for_training(user=team["manager"], pk=team["report"].pk) == team["report"]
    assert selectors.person_for_training(user=team["manager"], pk=team["stranger"].pk) is None
    assert selectors.person_for_training(user=team["stranger"], pk=team["report"].pk) is None
    assert selectors.person_for_training(user=team["hr"], pk=team["stranger"].pk) == team["stranger"]


def test_recruitment_checks_are_hr_and_the_admins(team, make_user):
    staff_pks = {team[who].pk for who in ("manager", "report", "stranger")}
    assert staff_pks <= _pks(selectors.recruitment_check_people(user=team["hr"]))
    assert _pks(selectors.recruitment_check_people(user=team["manager"])) == set()
    assert selectors.recruitment_check_completion(user=team["hr"])["total"] >= 3
    # The KPI is also reporting's (the Board reads it); a member of staff gets nothing.
    assert selectors.recruitment_check_completion(user=make_user(roles.BOARD_MEMBER))["total"] >= 3
    assert selectors.recruitment_check_completion(user=team["stranger"]) == {
        "complete": 0,
        "total": 0,
        "rate": None,
    }


def test_completion_rates_are_for_hr_and_reporting(team, make_user):
    assert selectors.completion_rates(user=team["hr"], as_of=TODAY)["rows"]
    assert selectors.completion_rates(user=make_user(roles.DIRECTOR), as_of=TODAY)["rows"]
    assert selectors.completion_rates(user=team["manager"], as_of=TODAY)["rows"] == []
    assert selectors.completion_rates(user=team["stranger"], as_of=TODAY)["rows"] == []
