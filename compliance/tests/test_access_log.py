"""The access log records reads; the Lead and the admin can search and export it."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from compliance import roles, selectors
from compliance.models import AccessLog
from compliance.services import access_log_purge, access_log_record
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


def _entry_at(when, detail):
    entry = access_log_record(user=UserFactory(), obj=None, detail=detail)
    AccessLog.objects.filter(pk=entry.pk).update(at=when)


def test_date_filters_take_whole_local_days(client, make_user, login, settings):
    settings.TIME_ZONE = "Europe/London"
    london = zoneinfo.ZoneInfo("Europe/London")
    # 1 July is British Summer Time: local midnight is 23:00 UTC the day before.
    _entry_at(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=london), "before")
    _entry_at(datetime.datetime(2026, 7, 1, 0, 0, tzinfo=london), "first minute")
    _entry_at(datetime.datetime(2026, 7, 1, 23, 59, 59, tzinfo=london), "last second")
    _entry_at(datetime.datetime(2026, 7, 2, 0, 0, tzinfo=london), "after")
    login(make_user(roles.COMPLIANCE_ADMIN))
    response = client.get(reverse("access_log"), {"since": "2026-07-01", "until": "2026-07-01"})
    assert [e.detail for e in response.context["page"].object_list] == ["last second", "first minute"]


def test_pages_tile_the_log_newest_first(client, make_user, login):
    """Deep pages read their keys first (paginate keys_first); every entry appears once, in order."""
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for i in range(60):
        # Pairs share a timestamp: the key decides between them, so no entry is on two pages.
        _entry_at(start + datetime.timedelta(minutes=i // 2), f"entry {i}")
    login(make_user(roles.COMPLIANCE_ADMIN))
    seen = []
    for number in (1, 2):
        seen += [e.detail for e in client.get(reverse("access_log"), {"page": number}).context["page"].object_list]
    expected = list(AccessLog.objects.order_by("-at", "-pk").values_list("detail", flat=True))
    assert seen == expected
    assert len(set(seen)) == len(seen) == 60


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_a_deep_page_of_the_log_reads_its_keys_from_the_index_alone(make_user):
    entries = selectors.access_log_list(user=make_user(roles.COMPLIANCE_ADMIN))
    with connection.cursor() as cursor:
        # Price out the alternatives so the plan shows whether an index *can* give the order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        # An incremental sort over the `at` index alone is priced apart (on an empty table it can tie).
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        plan = entries.values_list("pk", flat=True)[5000:5050].explain()
    assert "Sort" not in plan, plan
    assert "Index Only Scan" in plan and "accesslog_newest_first" in plan, plan


# The row as templates/compliance/access_log.html wrote it, cell by cell, before access_log_row.
ROW_AS_BEFORE = Template(
    """<tr><td>{{ entry.at|date:"j M Y H:i:s" }}</td><td>{{ entry.user|default:"(anonymous)" }}</td>"""
    """<td>{{ entry.get_action_display }}</td><td>{{ entry.object_repr }}</td><td>{{ entry.detail }}</td>"""
    """<td>{{ entry.ip_address|default:"" }}</td></tr>"""
)
ROW = Template("{% load access_log_tags %}{% access_log_row entry %}")


@pytest.mark.parametrize("language", ["en-gb", "pl", "uk"])
def test_each_row_is_the_markup_the_template_cells_wrote(make_user, language):
    named = UserFactory(full_name="O'Brien <Ann> & co")
    unnamed = UserFactory(full_name="", email="no.name@example.org")
    for user, action, ip in ((named, "download", "10.0.0.1"), (unnamed, "export", None), (None, "view", "::1")):
        access_log_record(user=user, obj=None, action=action, detail='Case "MS-1" <b>&')
        AccessLog.objects.filter(detail='Case "MS-1" <b>&').update(ip_address=ip)
    entries = list(selectors.access_log_list(user=make_user(roles.COMPLIANCE_ADMIN)))
    assert len(entries) == 3
    with translation.override(language):
        for entry in entries:
            context = Context({"entry": entry})
            assert ROW.render(context) == ROW_AS_BEFORE.render(context)


def test_the_page_reads_only_the_columns_it_shows(client, make_user, login):
    # The reader's name and email, not their whole row (password hash and all); no content type.
    login(make_user(roles.COMPLIANCE_ADMIN))
    access_log_record(user=UserFactory(full_name="Casey Reader"), obj=UserFactory(), detail="x")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("access_log")).content.decode()
    assert "<td>Casey Reader</td>" in html
    (rows,) = [q["sql"] for q in captured if '"compliance_accesslog"."object_repr"' in q["sql"]]
    assert '"compliance_user"."password"' not in rows and "django_content_type" not in rows, rows


def _count_sql(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"] and "accesslog" in q["sql"]]


def test_the_count_is_kept_and_carried_forward_exactly(client, make_user, login):
    """The settled rows' count is kept; later visits count only rows added since (a COUNT over the whole
    log costs 5-8 ms at 150,000 rows, and every read of a case adds a row)."""
    login(make_user(roles.COMPLIANCE_ADMIN))
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for n in range(5):
        _entry_at(an_hour_ago, f"old {n}")
    assert client.get(reverse("access_log")).context["page"].paginator.count == 5
    with CaptureQueriesContext(connection) as again:
        assert client.get(reverse("access_log")).context["page"].paginator.count == 5
    counts = _count_sql(again)
    assert counts and all('"compliance_accesslog"."id" >' in sql for sql in counts), counts
    access_log_record(user=UserFactory(), obj=None, detail="new y")  # unsettled: counted live
    assert client.get(reverse("access_log")).context["page"].paginator.count == 6
    assert client.get(reverse("access_log"), {"record": "y"}).context["page"].paginator.count == 1
    # Ten minutes on, the new row is settled and carried into the kept count.
    later = timezone.now() + datetime.timedelta(minutes=11)
    entries = selectors.access_log_list(user=make_user(roles.COMPLIANCE_ADMIN))
    assert selectors.access_log_count(entries, now=later) == 6
    _entry_at(an_hour_ago + datetime.timedelta(minutes=1), "old but written now")
    assert selectors.access_log_count(entries, now=later) == 7 == entries.count()


def test_the_purge_retires_the_kept_count(client, make_user, login, settings):
    login(make_user(roles.COMPLIANCE_ADMIN))
    for n in range(3):
        _entry_at(timezone.now() - datetime.timedelta(days=400 * 8), f"ancient {n}")
    _entry_at(timezone.now() - datetime.timedelta(hours=1), "recent")
    assert client.get(reverse("access_log")).context["page"].paginator.count == 4
    assert access_log_purge() == 3
    assert client.get(reverse("access_log")).context["page"].paginator.count == 1


def test_a_search_by_person_is_counted_on_their_current_name(client, make_user, login):
    login(make_user(roles.COMPLIANCE_ADMIN))
    reader = UserFactory(full_name="Casey Reader")
    entry = access_log_record(user=reader, obj=None, detail="x")
    AccessLog.objects.filter(pk=entry.pk).update(at=timezone.now() - datetime.timedelta(hours=1))
    assert client.get(reverse("access_log"), {"who": "Casey"}).context["page"].paginator.count == 1
    reader.full_name = "Morgan Reader"
    reader.save()  # no row of the log changes
    assert client.get(reverse("access_log"), {"who": "Casey"}).context["page"].paginator.count == 0
    assert client.get(reverse("access_log"), {"who": "Morgan"}).context["page"].paginator.count == 1
