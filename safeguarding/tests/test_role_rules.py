"""Who may see and work a case, written out as the design says it (DESIGN.md, roles), not derived from the rules.

The parity test (test_restrict.py) checks that restrict() agrees with each rule, and the permission matrix
asks the rule what to expect: neither can see a rule that is wrong everywhere at once (a case rule that lets
everyone in agrees with itself). These tables and the absolute cases below are the independent statement:
a changed rule must change them too, on purpose.

From the design: the Modern Slavery Lead does everything on cases, reporter identity included; the
Safeguarding team works the cases assigned to them and every case about a service user, and sees who
reported only when the Lead grants it. Nobody else has case access. From the rule comments: closing,
triage and identity grants are the Lead's decisions, and so is seeing who has read a case.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from compliance import roles
from safeguarding import rules as r
from safeguarding.models import CaseAction, IdentityGrant, SubjectType, TimelineEntry
from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory, ReferralFactory
from tests.support import assert_outsiders_refused, roles_granted

pytestmark = pytest.mark.django_db

LEAD, SG, ADMIN = roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM, roles.COMPLIANCE_ADMIN

# On a case about a worker that nobody is assigned to: the team has no business with it.
WHO_ON_A_WORKER_CASE = {
    "can_view_case": {LEAD},
    "can_work_case": {LEAD},
    "can_triage_case": {LEAD},
    "can_close_case": {LEAD},
    "can_grant_identity": {LEAD},
    "can_see_reporter_identity": {LEAD},
    "can_see_case_readers": {LEAD},
    # Nobody in the table reported it.
    "can_follow_up_report": set(),
}
# On a case about a service user, unassigned: the whole team sees and works it, but who reported it
# stays with the Lead (no grant), and the Lead's decisions stay the Lead's.
WHO_ON_A_SERVICE_USER_CASE = {
    **WHO_ON_A_WORKER_CASE,
    "can_view_case": {LEAD, SG},
    "can_work_case": {LEAD, SG},
}
# The list of first responders: case workers choose from it, the Compliance admin keeps it.
WHO_ON_A_FIRST_RESPONDER = {"view": {LEAD, SG, ADMIN}, "change": {ADMIN}}


def granted_roles(predicate, obj, make_user):
    return roles_granted(predicate, make_user, obj)


def assert_outsiders_get_nothing(predicate, obj, make_user):
    # Not a visitor, and not an account that has been switched off, whatever roles it still holds.
    assert_outsiders_refused(predicate, make_user, obj)


@pytest.mark.parametrize("rule", sorted(WHO_ON_A_WORKER_CASE))
def test_on_a_worker_case_each_rule_grants_exactly_the_roles_the_design_names(rule, make_user):
    case = ConcernFactory(subject_type=SubjectType.STAFF)
    predicate = getattr(r, rule)
    assert granted_roles(predicate, case, make_user) == WHO_ON_A_WORKER_CASE[rule]
    assert_outsiders_get_nothing(predicate, case, make_user)


@pytest.mark.parametrize("rule", sorted(WHO_ON_A_SERVICE_USER_CASE))
def test_on_a_service_user_case_each_rule_grants_exactly_the_roles_the_design_names(rule, make_user):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER)
    predicate = getattr(r, rule)
    assert granted_roles(predicate, case, make_user) == WHO_ON_A_SERVICE_USER_CASE[rule]
    assert_outsiders_get_nothing(predicate, case, make_user)


@pytest.mark.parametrize("action", sorted(WHO_ON_A_FIRST_RESPONDER))
def test_first_responders_are_for_case_workers_and_kept_by_the_admin(action, make_user):
    responder = FirstResponderFactory()
    predicate = r.FIRST_RESPONDER_RULES[action]
    assert granted_roles(predicate, responder, make_user) == WHO_ON_A_FIRST_RESPONDER[action]
    assert_outsiders_get_nothing(predicate, responder, make_user)


# The team member's scope: assignment for cases about workers, every case about a service user.


def test_a_team_member_not_assigned_to_a_worker_case_cannot_view_it(team_member, other_team_member):
    case = ConcernFactory(subject_type=SubjectType.AGENCY_WORKER, assignee=other_team_member)
    assert not r.can_view_case.test(team_member, case)


def test_a_team_member_assigned_to_a_worker_case_can_view_it(team_member):
    case = ConcernFactory(subject_type=SubjectType.AGENCY_WORKER, assignee=team_member)
    assert r.can_view_case.test(team_member, case)


def test_a_team_member_assigned_to_a_worker_case_can_work_it(team_member):
    case = ConcernFactory(subject_type=SubjectType.AGENCY_WORKER, assignee=team_member)
    assert r.can_work_case.test(team_member, case)


def test_a_team_member_can_view_a_service_user_case_assigned_to_someone_else(team_member, other_team_member):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, assignee=other_team_member)
    assert r.can_view_case.test(team_member, case)


def test_the_lead_can_view_a_worker_case_assigned_to_someone_else(lead, team_member):
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=team_member)
    assert r.can_view_case.test(lead, case)


def test_staff_cannot_view_a_service_user_case(staff_user):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER)
    assert not r.can_view_case.test(staff_user, case)


def test_staff_cannot_view_a_case_even_when_assigned_to_it(staff_user):
    # Assignment gives scope to the team, not a role: someone outside the team never works a case.
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=staff_user)
    assert not r.can_view_case.test(staff_user, case)


def test_the_team_does_not_triage_or_close_even_the_case_it_is_assigned(team_member):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, assignee=team_member)
    assert not r.can_triage_case.test(team_member, case)
    assert not r.can_close_case.test(team_member, case)


# Who reported: the Lead always; a team member only with the Lead's grant, and only on a case they may see.


def grant_identity(case, to, by):
    return IdentityGrant.objects.create(concern=case, user=to, granted_by=by, reason="Referral to the police")


def test_an_assigned_team_member_without_a_grant_cannot_see_who_reported(team_member, reporter):
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=team_member, reporter=reporter)
    assert not r.can_see_reporter_identity.test(team_member, case)


def test_an_assigned_team_member_with_a_grant_can_see_who_reported(team_member, reporter, lead):
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=team_member, reporter=reporter)
    grant_identity(case, to=team_member, by=lead)
    assert r.can_see_reporter_identity.test(team_member, case)


def test_a_grant_to_someone_else_does_not_let_a_team_member_see_who_reported(
    team_member, other_team_member, reporter, lead
):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, reporter=reporter)
    grant_identity(case, to=other_team_member, by=lead)
    assert not r.can_see_reporter_identity.test(team_member, case)


def test_a_grant_on_a_case_reassigned_away_no_longer_shows_who_reported(team_member, other_team_member, reporter, lead):
    # The grant outlives the assignment; knowing who reported follows seeing the case, not the grant alone.
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=other_team_member, reporter=reporter)
    grant_identity(case, to=team_member, by=lead)
    assert not r.can_see_reporter_identity.test(team_member, case)


def test_a_grant_to_someone_outside_the_team_shows_them_nothing(staff_user, reporter, lead):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, reporter=reporter)
    grant_identity(case, to=staff_user, by=lead)
    assert not r.can_see_reporter_identity.test(staff_user, case)


def test_the_lead_sees_who_reported_without_any_grant(lead, reporter):
    case = ConcernFactory(subject_type=SubjectType.STAFF, reporter=reporter)
    assert r.can_see_reporter_identity.test(lead, case)


# Following up one's own report: the reporter, whatever role they hold, and nobody else.


def test_the_reporter_can_follow_up_their_own_report(reporter):
    case = ConcernFactory(reporter=reporter)
    assert r.can_follow_up_report.test(reporter, case)


def test_someone_else_cannot_follow_up_a_report(reporter, staff_user):
    case = ConcernFactory(reporter=reporter)
    assert not r.can_follow_up_report.test(staff_user, case)


def test_the_lead_cannot_follow_up_a_report_made_by_someone_else(reporter, lead):
    # Following up is the reporter's channel (adding information), not case work.
    case = ConcernFactory(reporter=reporter)
    assert not r.can_follow_up_report.test(lead, case)


def test_nobody_signed_in_follows_up_an_anonymous_report(lead):
    # Anonymous reports are followed up by receipt code, never through an account.
    case = ConcernFactory(reporter=None)
    assert not r.can_follow_up_report.test(lead, case)
    assert not r.can_follow_up_report.test(AnonymousUser(), case)


# Case records (timeline, referrals, identity grants) follow their case.


def test_a_timeline_entry_is_hidden_from_a_team_member_not_assigned_to_its_worker_case(team_member):
    case = ConcernFactory(subject_type=SubjectType.STAFF)
    entry = TimelineEntry.objects.create(concern=case, kind=TimelineEntry.Kind.NOTE, body="Called the agency")
    assert not r.RECORD_RULES[CaseAction.VIEW].test(team_member, entry)


def test_a_timeline_entry_is_visible_to_the_team_member_assigned_to_its_case(team_member):
    case = ConcernFactory(subject_type=SubjectType.STAFF, assignee=team_member)
    entry = TimelineEntry.objects.create(concern=case, kind=TimelineEntry.Kind.NOTE, body="Called the agency")
    assert r.RECORD_RULES[CaseAction.VIEW].test(team_member, entry)


def test_a_referral_is_hidden_from_staff_even_on_a_service_user_case(staff_user):
    referral = ReferralFactory(concern=ConcernFactory(subject_type=SubjectType.SERVICE_USER))
    assert not r.can_view_case_record.test(staff_user, referral)


def test_a_referral_can_be_worked_by_the_team_on_a_service_user_case(team_member):
    referral = ReferralFactory(concern=ConcernFactory(subject_type=SubjectType.SERVICE_USER))
    assert r.RECORD_RULES[CaseAction.WORK].test(team_member, referral)


def test_who_else_was_told_the_reporter_is_hidden_from_a_team_member_without_a_grant(
    team_member, other_team_member, lead
):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, assignee=team_member)
    grant = grant_identity(case, to=other_team_member, by=lead)
    assert not r.IDENTITY_GRANT_RULES[CaseAction.VIEW].test(team_member, grant)


def test_who_else_was_told_the_reporter_is_seen_by_the_lead(other_team_member, lead):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER)
    grant = grant_identity(case, to=other_team_member, by=lead)
    assert r.IDENTITY_GRANT_RULES[CaseAction.VIEW].test(lead, grant)


def test_only_the_lead_may_revoke_a_grant(team_member, lead):
    case = ConcernFactory(subject_type=SubjectType.SERVICE_USER, assignee=team_member)
    grant = grant_identity(case, to=team_member, by=lead)
    assert not r.IDENTITY_GRANT_RULES[CaseAction.GRANT_IDENTITY].test(team_member, grant)
    assert r.IDENTITY_GRANT_RULES[CaseAction.GRANT_IDENTITY].test(lead, grant)
