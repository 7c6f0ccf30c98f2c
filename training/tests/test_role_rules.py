"""Who holds each training rule, written out independently of the rule (DESIGN.md, roles).

training/tests/test_restrict.py checks that restrict() agrees with training/rules.py; it cannot see a
rule that is wrong everywhere at once (a rule that lets everyone in agrees with itself). These tables
are the independent statement, as compliance/tests/test_role_rules.py is for the role rules.

Record rules are asked about a record that is *not* the person's and whose owner has no manager,
so only the role part answers; what ownership and line management add is stated fact by fact below.
"""

import pytest

from compliance import roles
from tests.support import assert_outsiders_refused, roles_granted
from training import rules as r
from training.tests.factories import CourseFactory, TrainingRecordFactory

S, LM, LEAD, SG, PROC, HR, BOARD, DIR, ADMIN = (
    roles.STAFF,
    roles.LINE_MANAGER,
    roles.MODERN_SLAVERY_LEAD,
    roles.SAFEGUARDING_TEAM,
    roles.PROCUREMENT,
    roles.HR,
    roles.BOARD_MEMBER,
    roles.DIRECTOR,
    roles.COMPLIANCE_ADMIN,
)
EVERY_ROLE = set(roles.ALL_ROLES)

OBJECTS = {
    "active course": lambda: CourseFactory(is_active=True),
    # A withdrawn course stays on people's records but is not offered any more.
    "withdrawn course": lambda: CourseFactory(is_active=False),
    "a stranger's record": lambda: TrainingRecordFactory(),
    "no object": lambda: None,
}

WHO = [
    # Everyone signed in sees the courses on offer (their own training).
    ("can_view_course", "active course", EVERY_ROLE),
    # HR and the admin keep the courses (DESIGN: HR training, admin courses), withdrawn ones included.
    ("can_view_course", "withdrawn course", {HR, ADMIN}),
    ("can_view_record", "a stranger's record", {HR, ADMIN}),
    ("can_confirm_record", "a stranger's record", {HR, ADMIN}),
    # Completion rates are a KPI (DESIGN: the KPI snapshot holds training completion %): the reporting
    # readers see them, and HR, who runs the training. A line manager sees their team, not the rates.
    ("can_view_completion_rates", "no object", {HR, ADMIN, LEAD, BOARD, DIR}),
    # DBS and right-to-work facts. DESIGN.md names HR; the rule's comment adds the admin on purpose.
    ("can_manage_recruitment_checks", "no object", {HR, ADMIN}),
    # HR and the admin keep the policy documents (compliance.rules.can_manage_policies says why).
    ("can_manage_policies", "no object", {HR, ADMIN}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "thing", "expected"), WHO, ids=[f"{rule}-{thing}" for rule, thing, _ in WHO])
def test_each_rule_grants_exactly_the_roles_the_design_names(rule, thing, expected, make_user):
    predicate = getattr(r, rule)
    obj = OBJECTS[thing]()
    granted = roles_granted(predicate, make_user, obj)
    assert granted == expected
    # Nobody outside: not a visitor, and not an account that has been switched off (whatever its roles).
    assert_outsiders_refused(predicate, make_user, obj)


# What the record adds: its owner, and their direct line manager.


@pytest.fixture
def manager(make_user):
    return make_user(S, LM)


@pytest.fixture
def report(make_user, manager):
    return make_user(S, line_manager=manager)


@pytest.mark.django_db
def test_a_person_sees_their_own_training_record(make_user):
    person = make_user(S)
    assert r.can_view_record.test(person, TrainingRecordFactory(user=person))


@pytest.mark.django_db
def test_a_line_manager_sees_a_direct_reports_record(manager, report):
    assert r.can_view_record.test(manager, TrainingRecordFactory(user=report))


@pytest.mark.django_db
def test_a_line_manager_confirms_a_direct_reports_record(manager, report):
    assert r.can_confirm_record.test(manager, TrainingRecordFactory(user=report))


@pytest.mark.django_db
def test_a_line_manager_does_not_see_another_teams_record(manager, make_user):
    other_team = make_user(S, line_manager=make_user(S, LM))
    assert not r.can_view_record.test(manager, TrainingRecordFactory(user=other_team))


@pytest.mark.django_db
def test_a_managers_manager_does_not_see_the_grand_reports_record(manager, report, make_user):
    # Direct reports only: a manager's manager uses the HR view, not this one.
    grand_report = make_user(S, line_manager=report)
    assert not r.can_view_record.test(manager, TrainingRecordFactory(user=grand_report))


@pytest.mark.django_db
def test_being_named_line_manager_without_the_role_opens_nothing(make_user):
    # The role, not the field, makes a manager.
    named = make_user(S)
    report = make_user(S, line_manager=named)
    assert not r.can_view_record.test(named, TrainingRecordFactory(user=report))


@pytest.mark.django_db
@pytest.mark.parametrize("role_names", [(S, HR), (S, ADMIN), (S, LM, HR)], ids=["HR", "admin", "HR-manager"])
def test_nobody_confirms_their_own_self_declaration(role_names, make_user):
    person = make_user(*role_names, mfa=False)
    assert not r.can_confirm_record.test(person, TrainingRecordFactory(user=person))


@pytest.mark.django_db
def test_a_person_does_not_confirm_their_own_record(make_user):
    person = make_user(S)
    assert not r.can_confirm_record.test(person, TrainingRecordFactory(user=person))


@pytest.mark.django_db
def test_an_active_course_is_active():
    assert r.is_active_course.test(None, CourseFactory(is_active=True))


@pytest.mark.django_db
def test_a_withdrawn_course_is_not_active():
    assert not r.is_active_course.test(None, CourseFactory(is_active=False))
