"""CSV imports for HR: the staff roster and course completions from the LMS.

Each import is checked first (a dry run that reports every bad row by line and
field) and stored as an ImportBatch; nothing changes until HR confirms it.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from compliance import roles
from compliance import rules as r
from compliance.models import Department, Site, User
from training.models import Course, ImportBatch, TrainingRecord
from training.services import assignments_apply, training_completion_record

MAX_IMPORT_BYTES = 2 * 1024 * 1024
ROSTER_COLUMNS = (
    "email",
    "name",
    "job title",
    "department",
    "site",
    "line manager email",
    "start date",
    "employment type",
)
# Optional: a date here marks a leaver, who is deactivated (never deleted).
ROSTER_OPTIONAL = ("left on",)
COMPLETION_COLUMNS = ("email", "course", "completed on")
COMPLETION_OPTIONAL = ("score",)


@dataclass
class Parsed:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "field": column, "message": message})


def _normalise_header(name: str) -> str:
    return " ".join((name or "").replace("_", " ").strip().lower().split())


def _parse_date(value: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError


def read_upload(upload) -> str:
    """The text of an uploaded CSV; refuses big or non-text files."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(f"The file is too large: the limit is {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    raw = upload.read()
    if b"\x00" in raw[:4096]:
        raise ValidationError("This is not a CSV file: save the spreadsheet as CSV (UTF-8) and upload that.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text: save it as CSV (UTF-8) and upload it again.")


def _read_rows(content: str, required: tuple, optional: tuple, parsed: Parsed) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(content))
    try:
        header = [_normalise_header(h) for h in next(reader)]
    except StopIteration:
        parsed.error(1, "", "The file is empty.")
        return []
    missing = [c for c in required if c not in header]
    if missing:
        parsed.error(1, ", ".join(missing), f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
        return []
    wanted = set(required) | set(optional)
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header) if name in wanted}
        rows.append((line, row))
    if not rows:
        parsed.error(2, "", "There are no rows under the header.")
    return rows


_EMPLOYMENT_TYPES = {
    **{value: value for value, _ in User.EmploymentType.choices},
    **{label.lower(): value for value, label in User.EmploymentType.choices},
    "agency": User.EmploymentType.AGENCY,
}


def roster_parse(content: str) -> Parsed:
    """Check a staff roster CSV; every problem is reported with its line and column."""
    parsed = Parsed()
    rows = _read_rows(content, ROSTER_COLUMNS, ROSTER_OPTIONAL, parsed)
    existing = {e.lower(): pk for e, pk in User.objects.values_list("email", "pk")}
    emails_in_file: dict[str, int] = {}
    for line, row in rows:
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            parsed.error(line, "email", f"“{row['email']}” is not an email address.")
        if email in emails_in_file:
            parsed.error(line, "email", f"{email} is also on line {emails_in_file[email]}.")
        emails_in_file.setdefault(email, line)
    new, updated, leavers, managers = 0, 0, 0, set()
    departments = {d.lower() for d in Department.objects.values_list("name", flat=True)}
    sites = {s.lower() for s in Site.objects.values_list("name", flat=True)}
    new_departments, new_sites = set(), set()
    for line, row in rows:
        clean = {"email": row["email"].lower()}
        if not row["name"]:
            parsed.error(line, "name", "The name is empty.")
        clean["name"] = row["name"]
        clean["job title"] = row["job title"]
        clean["department"] = row["department"]
        clean["site"] = row["site"]
        if row["department"] and row["department"].lower() not in departments:
            new_departments.add(row["department"])
        if row["site"] and row["site"].lower() not in sites:
            new_sites.add(row["site"])
        manager_email = row["line manager email"].lower()
        if manager_email:
            if manager_email == clean["email"]:
                parsed.error(line, "line manager email", "A person cannot be their own line manager.")
            elif manager_email not in existing and manager_email not in emails_in_file:
                parsed.error(line, "line manager email", f"No one with the email {manager_email} is known.")
            managers.add(manager_email)
        clean["line manager email"] = manager_email
        for column in ("start date", "left on"):
            value = row.get(column, "")
            clean[column] = None
            if value:
                try:
                    clean[column] = _parse_date(value)
                except ValueError:
                    parsed.error(line, column, f"“{value}” is not a date (use YYYY-MM-DD or DD/MM/YYYY).")
        employment = row["employment type"].lower()
        if employment not in _EMPLOYMENT_TYPES:
            parsed.error(
                line,
                "employment type",
                f"“{row['employment type']}” is not one of permanent, temporary, agency, volunteer, contractor.",
            )
        clean["employment type"] = _EMPLOYMENT_TYPES.get(employment)
        if clean["left on"]:
            leavers += 1
        elif clean["email"] in existing:
            updated += 1
        else:
            new += 1
        parsed.rows.append((line, clean))
    parsed.summary = {
        "new": new,
        "updated": updated,
        "leavers": leavers,
        "new_departments": sorted(new_departments),
        "new_sites": sorted(new_sites),
        "line_managers": len(managers),
    }
    return parsed


