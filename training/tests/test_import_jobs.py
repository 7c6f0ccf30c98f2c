"""Roster and completion imports as background jobs: bulk writes that keep the change history, abandon, re-queue."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import User
from reporting.tasks import stale_jobs_requeue
from training import imports
from training.models import ImportBatch, TrainingRecord
from training.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
HEADER = "Email,Name,Job title,Department,Site,Line manager email,Start date,Employment type\n"


def _checked(kind, content, actor):
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = imports.import_check(kind=kind, filename="f.csv", content=content, actor=actor)
    batch.refresh_from_db()
    assert batch.status == "checked" and not batch.errors, batch.errors
    return batch


def _apply(batch, actor):
    with TestCase.captureOnCommitCallbacks(execute=True):
        imports.import_confirm(batch=batch, actor=actor)
    batch.refresh_from_db()
    return batch


@time_machine.travel(TODAY, tick=False)
def test_roster_bulk_apply_records_the_change_history_of_each_person(hr_user, make_user):
    eve = make_user(roles.STAFF, email="eve@example.org", full_name="Eve Old")
    batch = _checked(
        "roster",
        HEADER
        + "mo@example.org,Mo Manager,Manager,Care,Oakwood,,2020-01-01,permanent\n"
        + "eve@example.org,Eve New,Nurse,Care,Oakwood,mo@example.org,2024-01-01,permanent\n",
        hr_user,
    )
    batch = _apply(batch, hr_user)
    assert batch.status == "applied" and batch.summary["created"] == 1 and batch.content == ""
    mo = User.objects.get(email="mo@example.org")
    created = LogEntry.objects.get_for_object(mo).filter(action=LogEntry.Action.CREATE).get()
    assert created.actor == hr_user and created.changes["full_name"] == ["None", "Mo Manager"]
    assert "password" not in created.changes
    roles_added = [e.changes["groups"]["objects"] for e in LogEntry.objects.get_for_object(mo) if "groups" in e.changes]
    assert sorted(sum(roles_added, [])) == [roles.LINE_MANAGER, roles.STAFF]
    update = LogEntry.objects.get_for_object(eve).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert update.changes["full_name"] == ["Eve Old", "Eve New"] and "line_manager" in update.changes


@time_machine.travel(TODAY, tick=False)
def test_completions_bulk_apply_closes_open_records_and_skips_repeats(hr_user, make_user):
    course = CourseFactory(code="ms-refresher", title="Refresher", validity_months=12)
    ann = make_user(roles.STAFF, email="ann@example.org")
    bob = make_user(roles.STAFF, email="bob@example.org")
    open_record = TrainingRecord.objects.create(user=ann, course=course, due_on=TODAY)
    TrainingRecord.objects.create(
        user=bob, course=course, due_on=TODAY, completed_on=datetime.date(2026, 1, 5), expires_on=TODAY
    )
    content = (
        "Email,Course,Completed on,Score\n"
        "ann@example.org,Refresher,2026-02-15,92\n"
        "bob@example.org,Refresher,2026-01-05,80\n"  # already recorded: unchanged
        "bob@example.org,Refresher,2026-02-20,\n"  # a new completion
    )
    batch = _apply(_checked("completions", content, hr_user), hr_user)
    assert batch.status == "applied"
    open_record.refresh_from_db()
    assert (open_record.completed_on, open_record.expires_on, open_record.score, open_record.source) == (
        datetime.date(2026, 2, 15),
        datetime.date(2027, 2, 15),
        92,
        TrainingRecord.Source.CSV_IMPORT,
    )
    assert sorted(TrainingRecord.objects.filter(user=bob).values_list("completed_on", flat=True)) == [
        datetime.date(2026, 1, 5),
        datetime.date(2026, 2, 20),
    ]
    assert LogEntry.objects.get_for_object(open_record).filter(action=LogEntry.Action.UPDATE, actor=hr_user).exists()


def test_a_checked_roster_is_kept_until_abandoned(client, login, hr_user):
    batch = _checked("roster", HEADER + "a@example.org,A,,,,,,permanent\n", hr_user)
    login(hr_user)
    client.post(reverse("training:import_abandon", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "abandoned" and batch.content == ""
    assert "abandoned" in client.get(reverse("training:import_detail", args=[batch.pk])).content.decode()


def test_a_check_whose_worker_died_is_queued_again(client, login, hr_user):
    batch = ImportBatch.objects.create(
        kind="roster",
        filename="f.csv",
        content=HEADER + "a@example.org,A,,,,,,permanent\n",
        uploaded_by=hr_user,
        status="checking",
        attempts=1,
        leased_by="dead:2",
        leased_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    login(hr_user)
    page = client.get(reverse("training:import_detail", args=[batch.pk])).content.decode()
    assert "Checking" in page and 'hx-trigger="every 1s"' in page
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert stale_jobs_requeue() == 1
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.attempts == 2 and batch.summary["added"] == 1


def test_a_file_left_unconfirmed_is_abandoned_and_deleted_after_the_keep_period(hr_user, settings):
    batch = _checked("roster", HEADER + "a@example.org,A,,,,,,permanent\n", hr_user)
    assert stale_jobs_requeue() == 0
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.content
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.IMPORT_KEEP_DAYS + 1)):
        stale_jobs_requeue()
    batch.refresh_from_db()
    assert batch.status == "abandoned" and batch.content == ""
