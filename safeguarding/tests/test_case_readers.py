"""The "Who has seen this case" panel: the Lead's view of the access log for one case."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import roles
from compliance.models import AccessLog
from compliance.services import access_log_record
from safeguarding.selectors import case_readers
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team_member):
    return ConcernFactory(assignee=team_member)


def _panel(html: str) -> str:
    match = re.search(r'<table class="table table-sm" data-testid="case-readers".*?</table>', html, re.S)
    return match.group(0) if match else ""


def test_the_lead_sees_who_read_the_case_and_how(client, login, lead, team_member, case):
    login(team_member)
    client.get(case.get_absolute_url())
    client.get(case.get_absolute_url())
    client.get(f"/cases/{case.reference}/summary.pdf")
    other = ConcernFactory(assignee=team_member)
    client.get(other.get_absolute_url())  # another case: not on this one's list
    login(lead)
    panel = _panel(client.get(case.get_absolute_url()).content.decode())
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", panel)
    # The Lead's own view of this page is logged before it is drawn, so it is on the list too.
    assert sorted(rows) == sorted([(team_member.full_name, "2", "0", "1"), (lead.full_name, "1", "0", "0")])


def test_only_the_lead_sees_the_panel(client, login, team_member, case, make_user):
    login(team_member)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Who has seen this case" not in html and 'data-testid="case-readers"' not in html
    assert case_readers(user=team_member, concern=case) == []
    assert case_readers(user=make_user(roles.COMPLIANCE_ADMIN), concern=case) == []


def test_the_panel_costs_the_same_queries_for_one_reader_or_fifty(client, login, lead, case, make_user):
    login(lead)
    client.get(case.get_absolute_url())  # warm the content-type cache and the session

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    one = count()
    readers = [make_user(roles.SAFEGUARDING_TEAM) for _ in range(50)]
    AccessLog.objects.bulk_create(
        [AccessLog(user=r, action=AccessLog.Action.VIEW, content_type=None, object_repr="x") for r in readers]
    )
    for reader in readers:
        access_log_record(user=reader, obj=case, action=AccessLog.Action.VIEW)
    assert len(case_readers(user=lead, concern=case)) == 51
    assert count() == one
