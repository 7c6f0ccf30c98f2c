"""Reminders 30 and 7 days before and when overdue, each once; the weekly line-manager digest."""

import datetime

import pytest
import time_machine
from django.core import mail

from compliance import roles
from compliance.models import Notification
from training import tasks
from training.tests.factories import CourseFactory, RecruitmentCheckFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 5, 31)


def _subjects(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("created_at", "pk").values_list("subject", flat=True)
    )


def _run_on(day, task=tasks.training_reminders):
    with time_machine.travel(day, tick=False):
        return task()


def test_each_reminder_threshold_fires_once(make_user, django_capture_on_commit_callbacks):
    person = make_user(roles.STAFF)
    TrainingRecordFactory(user=person, course=CourseFactory(title="Modern slavery induction"), due_on=DUE)

    assert _run_on(datetime.date(2026, 4, 20)) == 0  # 41 days before: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_on(datetime.date(2026, 5, 1)) == 1  # 30 days before
    assert _run_on(datetime.date(2026, 5, 1)) == 0  # rerun the same day
    assert _run_on(datetime.date(2026, 5, 10)) == 0  # still in the 30-day window
    assert _run_on(datetime.date(2026, 5, 24)) == 1  # 7 days before
    assert _run_on(datetime.date(2026, 5, 30)) == 0
    assert _run_on(datetime.date(2026, 6, 1)) == 1  # overdue
    assert _run_on(datetime.date(2026, 6, 20)) == 0

    assert _subjects(person) == [
        "Training due in 30 days: Modern slavery induction",
        "Training due in 7 days: Modern slavery induction",
        "Overdue training: Modern slavery induction was due on 31 May 2026",
    ]
    assert mail.outbox[0].to == [person.email]
    assert "due on 31 May 2026" in mail.outbox[0].body


def test_a_missed_day_sends_only_the_nearest_reminder(make_user):
    person = make_user(roles.STAFF)
    TrainingRecordFactory(user=person, due_on=DUE)
    _run_on(datetime.date(2026, 5, 27))
    assert len(_subjects(person)) == 1
    assert "due in 4 days" in _subjects(person)[0]


def test_no_reminders_for_completed_training_or_leavers(make_user):
    done = make_user(roles.STAFF)
    TrainingRecordFactory(user=done, due_on=DUE, completed_on=datetime.date(2026, 4, 1))
    leaver = make_user(roles.STAFF, is_active=False)
    TrainingRecordFactory(user=leaver, due_on=DUE)
    _run_on(datetime.date(2026, 6, 5))
    assert not Notification.objects.exists()


def test_weekly_digest_lists_the_teams_overdue_training_once_a_week(make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    other_manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    ann = make_user(roles.STAFF, full_name="Ann Carer", line_manager=manager)
    bob = make_user(roles.STAFF, full_name="Bob Night", line_manager=manager)
    TrainingRecordFactory(user=ann, course=CourseFactory(title="Safeguarding refresher"), due_on=DUE)
    TrainingRecordFactory(user=bob, course=CourseFactory(title="Modern slavery induction"), due_on=DUE)
    TrainingRecordFactory(user=bob, due_on=datetime.date(2026, 9, 1))  # not overdue

    monday = datetime.date(2026, 6, 8)
    assert _run_on(monday, tasks.manager_digest) == 1
    assert _run_on(monday + datetime.timedelta(days=2), tasks.manager_digest) == 0  # same week
    assert _run_on(monday + datetime.timedelta(days=7), tasks.manager_digest) == 1  # next week

    digest = Notification.objects.filter(recipient=manager).first()
    assert digest.subject == "Your team's overdue training: 2 items"
    assert "Ann Carer: Safeguarding refresher, due 31 May 2026" in digest.body
    assert "Bob Night: Modern slavery induction" in digest.body
    assert not Notification.objects.filter(recipient=other_manager).exists()


def test_right_to_work_expiry_reminds_hr_before_it_lapses(make_user):
    hr = make_user(roles.STAFF, roles.HR)
    worker = make_user(roles.STAFF, full_name="Iva Nurse")
    RecruitmentCheckFactory(
        worker=worker,
        right_to_work_verified_on=datetime.date(2025, 1, 10),
        right_to_work_document="share_code",
        right_to_work_expires_on=datetime.date(2026, 9, 30),
    )
    assert _run_on(datetime.date(2026, 7, 1), tasks.right_to_work_expiry) == 0  # 91 days
    assert _run_on(datetime.date(2026, 8, 1), tasks.right_to_work_expiry) == 1  # 60 days
    assert _run_on(datetime.date(2026, 8, 2), tasks.right_to_work_expiry) == 0
    assert _run_on(datetime.date(2026, 9, 1), tasks.right_to_work_expiry) == 1  # 29 days
    assert _run_on(datetime.date(2026, 9, 30), tasks.right_to_work_expiry) == 1  # lapsed
    assert _subjects(hr) == [
        "Right to work ends in 60 days: Iva Nurse",
        "Right to work ends in 29 days: Iva Nurse",
        "Right to work has lapsed: Iva Nurse",
    ]
    # The worker is never told about their own check through this channel.
    assert not Notification.objects.filter(recipient=worker).exists()


def test_a_new_due_date_gets_fresh_reminders(client, login, make_user):
    from django.urls import reverse

    hr = make_user(roles.STAFF, roles.HR)
    person = make_user(roles.STAFF)
    record = TrainingRecordFactory(user=person, course=CourseFactory(title="Induction"), due_on=DUE)
    assert _run_on(datetime.date(2026, 5, 25)) == 1  # 6 days before
    with time_machine.travel(datetime.date(2026, 5, 26), tick=False):
        login(hr)
        response = client.post(
            reverse("training:record_detail", args=[record.pk]),
            {"action": "reschedule", "due_on": "2026-07-31", "reason": ""},
        )
        assert "This field is required." in response.content.decode()
        client.post(
            reverse("training:record_detail", args=[record.pk]),
            {"action": "reschedule", "due_on": "2026-07-31", "reason": "Back from long-term sick leave"},
        )
    record.refresh_from_db()
    assert record.due_on == datetime.date(2026, 7, 31)
    assert "New due date for Induction: 31 July 2026" in _subjects(person)
    assert _run_on(datetime.date(2026, 7, 1)) == 1  # the 30-day reminder for the new date
