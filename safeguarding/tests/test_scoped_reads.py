"""Reads a mutation check showed no test covered: each fails if its selector stops restricting."""

import pytest
from django.urls import reverse

from compliance import roles
from safeguarding.models import Channel, IdentityGrant, SubjectType
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def test_my_reports_lists_only_the_reporters_own(client, login, reporter, make_user):
    mine = ConcernFactory(reporter=reporter)
    theirs = ConcernFactory(reporter=make_user(roles.STAFF))
    anonymous = ConcernFactory(reporter=None)
    login(reporter)
    html = client.get(reverse("safeguarding:my_reports")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html
    assert anonymous.reference not in html


def test_someone_elses_report_is_404_in_my_reports(client, login, reporter, make_user):
    theirs = ConcernFactory(reporter=make_user(roles.STAFF))
    login(reporter)
    assert client.get(reverse("safeguarding:my_report_detail", args=[theirs.reference])).status_code == 404
    assert client.get(reverse("safeguarding:my_report_detail", args=[ConcernFactory().reference])).status_code == 404


def test_who_else_knows_the_reporter_is_shown_only_to_those_who_know_it(
    client, login, lead, team_member, other_team_member
):
    concern = ConcernFactory(subject_type=SubjectType.SERVICE_USER)
    IdentityGrant.objects.create(concern=concern, user=team_member, granted_by=lead, reason="Police referral XYZ")
    url = concern.get_absolute_url()
    login(team_member)
    assert "Police referral XYZ" in client.get(url).content.decode()
    # The other team member works the case (a service user) but was not told who reported it.
    login(other_team_member)
    response = client.get(url)
    assert response.status_code == 200
    assert "Police referral XYZ" not in response.content.decode()


def test_only_the_lead_is_offered_to_share_the_reporters_identity(client, login, lead, team_member, reporter):
    def offers_grant(concern) -> bool:
        form_action = reverse("safeguarding:case_action", args=[concern.reference, "grant"])
        return form_action in client.get(concern.get_absolute_url()).content.decode()

    concern = ConcernFactory(subject_type=SubjectType.SERVICE_USER, reporter=reporter)
    login(lead)
    assert offers_grant(concern)
    login(team_member)
    assert not offers_grant(concern)
    # Nor for an anonymous report, whose reporter nobody can name.
    login(lead)
    assert not offers_grant(ConcernFactory(reporter=None, channel=Channel.ANONYMOUS_FORM))
