"""The team training page at scale: one page of people at a time, the overdue figure over all of them, filters."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.tests.factories import DepartmentFactory
from compliance.web import PAGE_SIZE
from training import selectors
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@time_machine.travel(TODAY, tick=False)
def test_a_manager_with_many_reports_gets_one_page_of_people_and_the_overdue_figure_for_all(client, login, make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    course = CourseFactory(code="ind")
    for n in range(PAGE_SIZE + 3):
        person = make_user(roles.STAFF, line_manager=manager, full_name=f"Person {n:03d}")
        TrainingRecordFactory(user=person, course=course, due_on=datetime.date(2026, 5, 1))
    login(manager)
    first = client.get(reverse("training:team"))
    assert len(first.context["summaries"]) == PAGE_SIZE
    assert first.context["overdue_total"] == PAGE_SIZE + 3
    assert f"{PAGE_SIZE + 3} people; {PAGE_SIZE + 3} overdue courses" in first.content.decode()
    second = client.get(reverse("training:team"), {"page": 2})
    names = [s.person.full_name for s in second.context["summaries"]]
    assert names == [f"Person {n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 3)]


@time_machine.travel(TODAY, tick=False)
def test_the_overdue_figure_follows_the_per_person_rule(make_user):
    """The SQL count and current_statuses (what each row shows) agree on every kind of record."""
    course, other, third = CourseFactory(code="a"), CourseFactory(code="b"), CourseFactory(code="c")
    d = datetime.date
    overdue = make_user(roles.STAFF)
    TrainingRecordFactory(user=overdue, course=course, due_on=d(2026, 5, 1))
    renewed = make_user(roles.STAFF)  # overdue renewal but a completion still valid: complete, not overdue
    TrainingRecordFactory(user=renewed, course=course, completed_on=d(2026, 1, 10), expires_on=d(2027, 1, 10))
    TrainingRecordFactory(user=renewed, course=course, assigned_on=d(2026, 4, 1), due_on=d(2026, 5, 1))
    lapsed = make_user(roles.STAFF)  # expired completion and an overdue renewal: overdue
    TrainingRecordFactory(user=lapsed, course=other, completed_on=d(2025, 1, 10), expires_on=d(2026, 1, 10))
    TrainingRecordFactory(user=lapsed, course=other, assigned_on=d(2026, 1, 1), due_on=d(2026, 2, 1))
    declared = make_user(roles.STAFF)  # awaiting confirmation is not overdue
    TrainingRecordFactory(user=declared, course=third, due_on=d(2026, 5, 1), declared_on=d(2026, 5, 20))
    upcoming = make_user(roles.STAFF)
    TrainingRecordFactory(user=upcoming, course=third, due_on=d(2026, 7, 1))
    hr = make_user(roles.HR)
    people = selectors.team_people(user=hr)
    shown = sum(summary.overdue for summary in selectors.team_summaries(people, TODAY))
    assert shown == 2
    assert selectors.team_overdue_count(people=people, today=TODAY) == shown
    # The page reads slim records (StandingRecord); each person's standing is the one their full records give.
    for summary in selectors.team_summaries(people, TODAY):
        full = selectors.current_statuses(summary.person.training_records.select_related("course"), TODAY)
        assert [(s.course, s.record.pk, s.status, s.renewal and s.renewal.pk) for s in summary.statuses] == [
            (s.course, s.record.pk, s.status, s.renewal and s.renewal.pk) for s in full
        ]


@time_machine.travel(TODAY, tick=False)
def test_each_row_links_the_courses_needing_attention_with_their_status(client, login, make_user, hr_user):
    late = make_user(roles.STAFF, full_name="Olive Late")
    course = CourseFactory(code="fire", title="Fire & <safety>")
    record = TrainingRecordFactory(user=late, course=course, due_on=datetime.date(2026, 5, 1))
    declared = TrainingRecordFactory(
        user=late, course=CourseFactory(code="hand"), due_on=datetime.date(2026, 5, 1), declared_on=TODAY
    )
    done = make_user(roles.STAFF, full_name="Dan Done")
    TrainingRecordFactory(user=done, course=course, completed_on=datetime.date(2026, 1, 1))
    login(hr_user)
    html = client.get(reverse("training:team")).content.decode()
    link = reverse("training:record_detail", args=[record.pk])
    # The course title is escaped; the badge's class and words follow the status.
    assert f'<a href="{link}">Fire &amp; &lt;safety&gt;</a> <span class="badge risk-high">Overdue</span>' in html
    assert (
        f'<a href="{reverse("training:record_detail", args=[declared.pk])}">{declared.course.title}</a>'
        ' <span class="badge risk-medium">Awaiting manager confirmation</span>'
    ) in html
    dan_row = html[html.index("Dan Done") : html.index("</tr>", html.index("Dan Done"))]
    assert "<span>Nothing</span>" in dan_row


def test_filters_narrow_the_people_and_never_widen_them(client, login, make_user):
    care, office = DepartmentFactory(name="Care"), DepartmentFactory(name="Office")
    # Fixed names: a generated one ("Joanna", "Hannah") would match the search for "ann" too.
    manager = make_user(roles.STAFF, roles.LINE_MANAGER, full_name="Morgan Manager")
    hr_user = make_user(roles.STAFF, roles.HR, full_name="Harriet Hughes")
    make_user(roles.STAFF, line_manager=manager, full_name="Ann Carer", department=care)
    make_user(roles.STAFF, line_manager=manager, full_name="Bob Clerk", department=office)
    make_user(roles.STAFF, full_name="Ann Outsider", department=care)

    def names(user, query):
        login(user)
        return sorted(s.person.full_name for s in client.get(reverse("training:team"), query).context["summaries"])

    assert names(manager, {"q": "ann"}) == ["Ann Carer"]
    assert names(manager, {"department": care.pk}) == ["Ann Carer"]
    assert names(hr_user, {"q": "ann"}) == ["Ann Carer", "Ann Outsider"]
    assert names(hr_user, {"department": office.pk}) == ["Bob Clerk"]


@time_machine.travel(TODAY, tick=False)
def test_pages_tile_the_order_deep_pages_read_keys_first_and_the_count_is_cached(client, login, hr_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.models import User

    # Shared names: the email, then the key, decide between them, so nobody is on two pages.
    User.objects.bulk_create(
        User(email=f"p{i:03d}@example.org", full_name=f"Person {i % 7}") for i in range(5 * PAGE_SIZE + 10)
    )
    login(hr_user)
    seen, queries = [], {}
    for number in range(1, 7):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("training:team"), {"page": number}).context["page"]
        seen += [person.pk for person in page.object_list]
        queries[number] = [q["sql"] for q in captured]
    everyone = User.objects.filter(is_active=True).order_by("full_name", "email", "pk")
    assert seen == list(everyone.values_list("pk", flat=True))
    # The people count is read once (then cached); the sixth page reads its keys first, backwards.
    assert not [sql for sql in queries[2] if 'SELECT COUNT(*) AS "__count" FROM "compliance_user"' in sql]
    assert len(queries[6]) == len(queries[2]) + 1
    assert any('"compliance_user"."full_name" DESC' in sql for sql in queries[6])
    # A new person is counted at once.
    User.objects.create(email="late@example.org", full_name="Late Joiner")
    assert client.get(reverse("training:team")).context["page"].paginator.count == len(seen) + 1


@time_machine.travel(TODAY, tick=False)
def test_a_courses_only_record_is_judged_once_and_stands_as_its_own_status(make_user):
    from unittest import mock

    from training.models import TrainingRecord

    d = datetime.date
    person = make_user(roles.STAFF)
    cases = {
        TrainingRecord.Status.OVERDUE: {"due_on": d(2026, 5, 1)},
        TrainingRecord.Status.COMPLETE: {"completed_on": d(2026, 1, 1)},
        TrainingRecord.Status.EXPIRED: {"completed_on": d(2025, 1, 1), "expires_on": d(2026, 1, 1)},
        TrainingRecord.Status.DUE_SOON: {"due_on": d(2026, 6, 10)},
        TrainingRecord.Status.NOT_YET_DUE: {"due_on": d(2026, 12, 1)},
        TrainingRecord.Status.AWAITING_CONFIRMATION: {"due_on": d(2026, 5, 1), "declared_on": d(2026, 5, 20)},
    }
    for n, fields in enumerate(cases.values()):
        TrainingRecordFactory(user=person, course=CourseFactory(code=f"c{n}", title=f"Course {n}"), **fields)
    records = list(person.training_records.select_related("course"))
    judged = mock.Mock(side_effect=TrainingRecord.status_on)
    with mock.patch.object(TrainingRecord, "status_on", lambda self, day: judged(self, day)):
        statuses = selectors.current_statuses(records, TODAY)
    assert [(s.status, s.renewal) for s in statuses] == [(status, None) for status in cases]
    assert judged.call_count == len(records)
