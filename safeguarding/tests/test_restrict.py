"""`restrict(user, action)` on cases and their records agrees with the rules predicates.

The population is every role (plus an inactive Lead, a second team member, the
reporter and an anonymous visitor) × every case state that the rules look at:
status, who it is about, who it is assigned to, who reported it, and whether
the reporter's identity was shared with a team member.
"""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from compliance import roles
from compliance.tests.factories import SiteFactory
from safeguarding.models import (
    Attachment,
    CaseAction,
    Concern,
    CqcNotification,
    FirstResponder,
    IdentityGrant,
    Referral,
    Status,
    SubjectType,
    TimelineEntry,
)
from safeguarding.rules import CASE_RULES, FIRST_RESPONDER_RULES, IDENTITY_GRANT_RULES, RECORD_RULES
from safeguarding.tests.factories import ConcernFactory, ReferralFactory
from tests.support import assert_restrict_matches

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(make_user):
    people = {role: make_user(role, mfa=False) for role in roles.ALL_ROLES}
    team_member = people[roles.SAFEGUARDING_TEAM]
    other_team_member = make_user(roles.SAFEGUARDING_TEAM, mfa=False)
    reporter = make_user(roles.STAFF, mfa=False)
    # A team member who reported a case sees it as a reporter, not as case work.
    team_reporter = make_user(roles.STAFF, roles.SAFEGUARDING_TEAM, mfa=False)
    lead = people[roles.MODERN_SLAVERY_LEAD]
    users = [
        *people.values(),
        other_team_member,
        reporter,
        team_reporter,
        make_user(roles.MODERN_SLAVERY_LEAD, is_active=False, mfa=False),
        make_user(roles.SAFEGUARDING_TEAM, is_active=False, mfa=False),
        AnonymousUser(),
    ]
    states = itertools.product(
        Status.values,
        [SubjectType.SERVICE_USER, SubjectType.STAFF, SubjectType.UNKNOWN],
        [None, team_member, other_team_member, lead],
        [None, reporter, team_reporter],
    )
    site = SiteFactory()
    for i, (status, subject_type, assignee, who_reported) in enumerate(states):
        concern = ConcernFactory(
            status=status, subject_type=subject_type, assignee=assignee, reporter=who_reported, site=site
        )
        # Every third case shares the reporter's identity with the team member (in scope or not).
        if i % 3 == 0:
            IdentityGrant.objects.create(concern=concern, user=team_member, granted_by=lead, reason="Referral")
        TimelineEntry.objects.create(concern=concern, kind=TimelineEntry.Kind.NOTE, body="note")
        ReferralFactory(concern=concern)
        CqcNotification.objects.create(concern=concern, notified_on=concern.created_at.date())
        Attachment.objects.create(
            concern=concern, file="x", original_name="a.pdf", content_type="application/pdf", size=1, sha256="0"
        )
    return users


def test_concern_restrict_matches_case_rules(population):
    for action in CaseAction.values:
        compared = assert_restrict_matches(
            queryset=Concern.objects.all(), predicate=CASE_RULES[action], users=population, action=action
        )
        assert compared == len(population) * 5 * 3 * 4 * 3
        # A parity test over a population nobody (or everybody) may see would pass for any rule.
        counts = {Concern.objects.restrict(user, action).count() for user in population}
        assert 0 in counts and len(counts) > 1, action
    lead = next(u for u in population if u.is_authenticated and u.has_role(roles.MODERN_SLAVERY_LEAD))
    assert not Concern.objects.restrict(lead, "delete").exists()


def test_case_records_restrict_match_their_case(population):
    for model, action in itertools.product([TimelineEntry, Referral, Attachment, CqcNotification], CaseAction.values):
        assert_restrict_matches(
            queryset=model.objects.select_related("concern"),
            predicate=RECORD_RULES[action],
            users=population,
            action=action,
        )
    for action, predicate in IDENTITY_GRANT_RULES.items():
        assert_restrict_matches(
            queryset=IdentityGrant.objects.select_related("concern"),
            predicate=predicate,
            users=population,
            action=action,
        )
    lead = next(u for u in population if u.is_authenticated and u.has_role(roles.MODERN_SLAVERY_LEAD))
    assert not TimelineEntry.objects.restrict(lead, "delete").exists()
    assert not IdentityGrant.objects.restrict(lead, CaseAction.WORK).exists()


def test_first_responder_restrict_matches_its_rules(population):
    FirstResponder.objects.create(name="Inactive project", category="charity", active=False)
    for action, predicate in FIRST_RESPONDER_RULES.items():
        assert_restrict_matches(
            queryset=FirstResponder.objects.all(), predicate=predicate, users=population, action=action
        )
        counts = {FirstResponder.objects.restrict(user, action).count() for user in population}
        assert 0 in counts and len(counts) > 1, action
    admin = next(u for u in population if u.is_authenticated and u.has_role(roles.COMPLIANCE_ADMIN))
    assert not FirstResponder.objects.restrict(admin, "delete").exists()
