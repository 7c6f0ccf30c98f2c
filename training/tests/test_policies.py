"""Policies: publish a version, everyone is asked to acknowledge, rates per version, review reminders."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from compliance.policy_models import Acknowledgement, PolicyVersion
from tests.support import instances_built
from training import policy_selectors, selectors, tasks
from training.tests.factories import PolicyFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 1)


@time_machine.travel(TODAY, tick=False)
def test_acknowledgement_flow_from_publication_to_rate(client, login, make_user, hr_user):
    staff = make_user(roles.STAFF, full_name="Ann Carer")
    other = make_user(roles.STAFF, full_name="Bob Night")
    leaver = make_user(roles.STAFF, is_active=False)
    login(hr_user)
    response = client.post(
        reverse("training:policy_create"),
        {"title": "Modern Slavery Policy", "summary": "Zero tolerance.", "requires_acknowledgement": "on"},
    )
    policy_url = response.url
    response = client.post(
        policy_url,
        {"effective_date": "2026-04-01", "text": "1. Policy statement\nWe are committed to...", "change_summary": ""},
    )
    version = PolicyVersion.objects.get()
    assert version.number == 1
    assert version.next_review_date == datetime.date(2027, 4, 1)
    asked = Notification.objects.filter(subject="Please read and acknowledge: Modern Slavery Policy (version 1)")
    assert set(asked.values_list("recipient", flat=True)) == {staff.pk, other.pk, hr_user.pk}
    assert not Notification.objects.filter(recipient=leaver).exists()

    login(staff)
    html = client.get(reverse("training:index")).content.decode()
    assert "Policies to read and acknowledge" in html
    assert "Modern Slavery Policy (version 1" in html
    # Acknowledging needs the box ticked.
    response = client.post(reverse("training:policy_acknowledge", args=[version.pk]), {})
    assert response.status_code == 400
    assert not Acknowledgement.objects.exists()
    client.post(reverse("training:policy_acknowledge", args=[version.pk]), {"confirm": "on"})
    client.post(reverse("training:policy_acknowledge", args=[version.pk]), {"confirm": "on"})
    assert Acknowledgement.objects.filter(user=staff, version=version).count() == 1
    assert "Policies to read and acknowledge" not in client.get(reverse("training:index")).content.decode()

    login(hr_user)
    html = client.get(reverse("training:policy_detail", args=[version.policy_id])).content.decode()
    assert "1 of 3 active staff (33.3%)" in html
    assert "Bob Night" in html
    # The staff count is cached, but follows the people it counts.
    newcomer = make_user(roles.STAFF, full_name="Cat New")
    html = client.get(reverse("training:policy_detail", args=[version.policy_id])).content.decode()
    assert "1 of 4 active staff (25%)" in html
    assert "Cat New" in html
    newcomer.groups.clear()
    html = client.get(reverse("training:policy_detail", args=[version.policy_id])).content.decode()
    assert "1 of 3 active staff (33.3%)" in html
    other.is_active = False
    other.save(update_fields=["is_active"])
    html = client.get(reverse("training:policy_detail", args=[version.policy_id])).content.decode()
    assert "1 of 2 active staff (50%)" in html
    assert "Bob Night" not in html


@time_machine.travel(TODAY, tick=False)
def test_a_new_version_needs_a_change_summary_and_asks_everyone_again(client, login, make_user, hr_user):
    staff = make_user(roles.STAFF)
    v1 = PolicyVersionFactory(policy=PolicyFactory(title="Modern Slavery Policy"))
    Acknowledgement.objects.create(user=staff, version=v1)
    login(hr_user)
    url = reverse("training:policy_publish", args=[v1.policy_id])
    response = client.post(url, {"effective_date": "2026-04-01", "text": "Updated text", "change_summary": ""})
    assert "Say what changed from the previous version." in response.content.decode()
    assert "Updated text" in response.content.decode()
    client.post(url, {"effective_date": "2026-04-01", "text": "Updated text", "change_summary": "New section 4.3"})
    v2 = PolicyVersion.objects.get(number=2)

    login(staff)
    html = client.get(reverse("training:index")).content.decode()
    assert "version 2" in html
    html = client.get(reverse("training:policy_detail", args=[v1.policy_id]))
    assert html.status_code == 404  # managing policies is for HR and the admin

    login(hr_user)
    rates = client.get(reverse("training:policy_detail", args=[v1.policy_id])).context["rates"]
    assert [(r["version"].number, r["acknowledged"]) for r in rates] == [(2, 0), (1, 1)]
    assert v2.change_summary == "New section 4.3"


def test_review_reminder_reaches_the_compliance_admin_30_days_before_once(make_user):
    admin = make_user(roles.STAFF, roles.COMPLIANCE_ADMIN)
    PolicyVersionFactory(
        policy=PolicyFactory(title="Modern Slavery Policy", requires_acknowledgement=False),
        effective_date=datetime.date(2025, 6, 1),
    )
    with time_machine.travel(datetime.date(2026, 4, 30), tick=False):
        assert tasks.policy_review_due() == 0
    with time_machine.travel(datetime.date(2026, 5, 2), tick=False):
        assert tasks.policy_review_due() == 1
        assert tasks.policy_review_due() == 0
    subjects = list(Notification.objects.filter(recipient=admin).values_list("subject", flat=True))
    assert subjects == ["Policy review due 01 June 2026: Modern Slavery Policy"]


def test_staff_who_have_not_acknowledged_are_reminded_once_after_two_weeks(make_user):
    done = make_user(roles.STAFF)
    pending = make_user(roles.STAFF)
    version = PolicyVersionFactory(effective_date=datetime.date(2026, 1, 1))
    Acknowledgement.objects.create(user=done, version=version)
    with time_machine.travel(datetime.date(2026, 1, 10), tick=False):
        tasks.policy_review_due()
    assert not Notification.objects.exists()
    with time_machine.travel(datetime.date(2026, 1, 20), tick=False):
        tasks.policy_review_due()
        tasks.policy_review_due()
    reminders = Notification.objects.filter(subject__startswith="Reminder: please acknowledge")
    assert list(reminders.values_list("recipient", flat=True)) == [pending.pk]


def test_policy_pages_are_readable_by_all_staff_but_managed_by_hr_only(client, login, make_user):
    version = PolicyVersionFactory(policy=PolicyFactory(title="Modern Slavery Policy"))
    login(make_user(roles.STAFF))
    assert client.get(reverse("training:policy_version", args=[version.pk])).status_code == 200
    assert "Modern Slavery Policy" in client.get(reverse("training:policy_list")).content.decode()
    assert client.get(reverse("training:policy_create")).status_code == 404
    assert client.get(reverse("training:policy_publish", args=[version.policy_id])).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_policy_document_is_validated_stored_and_downloaded_through_a_logged_view(client, login, make_user, hr_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compliance.models import AccessLog

    policy = PolicyFactory(title="Whistleblowing Policy")
    login(hr_user)
    url = reverse("training:policy_publish", args=[policy.pk])
    fake = SimpleUploadedFile("policy.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {"effective_date": "2026-04-01", "document": fake})
    assert "Upload a PDF, PNG or JPEG file." in response.content.decode()
    pdf = SimpleUploadedFile("policy.pdf", b"%PDF-1.7\n%%EOF", content_type="application/pdf")
    client.post(url, {"effective_date": "2026-04-01", "document": pdf})
    version = PolicyVersion.objects.get(policy=policy)

    staff = make_user(roles.STAFF)
    login(staff)
    response = client.get(reverse("training:policy_document", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(user=staff, action=AccessLog.Action.DOWNLOAD).exists()


@time_machine.travel(TODAY, tick=False)
def test_staff_are_matched_by_their_groups_id_and_a_removed_group_is_not_kept(make_user, hr_user):
    version = PolicyVersionFactory(effective_date=datetime.date(2026, 1, 1))
    read, unread = make_user(roles.STAFF, full_name="Ann Read"), make_user(roles.STAFF, full_name="Bob Unread")
    board = make_user(roles.BOARD_MEMBER, full_name="Cat Board")  # not staff: neither counted nor chased
    for person in (read, board):
        Acknowledgement.objects.create(user=person, version=version)
    outstanding = policy_selectors.acknowledgement_outstanding(user=hr_user, version=version)
    assert set(outstanding) == {unread, hr_user} - {board}  # HR is staff too
    selectors.role_group_id(roles.STAFF)  # cached from here on, as on every request after the first
    with CaptureQueriesContext(connection) as rates_queries:
        rates = policy_selectors.acknowledgement_rates(user=hr_user, policy=version.policy)
    assert rates[0]["acknowledged"] == 1  # Cat's acknowledgement is not a member of staff's
    people = selectors.recruitment_check_people(user=hr_user)
    assert {read, unread} <= set(people)
    # Staff are matched by the group's id, not by a join to the groups' names (which PostgreSQL
    # cannot estimate: it then reads every member of staff to show the first 200).
    for sql in (str(outstanding.query), str(people.query), *(q["sql"] for q in rates_queries)):
        assert "auth_group" not in sql
    # The cached id goes with its group: no role, nobody is staff.
    Group.objects.filter(name=roles.STAFF).delete()
    assert selectors.role_group_id(roles.STAFF) is None
    assert not policy_selectors.acknowledgement_outstanding(user=hr_user, version=version).exists()


@time_machine.travel(TODAY, tick=False)
def test_the_policy_page_lists_who_is_outstanding_without_building_a_person_each(client, login, make_user, hr_user):

    from compliance.models import User
    from compliance.tests.factories import DepartmentFactory

    version = PolicyVersionFactory(effective_date=datetime.date(2026, 1, 1))
    make_user(roles.STAFF, full_name="Ann <Late>", department=DepartmentFactory(name="Nights & Days"))
    nameless = make_user(roles.STAFF, full_name="", department=None)
    for _ in range(3):
        make_user(roles.STAFF)
    login(hr_user)
    with instances_built(User) as built:
        html = client.get(reverse("training:policy_detail", args=[version.policy_id])).content.decode()
    assert len(built) <= 3  # the signed-in user, the policy's owner, the version's publisher: not one per row
    assert "<li>Ann &lt;Late&gt; (Nights &amp; Days)</li>" in html
    assert f"<li>{nameless.email}</li>" in html
