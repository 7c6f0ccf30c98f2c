"""Each case selector restricts on its own, called directly (the views' role checks are not the only ones).

Who gets which rows, absolutely: the Lead every case; a Safeguarding team member their assigned
cases and every service-user case; a reporter their own reports; anyone else nothing.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from compliance import roles
from compliance.models import AccessLog
from safeguarding import selectors
from safeguarding.models import Attachment, FirstResponder, IdentityGrant, SubjectType
from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(lead, team_member, other_team_member, reporter, make_user):
    """Three cases: one assigned to the team member, one about a service user, one assigned elsewhere."""
    someone_else = make_user(roles.STAFF)
    return {
        "assigned": ConcernFactory(assignee=team_member, subject_type=SubjectType.STAFF, reporter=reporter),
        "service_user": ConcernFactory(assignee=other_team_member, subject_type=SubjectType.SERVICE_USER),
        "elsewhere": ConcernFactory(assignee=other_team_member, subject_type=SubjectType.STAFF, reporter=someone_else),
    }


def _refs(queryset):
    return set(queryset.values_list("reference", flat=True))


def test_concern_list_and_export_list_are_the_readers_cases_only(cases, lead, team_member, staff_user, make_user):
    every = {c.reference for c in cases.values()}
    in_scope = {cases["assigned"].reference, cases["service_user"].reference}
    for selector in (selectors.concern_list, selectors.concern_export_list):
        assert _refs(selector(user=lead)) == every
        assert _refs(selector(user=team_member)) == in_scope
        for outsider in (staff_user, make_user(roles.COMPLIANCE_ADMIN), make_user(roles.DIRECTOR)):
            assert _refs(selector(user=outsider)) == set(), outsider.role_names


def test_concern_get_is_404_out_of_scope(cases, lead, team_member, staff_user):
    assert selectors.concern_get(user=team_member, reference=cases["assigned"].reference) == cases["assigned"]
    assert selectors.concern_get(user=lead, reference=cases["elsewhere"].reference) == cases["elsewhere"]
    with pytest.raises(Http404):
        selectors.concern_get(user=team_member, reference=cases["elsewhere"].reference)
    with pytest.raises(Http404):
        selectors.concern_get(user=staff_user, reference=cases["assigned"].reference)


def test_attachment_get_is_404_out_of_scope(cases, team_member, staff_user):
    files = {
        key: Attachment.objects.create(
            concern=concern, file="x", original_name="a.pdf", content_type="application/pdf", size=1, sha256="0"
        )
        for key, concern in cases.items()
    }
    got = selectors.attachment_get(user=team_member, reference=cases["assigned"].reference, pk=files["assigned"].pk)
    assert got == files["assigned"]
    with pytest.raises(Http404):
        selectors.attachment_get(user=team_member, reference=cases["elsewhere"].reference, pk=files["elsewhere"].pk)
    with pytest.raises(Http404):
        selectors.attachment_get(user=staff_user, reference=cases["assigned"].reference, pk=files["assigned"].pk)


def test_my_reports_are_the_reporters_own(cases, reporter, lead, team_member):
    assert _refs(selectors.my_reports(user=reporter)) == {cases["assigned"].reference}
    # Case work is not "my reports": the Lead and the team reported nothing here.
    assert _refs(selectors.my_reports(user=lead)) == set()
    assert _refs(selectors.my_reports(user=team_member)) == set()
    assert selectors.my_report_get(user=reporter, reference=cases["assigned"].reference) == cases["assigned"]
    assert selectors.my_report_get(user=reporter, reference=cases["elsewhere"].reference) is None
    assert selectors.my_report_get(user=lead, reference=cases["assigned"].reference) is None


def test_first_responders_are_for_case_workers_and_the_admin(team_member, staff_user, compliance_admin, make_user):
    # Made here, not taken from the migration's seed: a transactional test elsewhere in the run
    # flushes seeded rows, and an empty list would pass the refusals below for the wrong reason.
    FirstResponderFactory()
    every = set(FirstResponder.objects.values_list("pk", flat=True))
    assert set(selectors.first_responders(user=team_member).values_list("pk", flat=True)) == every
    assert set(selectors.first_responders(user=compliance_admin, action="change").values_list("pk", flat=True)) == every
    assert not selectors.first_responders(user=staff_user).exists()
    assert not selectors.first_responders(user=make_user(roles.DIRECTOR)).exists()
    assert not selectors.first_responders(user=team_member, action="change").exists()
    one = FirstResponder.objects.first()
    assert selectors.first_responder_get(user=compliance_admin, pk=one.pk) == one
    assert selectors.first_responder_get(user=team_member, pk=one.pk) is None
    assert selectors.first_responder_get(user=staff_user, pk=one.pk) is None


def test_identity_grants_are_shown_only_to_who_knows_the_reporter(
    cases, lead, team_member, other_team_member, staff_user
):
    concern = cases["service_user"]
    grant = IdentityGrant.objects.create(concern=concern, user=team_member, granted_by=lead, reason="Police")
    assert list(selectors.identity_grants(user=lead, concern=concern)) == [grant]
    assert list(selectors.identity_grants(user=team_member, concern=concern)) == [grant]
    # The other team member works the case (a service user) but was not told who reported it.
    assert list(selectors.identity_grants(user=other_team_member, concern=concern)) == []
    assert list(selectors.identity_grants(user=staff_user, concern=concern)) == []


def test_case_readers_and_retention_are_the_leads(cases, lead, team_member, compliance_admin):
    concern = cases["assigned"]
    AccessLog.objects.create(
        user=team_member,
        action=AccessLog.Action.VIEW,
        object_repr=concern.reference,
        content_type=ContentType.objects.get_for_model(concern),
        object_id=str(concern.pk),
    )
    assert [row["user_id"] for row in selectors.case_readers(user=lead, concern=concern)] == [team_member.pk]
    # The admin may read the access log, but not who read a case.
    assert selectors.case_readers(user=compliance_admin, concern=concern) == []
    assert selectors.case_readers(user=team_member, concern=concern) == []
    assert selectors.concern_retention(user=lead, concern=concern)["legal_hold"] is False
    assert selectors.concern_retention(user=team_member, concern=concern) is None
    assert selectors.concern_retention(user=compliance_admin, concern=concern) is None
