"""restrict() on the core QuerySets agrees with the object rule, for every role × every record state.

The people register, notifications, the access log, failed emails and the
organisation profile are read through restrict() by their pages; the predicates
in compliance/rules.py say the same per object, and these tests hold them together.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from compliance import roles
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
from compliance.tests.factories import DepartmentFactory, NotificationFactory, OrganisationFactory, SiteFactory
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
