"""restrict() on the core QuerySets agrees with the object rule, for every role × every record state.

The people register, notifications, the access log, failed emails and the
organisation profile are read through restrict() by their pages; the predicates
in compliance/rules.py say the same per object, and these tests hold them together.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from compliance import roles, selectors
from compliance import rules as compliance_rules
from compliance.models import (
    AccessLog,
    Department,
    LegalEntity,
    Notification,
    Organisation,
    OutboxMessage,
    Site,
    User,
)
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion
from compliance.tests.factories import (
    DepartmentFactory,
    NotificationFactory,
    OrganisationFactory,
    PolicyFactory,
    PolicyVersionFactory,
    SiteFactory,
)
from tests.support import assert_restrict_matches


@pytest.fixture
def everyone(make_user):
    """One person per role, a line manager with a report, someone switched off, and the anonymous visitor."""
    people = [make_user(role) for role in roles.ALL_ROLES]
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    people += [manager, make_user(roles.STAFF, line_manager=manager)]
    people.append(make_user(roles.STAFF, roles.COMPLIANCE_ADMIN, is_active=False))
    people.append(AnonymousUser())
    return people


def _signed_in(everyone):
    return [p for p in everyone if getattr(p, "pk", None)]


@pytest.mark.django_db
def test_people_restrict_matches_the_rules(everyone):
    queryset = User.objects.all()
    for action in ("view", "change"):
        assert_restrict_matches(
            queryset=queryset, predicate=compliance_rules.can_manage_organisation, users=everyone, action=action
        )
    assert_restrict_matches(
        queryset=queryset,
        predicate=compliance_rules.can_oversee_training_of,
        users=everyone,
        action="oversee_training",
    )


@pytest.mark.django_db
def test_notifications_are_their_recipients_only(everyone):
    for person in _signed_in(everyone):
        NotificationFactory(recipient=person)
    queryset = Notification.objects.all()
    for action in ("view", "change"):
        assert_restrict_matches(
            queryset=queryset, predicate=compliance_rules.is_notification_recipient, users=everyone, action=action
        )


@pytest.mark.django_db
def test_access_log_and_outbox_match_their_rules(everyone):
    signed_in = _signed_in(everyone)
    AccessLog.objects.create(user=signed_in[0], action=AccessLog.Action.VIEW, object_repr="Case MS-1")
    AccessLog.objects.create(user=None, action=AccessLog.Action.EXPORT, object_repr="Case list")
    for status in OutboxMessage.Status.values:
        OutboxMessage.objects.create(
            to="someone@example.org", subject="Hello", body_text="Hi", status=status, give_up_at=timezone.now()
        )
    assert_restrict_matches(
        queryset=AccessLog.objects.all(), predicate=compliance_rules.can_view_access_log, users=everyone
    )
    for action in ("view", "change"):
        assert_restrict_matches(
            queryset=OutboxMessage.objects.all(),
            predicate=compliance_rules.can_manage_organisation,
            users=everyone,
            action=action,
        )


@pytest.mark.django_db
def test_organisation_profile_is_read_by_everyone_signed_in_and_changed_by_the_admin(everyone):
    organisation = OrganisationFactory()
    LegalEntity.objects.create(organisation=organisation, name="Subsidiary Ltd")
    DepartmentFactory()
    SiteFactory()
    for model in (Organisation, LegalEntity, Department, Site):
        assert_restrict_matches(
            queryset=model.objects.all(), predicate=compliance_rules.is_signed_in, users=everyone, action="view"
        )
        assert_restrict_matches(
            queryset=model.objects.all(),
            predicate=compliance_rules.can_manage_organisation,
            users=everyone,
            action="change",
        )


@pytest.mark.django_db
def test_an_unknown_action_answers_nothing(everyone):
    admin = next(p for p in everyone if getattr(p, "pk", None) and p.role_names == {roles.COMPLIANCE_ADMIN})
    for model in (User, Notification, AccessLog, OutboxMessage, Organisation, Department, Site, LegalEntity):
        assert not model.objects.restrict(admin, "delete-everything").exists(), model


def test_saved_import_mappings_restrict_matches_the_object_rule(everyone):
    from compliance.import_mapping_models import ImportMapping, can_use_import_mapping
    from compliance.spreadsheets import ImportKind

    for kind in ImportKind:
        ImportMapping.objects.create(kind=kind, signature=kind, name=f"{kind} layout", columns={})
    for action in ("view", "change"):
        assert_restrict_matches(
            queryset=ImportMapping.objects.all(), predicate=can_use_import_mapping, users=everyone, action=action
        )
    assert not ImportMapping.objects.restrict(everyone[0], "delete").exists()


@pytest.mark.django_db
def test_policy_restrict_matches_the_rules(everyone):
    policy = PolicyFactory()
    PolicyVersionFactory(policy=policy, number=1)
    draft = PolicyVersionFactory(policy=policy, number=2, published_at=None)
    PolicyFactory()  # no version yet
    for person in everyone[:3]:
        Acknowledgement.objects.create(user=person, version=PolicyVersion.objects.get(policy=policy, number=1))
    assert_restrict_matches(queryset=Policy.objects.all(), predicate=compliance_rules.can_view_policy, users=everyone)
    assert_restrict_matches(
        queryset=Policy.objects.all(), predicate=compliance_rules.can_manage_policies, users=everyone, action="change"
    )
    assert_restrict_matches(
        queryset=PolicyVersion.objects.all(), predicate=compliance_rules.can_view_policy_version, users=everyone
    )
    assert_restrict_matches(
        queryset=Acknowledgement.objects.all(), predicate=compliance_rules.can_view_acknowledgement, users=everyone
    )
    assert draft.pk not in PolicyVersion.objects.restrict(everyone[0], "view").values_list("pk", flat=True)


@pytest.mark.django_db
def test_the_selectors_read_through_restrict(everyone):
    """Each page's selector starts from restrict(): its view's own check is not the only one."""
    admin = next(p for p in everyone if getattr(p, "role_names", None) == {roles.COMPLIANCE_ADMIN})
    lead = next(p for p in everyone if getattr(p, "role_names", None) == {roles.MODERN_SLAVERY_LEAD})
    DepartmentFactory()
    SiteFactory()
    AccessLog.objects.create(user=lead, action=AccessLog.Action.VIEW, object_repr="Case MS-1")
    OutboxMessage.objects.create(
        to="someone@example.org",
        subject="Hello",
        body_text="Hi",
        status=OutboxMessage.Status.FAILED,
        give_up_at=timezone.now(),
    )
    staff = next(p for p in everyone if getattr(p, "role_names", None) == {roles.STAFF})
    # Changing the organisation profile is the admin's; everyone else gets no rows to edit.
    for reader, sees in ((admin, True), (lead, False), (staff, False)):
        assert selectors.department_list(user=reader).exists() is sees
        assert selectors.site_list(user=reader).exists() is sees
        assert selectors.people_for_admin(user=reader).exists() is sees
        assert bool(selectors.outbox_counts(user=reader)) is sees
    # The access log is the Lead's and the admin's.
    assert selectors.access_log_list(user=lead).exists()
    assert selectors.access_log_list(user=admin).exists()
    assert not selectors.access_log_list(user=staff).exists()


@pytest.mark.django_db
def test_the_profile_is_not_read_by_a_visitor_or_a_switched_off_account(everyone):
    # Not only agreement with the rule (a rule allowing everyone would agree with itself): nobody
    # who is not signed in with a live account reads the organisation's departments and sites.
    DepartmentFactory()
    outsiders = [p for p in everyone if not getattr(p, "pk", None) or not p.is_active]
    assert len(outsiders) == 2
    for person in outsiders:
        assert not Department.objects.restrict(person, "view").exists()
        assert not compliance_rules.is_signed_in.test(person)
