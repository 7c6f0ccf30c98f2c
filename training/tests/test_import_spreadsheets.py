"""Roster and completion imports from spreadsheets as HR and the LMS make them: split names, aliases, XLSX title rows."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from compliance.models import User
from training.models import ImportBatch, TrainingRecord
from training.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def _upload(client, kind, content: bytes, name="file.csv") -> ImportBatch:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("training:import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportBatch.objects.latest("pk")


def _confirm(client, batch) -> ImportBatch:
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("training:import_detail", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@time_machine.travel(TODAY, tick=False)
def test_a_roster_with_first_and_last_names_and_its_own_headings_is_recognised(client, login, hr_user):
    login(hr_user)
    content = (
        "\ufeffEmployee ID,First name,Last name,E-mail address,Job Title,Dept,Site,Line manager,"
        "Start date (dd/mm/yyyy),Employment type\n"
        "E001,Ann,Carer,ann@example.org,Care assistant,Care delivery,Oakwood,,20/02/2026,Permanent\n"
    ).encode()
    batch = _upload(client, "roster", content)
    assert batch.errors == []
    batch = _confirm(client, batch)
    assert batch.status == ImportBatch.Status.APPLIED
    ann = User.objects.get(email="ann@example.org")
    assert ann.full_name == "Ann Carer"
    assert ann.department.name == "Care delivery"
    assert ann.start_date == datetime.date(2026, 2, 20)


ROSTER_HEADINGS = (
    "First Name", "Surname", "Email Address", "Job title", "Department", "Site", "Line manager", "Start Date",
    "Employment type",
)  # fmt: skip
ANN_ROW = ("Ann", "Carer", "ann@example.org", "Care assistant", "Care delivery", "Oakwood", "", datetime.datetime(2026, 2, 20), "Permanent")  # fmt: skip
BAD_ROW = ("Bob", "Night", "not-an-email", "Night carer", "Care delivery", "Oakwood", "", datetime.datetime(2026, 2, 21), "Permanent")  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_a_roster_workbook_with_a_title_row_and_split_names(client, login, hr_user):
    """An HR system's XLSX export: a title and a blank row above the headings, dates as cells."""
    login(hr_user)
    title = (["Staff roster - Oakwood Care"], [])
    batch = _upload(client, "roster", _xlsx(*title, ROSTER_HEADINGS, ANN_ROW, BAD_ROW), name="roster.xlsx")
    # Line numbers are the spreadsheet's rows, title included.
    assert [(e["line"], e["field"]) for e in batch.errors] == [(5, "email")]

    batch = _confirm(client, _upload(client, "roster", _xlsx(*title, ROSTER_HEADINGS, ANN_ROW), name="roster.xlsx"))
    assert batch.status == ImportBatch.Status.APPLIED
    ann = User.objects.get(email="ann@example.org")
    assert (ann.full_name, ann.job_title, ann.start_date) == ("Ann Carer", "Care assistant", datetime.date(2026, 2, 20))


@time_machine.travel(TODAY, tick=False)
def test_roster_errors_come_in_line_order_whichever_check_found_them(client, login, hr_user):
    login(hr_user)
    content = (
        b"Email,Name,Job title,Department,Site,Line manager email,Start date,Employment type\n"
        b"ann@example.org,Ann Carer,Carer,Care,Oakwood,,32/01/2026,permanent\n"
        b"not-an-email,Bob Night,Carer,Care,Oakwood,,2026-01-01,zero hours\n"
    )
    batch = _upload(client, "roster", content)
    assert [(e["line"], e["field"]) for e in batch.errors] == [
        (2, "start date"),
        (3, "email"),
        (3, "employment type"),
    ]


@time_machine.travel(TODAY, tick=False)
def test_completions_from_an_lms_workbook_with_a_title_row(client, login, hr_user, make_user):
    person = make_user(email="ann@example.org")
    course = CourseFactory(code="ms-induction", title="Modern slavery induction")
    login(hr_user)
    content = _xlsx(
        ["LMS completions report"],
        ["Run 2 March 2026"],
        [],
        ["Learner email", "Course title", "Completion date", "Score (%)"],
        ["ANN@example.org", "Modern slavery induction", datetime.datetime(2026, 2, 1), 85],
        ["ann@example.org", "Fire safety", datetime.datetime(2026, 2, 1), 85],
    )
    batch = _upload(client, "completions", content, name="lms.xlsx")
    assert [(e["line"], e["field"]) for e in batch.errors] == [(6, "course")]
    assert "valid codes: ms-induction" in batch.errors[0]["message"]

    good = _xlsx(
        ["LMS completions report"],
        [],
        ["Learner email", "Course title", "Completion date", "Score (%)"],
        ["ann@example.org", "Modern slavery induction", datetime.datetime(2026, 2, 1), 85],
    )
    batch = _confirm(client, _upload(client, "completions", good, name="lms.xlsx"))
    assert batch.status == ImportBatch.Status.APPLIED
    record = TrainingRecord.objects.get(user=person, course=course)
    assert (record.completed_on, record.score) == (datetime.date(2026, 2, 1), 85)


