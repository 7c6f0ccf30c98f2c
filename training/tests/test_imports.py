"""CSV imports: a dry run that reports every bad row by line, and nothing imported until confirmed."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from compliance import roles
from compliance.models import User
from training.models import ImportBatch, TrainingRecord
from training.tests.factories import AssignmentRuleFactory, CourseFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)

ROSTER_HEADER = "Email,Name,Job title,Department,Site,Line manager email,Start date,Employment type\n"


def _upload(client, kind, text, name="file.csv"):
    # The check runs as a task after the commit (in-process under the test settings).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("training:import_upload"),
            {"kind": kind, "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
        )


def _confirm(client, batch, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("training:import_detail", args=[batch.pk]), **kwargs)


def _batch_page(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_roster_with_bad_rows_lists_them_by_line_and_imports_nothing(client, login, hr_user):
    login(hr_user)
    csv = ROSTER_HEADER + (
        "ann@example.org,Ann Carer,Care assistant,Care delivery,Oakwood,,2026-02-20,permanent\n"
        "bob@example.org,Bob Night,Night carer,Care delivery,Oakwood,nobody@example.org,2026-02-20,agency\n"
        "cat@example.org,Cat Cook,Cook,Catering,Oakwood,ann@example.org,31/02/2026,volunteer\n"
        "dan@example.org,Dan Driver,Driver,Transport,Oakwood,,2026-01-01,zero hours\n"
    )
    html = _batch_page(client, _upload(client, "roster", csv))

    assert "3 problems: nothing has been imported" in html
    assert "No one with the email nobody@example.org is known." in html
    assert "“31/02/2026” is not a date" in html
    assert "“zero hours” is not one of permanent" in html
    batch = ImportBatch.objects.get()
    assert [(e["line"], e["field"]) for e in batch.errors] == [
        (3, "line manager email"),
        (4, "start date"),
        (5, "employment type"),
    ]
    assert not User.objects.filter(email__in=["ann@example.org", "bob@example.org"]).exists()

    # Confirming a file with errors still changes nothing.
    response = _confirm(client, batch, follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()


@time_machine.travel(TODAY, tick=False)
def test_roster_import_creates_updates_and_deactivates_after_confirmation(client, login, hr_user, make_user):
    induction = CourseFactory(code="ms-induction", validity_months=None)
    AssignmentRuleFactory(course=induction, new_starter_within_days=28)
    existing = make_user(roles.STAFF, email="eve@example.org", full_name="Eve Old Name")
    leaver = make_user(roles.STAFF, email="fay@example.org")
    TrainingRecord.objects.create(user=leaver, course=induction, due_on=TODAY)
    login(hr_user)
    csv = (
        ROSTER_HEADER.rstrip("\n")
        + ",Left on\n"
        + (
            "mo@example.org,Mo Manager,Registered manager,Care delivery,Oakwood,,2020-01-01,permanent,\n"
            "ann@example.org,Ann Carer,Care assistant,Care delivery,Oakwood,mo@example.org,2026-02-20,agency worker,\n"
            "eve@example.org,Eve New Name,Nurse,Nursing,Meadow View,mo@example.org,2024-01-01,permanent,\n"
            "fay@example.org,Fay Leaver,Cook,Catering,Oakwood,,2023-01-01,permanent,2026-02-28\n"
        )
    )
    html = _batch_page(client, _upload(client, "roster", csv))
    # Eve's details and Fay's leaving date change them; Mo and Ann are new.
    assert "2 added, 2 changed, 0 unchanged, 0 refused; 1 leaver deactivated" in html
    assert "New departments: Care delivery, Catering, Nursing" in html
    assert not User.objects.filter(email="ann@example.org").exists()

    batch = ImportBatch.objects.get()
    _confirm(client, batch)

    ann = User.objects.get(email="ann@example.org")
    assert ann.full_name == "Ann Carer"
    assert ann.department.name == "Care delivery"
    assert ann.site.name == "Oakwood"
    assert ann.employment_type == User.EmploymentType.AGENCY
    assert ann.line_manager.email == "mo@example.org"
    assert ann.has_role(roles.STAFF)
    assert not ann.has_usable_password()
    mo = User.objects.get(email="mo@example.org")
    assert mo.groups.filter(name=roles.LINE_MANAGER).exists()
    existing.refresh_from_db()
    assert existing.full_name == "Eve New Name"
    leaver.refresh_from_db()
    # Deactivated, never deleted: their training record is still there.
    assert leaver.is_active is False
    assert leaver.left_on == datetime.date(2026, 2, 28)
    assert TrainingRecord.objects.filter(user=leaver).exists()
    # The new starter rule assigned induction on import, due 28 days after the start date.
    assert TrainingRecord.objects.get(user=ann, course=induction).due_on == datetime.date(2026, 3, 20)
    assert not TrainingRecord.objects.filter(user=mo).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED

    # A second confirmation is refused.
    response = _confirm(client, batch, follow=True)
    assert "already been imported" in response.content.decode()
    assert User.objects.filter(email="ann@example.org").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_completions_with_unknown_person_bad_date_and_unknown_course_are_reported_per_line(
    client, login, hr_user, make_user
):
    CourseFactory(code="ms-induction", title="Modern slavery induction")
    make_user(roles.STAFF, email="ann@example.org")
    login(hr_user)
    csv = (
        "email,course,completed on,score\n"
        "ann@example.org,ms-induction,2026-02-01,85\n"
        "ghost@example.org,ms-induction,2026-02-01,85\n"
        "ann@example.org,ms-induction,01/13/2026,\n"
        "ann@example.org,Forklift safety,2026-02-01,\n"
        "ann@example.org,Modern slavery induction,2026-02-01,140\n"
    )
    html = _batch_page(client, _upload(client, "completions", csv))

    batch = ImportBatch.objects.get()
    assert [(e["line"], e["field"]) for e in batch.errors] == [
        (3, "email"),
        (4, "completed on"),
        (5, "course"),
        (6, "score"),
    ]
    assert "No one with the email ghost@example.org is known." in html
    assert "No course with the code or title “Forklift safety”; valid codes: ms-induction." in html
    assert "Confirm and import" not in html
    assert not TrainingRecord.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_completions_import_closes_the_open_assignment_and_sets_expiry(client, login, hr_user, make_user):
    course = CourseFactory(code="ms-refresher", title="Safeguarding refresher", validity_months=12)
    ann = make_user(roles.STAFF, email="ann@example.org")
    open_record = TrainingRecord.objects.create(user=ann, course=course, due_on=TODAY)
    login(hr_user)
    csv = "Email,Course,Completed on,Score\nANN@example.org,Safeguarding refresher,15/02/2026,92%\n"
    html = _batch_page(client, _upload(client, "completions", csv))
    assert "1 completion: 0 added, 1 completing an open assignment, 0 already recorded (unchanged)" in html
    assert TrainingRecord.objects.get().completed_on is None

    _confirm(client, ImportBatch.objects.get())

    open_record.refresh_from_db()
    assert open_record.completed_on == datetime.date(2026, 2, 15)
    assert open_record.expires_on == datetime.date(2027, 2, 15)
    assert open_record.score == 92
    assert open_record.source == TrainingRecord.Source.CSV_IMPORT


def test_a_binary_file_is_refused_with_a_message(client, login, hr_user):
    login(hr_user)
    response = client.post(
        reverse("training:import_upload"),
        {
            "kind": "roster",
            "file": SimpleUploadedFile("staff.csv", b"PK\x03\x04\x00\x00binary", content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    # A zip that is not a workbook (an .xlsx is a zip) is refused as unreadable.
    assert "This is not a readable Excel (.xlsx) file" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", [roles.STAFF, roles.LINE_MANAGER, roles.MODERN_SLAVERY_LEAD, roles.PROCUREMENT])
def test_imports_are_404_for_everyone_but_hr_and_admin(client, login, make_user, role):
    login(make_user(role))
    assert client.get(reverse("training:import_upload")).status_code == 404