def completions_parse(content: str) -> Parsed:
    """Check a completions CSV from the LMS: people matched by email, courses by code or title."""
    parsed = Parsed()
    rows = _read_rows(content, COMPLETION_COLUMNS, COMPLETION_OPTIONAL, parsed)
    users = {e.lower(): pk for e, pk in User.objects.values_list("email", "pk")}
    courses = {}
    for pk, code, title in Course.objects.values_list("pk", "code", "title"):
        courses[code.lower()] = pk
        courses[title.lower()] = pk
    today = timezone.localdate()
    for line, row in rows:
        clean = {}
        email = row["email"].lower()
        if email not in users:
            parsed.error(line, "email", f"No one with the email {row['email'] or '(empty)'} is known.")
        clean["user_id"] = users.get(email)
        course_id = courses.get(row["course"].lower())
        if course_id is None:
            parsed.error(line, "course", f"No course with the code or title “{row['course']}”.")
        clean["course_id"] = course_id
        clean["completed_on"] = None
        try:
            clean["completed_on"] = _parse_date(row["completed on"])
            if clean["completed_on"] > today:
                parsed.error(line, "completed on", "The completion date is in the future.")
        except ValueError:
            parsed.error(line, "completed on", f"“{row['completed on']}” is not a date (use YYYY-MM-DD or DD/MM/YYYY).")
        clean["score"] = None
        score = row.get("score", "")
        if score:
            try:
                clean["score"] = round(float(score.rstrip("%")))
                if not 0 <= clean["score"] <= 100:
                    raise ValueError
            except ValueError:
                parsed.error(line, "score", f"“{score}” is not a percentage between 0 and 100.")
        parsed.rows.append((line, clean))
    parsed.summary = {"completions": len(parsed.rows)}
    return parsed


_PARSERS = {ImportBatch.Kind.ROSTER: roster_parse, ImportBatch.Kind.COMPLETIONS: completions_parse}


def import_check(*, kind: str, filename: str, content: str, actor: User) -> ImportBatch:
    """Dry run: check a CSV and keep it for confirmation; changes nothing else."""
    if not r.can_manage_training.test(actor):
        raise PermissionDenied
    parsed = _PARSERS[kind](content)
    return ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        content=content,
        errors=parsed.errors,
        row_count=len(parsed.rows),
        summary=parsed.summary,
        uploaded_by=actor,
    )


@transaction.atomic
def import_apply(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Apply a checked import that has no errors; the whole file or nothing."""
    if not r.can_manage_training.test(actor):
        raise PermissionDenied
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.APPLIED:
        raise ValidationError("This file has already been imported.")
    # Re-check: people or courses may have changed since the dry run.
    parsed = _PARSERS[batch.kind](batch.content)
    if parsed.errors:
        batch.errors = parsed.errors
        batch.save(update_fields=["errors"])
        raise ValidationError("The file has errors: correct them and upload it again. Nothing was imported.")
    result = _roster_apply(parsed) if batch.kind == ImportBatch.Kind.ROSTER else _completions_apply(parsed)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.summary = {**batch.summary, **result}
    batch.save()
    return batch


def _roster_apply(parsed: Parsed) -> dict:
    staff_group = Group.objects.get(name=roles.STAFF)
    manager_group = Group.objects.get(name=roles.LINE_MANAGER)
    departments = {d.name.lower(): d for d in Department.objects.all()}
    sites = {s.name.lower(): s for s in Site.objects.all()}
    people: dict[str, User] = {}
    created = 0
    for _line, row in parsed.rows:
        department = None
        if row["department"]:
            key = row["department"].lower()
            department = departments.get(key) or Department.objects.create(name=row["department"])
            departments[key] = department
        site = None
        if row["site"]:
            key = row["site"].lower()
            site = sites.get(key) or Site.objects.create(name=row["site"])
            sites[key] = site
        user = User.objects.filter(email=row["email"]).first()
        is_new = user is None
        if is_new:
            user = User(email=row["email"])
            # They set a password through "forgotten password"; no password travels in a CSV.
            user.set_unusable_password()
        user.full_name = row["name"]
        user.job_title = row["job title"]
        user.department = department
        user.site = site
        user.employment_type = row["employment type"]
        user.start_date = row["start date"]
        if row["left on"]:
            user.is_active = False
            user.left_on = row["left on"]
        elif not user.is_active and user.left_on:
            # Re-joined: listed again without a leaving date.
            user.is_active = True
            user.left_on = None
        user.save()
        if is_new:
            created += 1
            user.groups.add(staff_group)
        people[row["email"]] = user
    for _line, row in parsed.rows:
        user = people[row["email"]]
        manager = None
        if row["line manager email"]:
            manager = people.get(row["line manager email"]) or User.objects.get(email=row["line manager email"])
            if manager.is_active and not manager.groups.filter(pk=manager_group.pk).exists():
                manager.groups.add(manager_group)
        if user.line_manager_id != (manager.pk if manager else None):
            user.line_manager = manager
            user.save(update_fields=["line_manager"])
    active = [u for u in people.values() if u.is_active]
    assigned = assignments_apply(users=active)
    return {"created": created, "assigned": len(assigned)}


def _completions_apply(parsed: Parsed) -> dict:
    users = User.objects.in_bulk({row["user_id"] for _line, row in parsed.rows})
    courses = Course.objects.in_bulk({row["course_id"] for _line, row in parsed.rows})
    for _line, row in parsed.rows:
        training_completion_record(
            user=users[row["user_id"]],
            course=courses[row["course_id"]],
            completed_on=row["completed_on"],
            score=row["score"],
            source=TrainingRecord.Source.CSV_IMPORT,
        )
    return {"recorded": len(parsed.rows)}
