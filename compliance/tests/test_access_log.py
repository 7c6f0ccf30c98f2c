"""The access log records reads; the Lead and the admin can search and export it."""

import pytest
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog
from compliance.services import access_log_record
from compliance.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_helper_records_who_read_what(rf, make_user):
    reader = make_user(roles.STAFF)
    target = UserFactory(full_name="Subject Person")
    request = rf.get("/somewhere/?x=1", REMOTE_ADDR="10.1.2.3")
    entry = access_log_record(user=reader, obj=target, request=request)
    assert (entry.user, entry.action, entry.object_repr, entry.path, entry.ip_address) == (
        reader,
        "view",
        "Subject Person",
        "/somewhere/?x=1",
        "10.1.2.3",
    )
    assert entry.target == target


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.HR, roles.PROCUREMENT, roles.BOARD_MEMBER, roles.SAFEGUARDING_TEAM]
)
def test_access_log_is_404_for_other_roles(client, make_user, login, role):
    login(make_user(role))
    assert client.get(reverse("access_log")).status_code == 404


def test_lead_filters_and_exports_the_log(client, make_user, login):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    someone = UserFactory(full_name="Casey Reader")
    access_log_record(user=someone, obj=None, action=AccessLog.Action.DOWNLOAD, detail="MS-2026-00001 attachment")
    access_log_record(user=someone, obj=None, action=AccessLog.Action.VIEW, detail="MS-2026-00002")
    login(lead)
    response = client.get(reverse("access_log"), {"who": "casey", "action": "download"})
    assert [e.detail for e in response.context["page"].object_list] == ["MS-2026-00001 attachment"]
    export = client.get(reverse("access_log"), {"who": "casey", "format": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert "MS-2026-00001 attachment" in body and "MS-2026-00002" in body
    # The export itself was logged.
    assert AccessLog.objects.filter(user=lead, action="export", detail="Access log (CSV)").exists()


def test_bad_date_range_is_explained(client, make_user, login):
    login(make_user(roles.COMPLIANCE_ADMIN))
    response = client.get(reverse("access_log"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert "end date is before the start date" in response.content.decode()


def test_access_log_has_constant_queries(client, make_user, login, django_assert_max_num_queries):
    login(make_user(roles.COMPLIANCE_ADMIN))
    access_log_record(user=UserFactory(), obj=UserFactory(), detail="x")
    with django_assert_max_num_queries(15) as first:
        client.get(reverse("access_log"))
    for _ in range(40):
        access_log_record(user=UserFactory(), obj=UserFactory(), detail="x")
    # session, user, groups, organisation, unread count, page count, page rows (user + content type joined)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("access_log"))


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(rf, settings):
    from compliance.services import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert client_ip(request) == "192.0.2.10"


def test_behind_one_proxy_the_hop_it_added_is_used(rf, settings):
    from compliance.services import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the real address.
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