@time_machine.travel(TODAY, tick=False)
def test_reimporting_the_same_roster_and_completions_says_unchanged(client, login, hr_user):
    course = CourseFactory(code="ms-induction", title="Modern slavery induction")
    login(hr_user)
    roster = (
        b"Email,First name,Last name,Job title,Department,Site,Line manager email,Start date,Employment type,Left on\n"
        b"mo@example.org,Mo,Manager,Registered manager,Care,Oakwood,,01/01/2020,permanent,\n"
        b"ann@example.org,Ann,Carer,Carer,Care,Oakwood,mo@example.org,20/02/2026,agency,\n"
        b"fay@example.org,Fay,Leaver,Cook,Catering,Oakwood,,01/01/2023,permanent,28/02/2026\n"
    )
    batch = _confirm(client, _upload(client, "roster", roster))
    assert (batch.summary["added"], batch.summary["changed"], batch.summary["leavers"]) == (3, 0, 1)
    batch = _upload(client, "roster", roster)
    assert [batch.summary[k] for k in ("added", "changed", "unchanged", "refused", "leavers")] == [0, 0, 3, 0, 0]
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "0 added, 0 changed, 3 unchanged, 0 refused; 0 leavers deactivated" in page

    # A changed job title and a bad line: one changed, one refused.
    changed = roster.replace(b"Ann,Carer,Carer", b"Ann,Carer,Senior carer").replace(b"01/01/2023", b"31/02/2023")
    batch = _upload(client, "roster", changed)
    assert [batch.summary[k] for k in ("added", "changed", "unchanged", "refused")] == [0, 1, 1, 1]

    completions = b"Email,Course,Completed on\nann@example.org,ms-induction,01/02/2026\n"
    _confirm(client, _upload(client, "completions", completions))
    batch = _upload(client, "completions", completions)
    assert [batch.summary[k] for k in ("added", "changed", "unchanged", "refused")] == [0, 0, 1, 0]
    assert TrainingRecord.objects.filter(course=course, completed_on=datetime.date(2026, 2, 1)).count() == 1


@time_machine.travel(TODAY, tick=False)
def test_a_roster_column_the_aliases_do_not_know_is_mapped_saved_and_reused(client, login, hr_user):
    from compliance.models import ImportMapping

    login(hr_user)
    roster = (
        b"Email,First name,Last name,Job title,Department,Works at,Line manager email,Start date,Employment type\n"
        b"ann@example.org,Ann,Carer,Carer,Care,Oakwood,,20/02/2026,permanent\n"
    )
    batch = _upload(client, "roster", roster)
    assert batch.status == ImportBatch.Status.MAPPING
    page = client.get(reverse("training:import_columns", args=[batch.pk])).content.decode()
    assert "Not found in the file: <strong>Site</strong>" in page
    assert "Import the column “Works at” as" in page
    data = {f"column_{n}": key for n, key in enumerate(
        ["email", "first name", "last name", "job title", "department", "site", "line manager email", "start date",
         "employment type"]
    )}  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("training:import_columns", args=[batch.pk]), {**data, "save": "on", "save_as": "Payroll export"}
        )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.errors == []
    batch = _confirm(client, batch)
    assert User.objects.get(email="ann@example.org").site.name == "Oakwood"
    assert ImportMapping.objects.get().name == "Payroll export"

    # The same layout next time: checked straight away with the saved mapping, and the page says so.
    batch = _upload(client, "roster", roster.replace(b"Oakwood", b"Meadow View"))
    assert batch.status == ImportBatch.Status.CHECKED and batch.summary["changed"] == 1
    assert "Using the saved mapping “Payroll export”" in client.get(batch.get_absolute_url()).content.decode()
