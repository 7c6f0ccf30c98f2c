"""Writes to people, the organisation profile and API tokens go through services that check the role and leave history."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from knox.models import AuthToken

from compliance import account_services, roles, services
from compliance.forms import DepartmentFormSet, LegalEntityFormSet, OrganisationForm, SiteFormSet
from compliance.models import Department, Organisation, Site, User
from compliance.tests.factories import OrganisationFactory
from tests.formdata import browser_form_data

pytestmark = pytest.mark.django_db


def _history(obj):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))


@pytest.mark.parametrize("role", [r for r in roles.ALL_ROLES if r != roles.COMPLIANCE_ADMIN])
def test_only_the_admin_saves_a_person(make_user, role):
    with pytest.raises(PermissionDenied):
        services.person_save(actor=make_user(role), person=None, email="x@example.org", full_name="X", roles=[])
    assert not User.objects.filter(email="x@example.org").exists()


def test_person_save_creates_and_updates_with_roles_and_history(make_user):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    hr = Group.objects.get(name=roles.HR)
    person = services.person_save(
        actor=admin, person=None, email="new@example.org", full_name="New Person", roles=[hr], left_on=None
    )
    assert person.role_names == {roles.HR} and not person.has_usable_password()
    updated = services.person_save(
        actor=admin,
        person=person,
        email=person.email,
        full_name="New Person",
        roles=[],
        is_active=False,
        left_on=datetime.date(2026, 3, 1),
    )
    updated.refresh_from_db()
    assert not updated.is_active and updated.left_on == datetime.date(2026, 3, 1) and updated.role_names == set()
    assert _history(updated).count() >= 2


def test_an_active_person_has_no_leaving_date(make_user):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    person = services.person_save(
        actor=admin, person=None, email="a@example.org", full_name="A", roles=[], left_on=datetime.date(2026, 1, 1)
    )
    assert person.left_on is None


def _profile_forms(organisation, data=None):
    return (
        OrganisationForm(data, instance=organisation),
        [
            LegalEntityFormSet(data, instance=organisation, prefix="entities"),
            DepartmentFormSet(data, queryset=Department.objects.all(), prefix="departments"),
            SiteFormSet(data, queryset=Site.objects.all(), prefix="sites"),
        ],
    )


@pytest.mark.parametrize("role", [roles.HR, roles.MODERN_SLAVERY_LEAD, roles.STAFF])
def test_only_the_admin_saves_the_organisation_profile(make_user, role):
    form, formsets = _profile_forms(OrganisationFactory())
    with pytest.raises(PermissionDenied):
        services.organisation_profile_save(actor=make_user(role), form=form, formsets=formsets)


def test_api_token_create_replace_and_revoke_leave_history_without_the_token(make_user):
    user = make_user(roles.STAFF)
    _, first = account_services.api_token_create(user=user)
    _, second = account_services.api_token_create(user=user)
    assert AuthToken.objects.filter(user=user).count() == 1
    assert account_services.api_token_revoke(user=user) == 1
    assert account_services.api_token_revoke(user=user) == 0  # nothing to revoke, nothing logged
    changes = [entry.changes_dict.get("api_token") for entry in _history(user).order_by("pk")]
    assert [c[1] for c in changes if c] == ["created", "replaced", "revoked"]
    logged = " ".join(str(entry.changes) for entry in _history(user))
    assert first not in logged and second not in logged
    assert all(entry.actor_id == user.pk for entry in _history(user) if entry.changes_dict.get("api_token"))


def test_organisation_page_saves_every_part_through_the_service(client, login, make_user):
    login(make_user(roles.COMPLIANCE_ADMIN))
    organisation = OrganisationFactory()
    data = browser_form_data(client.get(reverse("organisation")).content.decode())
    data["legal_name"] = "Renamed Care Ltd"
    data[f"departments-{data['departments-INITIAL_FORMS']}-name"] = "Nursing"
    assert client.post(reverse("organisation"), data).status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).legal_name == "Renamed Care Ltd"
    assert _history(Department.objects.get(name="Nursing")).exists()
