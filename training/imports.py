"""CSV imports for HR: the staff roster and course completions from the LMS.

Each import is checked first (a dry run that reports every bad row by line and
field) and stored as an ImportBatch; nothing changes until HR confirms it.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from compliance import exports, import_mappings, leases, roles, spreadsheets
from compliance import rules as compliance_rules
from compliance.audit_bulk import audit_log_bulk
from compliance.figure_cache import figures_changed
from compliance.models import Department, Site, User
from training.models import Course, ImportBatch, TrainingRecord
from training.services import assignments_apply
from training.signals import TRAINING_FIGURES

# A 20,000-person roster is about 2.5 MB.
MAX_IMPORT_BYTES = 8 * 1024 * 1024
# Rows between two progress reports, and rows per bulk statement.
PROGRESS_EVERY = 100
BATCH_SIZE = 1000


@dataclass
class Parsed:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    column_order: list[str] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "field": column, "message": message})

    def refused_lines(self) -> set[int]:
        return {e["line"] for e in self.errors if e["line"] > 1}

    def outcome_counts(self, outcome: dict[int, str]) -> dict[str, int]:
        """Added, changed, unchanged among the good rows, and the rows refused for a problem."""
        refused = self.refused_lines()
        counts = {"added": 0, "changed": 0, "unchanged": 0, "refused": len(refused)}
        for line, kind in outcome.items():
            if line not in refused:
                counts[kind] += 1
        return counts

    def sorted_errors(self) -> list[dict]:
        """Errors by line, then column as the file runs: the checks run in passes, a person reads down."""
        return spreadsheets.sort_errors(self.errors, columns=self.column_order)


_EMAIL = ("Email address", "Email", "Work email", "Work email address", "Staff email", "Employee email")
_FIRST_NAME = spreadsheets.Column(
    "first name",
    "First name (joined with the last name)",
    ("Forename", "Forenames", "Given name", "First names"),
    part_of="name",
)
_LAST_NAME = spreadsheets.Column(
    "last name", "Last name (joined after the first name)", ("Surname", "Family name"), part_of="name"
)
ROSTER_SCHEMA = spreadsheets.Schema(
    kind=spreadsheets.ImportKind.ROSTER,
    columns=(
        spreadsheets.Column("email", "Email", _EMAIL, required=True),
        spreadsheets.Column("name", "Name", ("Full name", "Employee name", "Staff name", "Name of employee"), True),
        _FIRST_NAME,
        _LAST_NAME,
        spreadsheets.Column("job title", "Job title", ("Role", "Position", "Job role", "Post", "Post title"), True),
        spreadsheets.Column("department", "Department", ("Dept", "Team", "Directorate", "Service"), True),
        spreadsheets.Column("site", "Site", ("Location", "Work location", "Base", "Workplace", "Home"), True),
        spreadsheets.Column(
            "line manager email",
            "Line manager email",
            ("Line manager", "Manager", "Manager email", "Manager email address", "Reports to", "Line manager email address"),
            True,
        ),
        spreadsheets.Column(
            "start date",
            "Start date",
            ("Started", "Date started", "Started on", "Employment start date", "Date joined", "Joined", "Hire date"),
            True,
        ),
        spreadsheets.Column(
            "employment type",
            "Employment type",
            ("Contract type", "Type of employment", "Staff type", "Worker type", "Employment status"),
            True,
        ),
        spreadsheets.Column("left on", "Left on (a leaver)", ("Leaving date", "Date left", "Leaver date", "Left")),
    ),
    # Employee numbers belong to the HR system; people are matched by email here.
    ignored=("Employee ID", "Employee number", "Staff number", "Staff ID", "Payroll number", "Assignment number"),
)  # fmt: skip
COMPLETIONS_SCHEMA = spreadsheets.Schema(
    kind=spreadsheets.ImportKind.COMPLETIONS,
    columns=(
        spreadsheets.Column("email", "Email", (*_EMAIL, "Learner email", "User email"), required=True),
        spreadsheets.Column(
            "course", "Course (code or title)",
            ("Course title", "Course name", "Course code", "Module", "Training", "Course ID"), required=True,
        ),
        spreadsheets.Column(
            "completed on", "Completed on",
            ("Completion date", "Date completed", "Completed", "Date of completion", "Passed on", "Completed date"),
            required=True,
        ),
        spreadsheets.Column("score", "Score (%)", ("Result", "Mark", "Percentage", "Score percent")),
    ),
    ignored=("Employee ID", "Employee number", "Staff number", "Name", "Full name", "First name", "Last name"),
)  # fmt: skip


def read_upload(upload) -> str:
    """The text of an uploaded CSV (an .xlsx is turned into CSV text, line for line); refuses big or odd files."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(f"The file is too large: the limit is {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    raw = upload.read()
    if spreadsheets.is_xlsx(upload.name, raw):
        # ImportBatch keeps text; every row is written, blank ones too, so line numbers stay the sheet's.
        return exports.csv_text_unescaped(spreadsheets.read_grid(upload.name, raw, unescape=False))
    if b"\x00" in raw[:4096]:
        raise ValidationError("This is not a CSV file: save the spreadsheet as CSV (UTF-8) or .xlsx and upload that.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text: save it as CSV (UTF-8) and upload it again.")


def _read_rows(
    content: str, schema: spreadsheets.Schema, parsed: Parsed, column_map: dict | None = None
) -> list[tuple[int, dict]]:
    grid = spreadsheets.read_grid("import.csv", content.encode())
    if not any(any(c.strip() for c in row) for row in grid):
        parsed.error(1, "", "The file is empty.")
        return []
    if column_map:
        header_line, targets = column_map["header_line"], column_map["targets"]
    else:
        analysis = spreadsheets.analyse(grid, schema)
        header_line, targets = analysis.header_line, analysis.targets
        if analysis.missing:
            labels = [c.label for c in analysis.missing]
            parsed.error(
                header_line,
                ", ".join(c.key for c in analysis.missing),
                f"Missing column{'s' if len(labels) > 1 else ''}: {', '.join(labels)}.",
            )
            return []
    parsed.column_order = ["", *(t for t in targets if t)]
    if "first name" in targets or "last name" in targets:
        parsed.column_order.append("name")
    rows = spreadsheets.rows(grid, schema, header_line=header_line, targets=targets)
    for _line, row in rows:
        for column in schema.columns:
            row.setdefault(column.key, "")
    if not rows:
        parsed.error(header_line + 1, "", "There are no rows under the header.")
    return rows


_EMPLOYMENT_TYPES = {
    **{value: value for value, _ in User.EmploymentType.choices},
    **{label.lower(): value for value, label in User.EmploymentType.choices},
    "agency": User.EmploymentType.AGENCY,
}


def roster_parse(
    content: str, progress: Callable[[int, int], None] | None = None, column_map: dict | None = None
) -> Parsed:
    """Check a staff roster CSV; every problem is reported with its line and column."""
    parsed = Parsed()
    rows = _read_rows(content, ROSTER_SCHEMA, parsed, column_map)
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
    outcome: dict[int, str] = {}  # line -> added, changed or unchanged
    leaving: set[int] = set()
    managers = set()
    people = _people_by_email(list(emails_in_file))
    departments = {d.lower() for d in Department.objects.values_list("name", flat=True)}
    sites = {s.lower() for s in Site.objects.values_list("name", flat=True)}
    new_departments, new_sites = set(), set()
    for index, (line, row) in enumerate(rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
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
                    clean[column] = spreadsheets.parse_date(value)
                except ValueError:
                    parsed.error(line, column, f"“{value}” is not a date ({spreadsheets.DATE_HINT}).")
        employment = row["employment type"].lower()
        if employment not in _EMPLOYMENT_TYPES:
            parsed.error(
                line,
                "employment type",
                f"“{row['employment type']}” is not one of permanent, temporary, agency, volunteer, contractor.",
            )
        clean["employment type"] = _EMPLOYMENT_TYPES.get(employment)
        person = people.get(clean["email"])
        if clean["left on"] and (person is None or person.is_active):
            leaving.add(line)
        if person is None:
            outcome[line] = "added"
        else:
            outcome[line] = "changed" if _roster_changes(person, clean) else "unchanged"
        parsed.rows.append((line, clean))
    parsed.summary = {
        **parsed.outcome_counts(outcome),
        "leavers": len(leaving - parsed.refused_lines()),
        "new_departments": sorted(new_departments),
        "new_sites": sorted(new_sites),
        "line_managers": len(managers),
    }
    return parsed


def _people_by_email(emails: list[str]) -> dict[str, User]:
    """The people a roster names who exist already, with what the comparison reads, in chunks."""
    people: dict[str, User] = {}
    for start in range(0, len(emails), BATCH_SIZE):
        chunk = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails[start : start + BATCH_SIZE])
            .select_related("department", "site", "line_manager")
        )
        people.update({u.email.lower(): u for u in chunk})
    return people


def _roster_changes(person: User, clean: dict) -> bool:
    """Whether applying this row would change the person, judged as _roster_apply writes it."""

    def name_of(place) -> str:
        return place.name.lower() if place else ""

    manager = person.line_manager.email.lower() if person.line_manager_id else ""
    if clean["left on"]:
        leaving_changes = person.is_active or person.left_on != clean["left on"]
    else:
        leaving_changes = not person.is_active and person.left_on is not None
    return (
        leaving_changes
        or person.full_name != clean["name"]
        or person.job_title != clean["job title"]
        or name_of(person.department) != clean["department"].lower()
        or name_of(person.site) != clean["site"].lower()
        or person.employment_type != clean["employment type"]
        or person.start_date != clean["start date"]
        or manager != clean["line manager email"]
    )


def completions_parse(
    content: str, progress: Callable[[int, int], None] | None = None, column_map: dict | None = None
) -> Parsed:
    """Check a completions CSV from the LMS: people matched by email, courses by code or title."""
    parsed = Parsed()
    rows = _read_rows(content, COMPLETIONS_SCHEMA, parsed, column_map)
    users = {e.lower(): pk for e, pk in User.objects.values_list("email", "pk")}
    courses = {}
    codes = []
    for pk, code, title in Course.objects.values_list("pk", "code", "title").order_by("code"):
        courses[code.lower()] = pk
        courses[title.lower()] = pk
        codes.append(code)
    # The valid codes help with a typo; a catalogue of hundreds would drown the message.
    valid = f"; valid codes: {', '.join(codes)}" if len(codes) <= 30 else ""
    today = timezone.localdate()
    open_keys, recorded = _completion_state(
        {users[r["email"].lower()] for _l, r in rows if r["email"].lower() in users}
    )
    outcome: dict[int, str] = {}
    for index, (line, row) in enumerate(rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        clean = {}
        email = row["email"].lower()
        if email not in users:
            parsed.error(line, "email", f"No one with the email {row['email'] or '(empty)'} is known.")
        clean["user_id"] = users.get(email)
        course_id = courses.get(row["course"].lower())
        if course_id is None:
            parsed.error(line, "course", f"No course with the code or title “{row['course']}”{valid}.")
        clean["course_id"] = course_id
        clean["completed_on"] = None
        try:
            clean["completed_on"] = spreadsheets.parse_date(row["completed on"])
            if clean["completed_on"] is None:
                parsed.error(line, "completed on", "The completion date is empty.")
            elif clean["completed_on"] > today:
                parsed.error(line, "completed on", "The completion date is in the future.")
        except ValueError:
            parsed.error(line, "completed on", f"“{row['completed on']}” is not a date ({spreadsheets.DATE_HINT}).")
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
        # Counted as _completions_apply will write it: an open assignment closed, a new record, or already there.
        key = (clean["user_id"], clean["course_id"])
        if None not in key and isinstance(clean["completed_on"], datetime.date):
            if key in open_keys:
                open_keys.discard(key)
                outcome[line] = "changed"
            elif (*key, clean["completed_on"]) in recorded:
                outcome[line] = "unchanged"
            else:
                outcome[line] = "added"
            recorded.add((*key, clean["completed_on"]))
    parsed.summary = {"completions": len(parsed.rows), **parsed.outcome_counts(outcome)}
    return parsed


def _completion_state(user_ids: set[int]) -> tuple[set[tuple[int, int]], set[tuple[int, int, datetime.date]]]:
    """The open assignments (person, course) and the completions already recorded, for the people in a file."""
    open_keys: set[tuple[int, int]] = set()
    recorded: set[tuple[int, int, datetime.date]] = set()
    ids = sorted(user_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        records = TrainingRecord.objects.filter(user_id__in=ids[start : start + BATCH_SIZE]).values_list(
            "user_id", "course_id", "completed_on"
        )
        for user_id, course_id, completed_on in records:
            if completed_on is None:
                open_keys.add((user_id, course_id))
            else:
                recorded.add((user_id, course_id, completed_on))
    return open_keys, recorded


_PARSERS = {ImportBatch.Kind.ROSTER: roster_parse, ImportBatch.Kind.COMPLETIONS: completions_parse}
SCHEMAS = {ImportBatch.Kind.ROSTER: ROSTER_SCHEMA, ImportBatch.Kind.COMPLETIONS: COMPLETIONS_SCHEMA}


def import_check(*, kind: str, filename: str, content: str, actor: User) -> ImportBatch:
    """Keep an uploaded CSV and queue its dry run; changes nothing else."""
    from training.tasks import import_batch_check_task

    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, filename=filename[:255], content=content, uploaded_by=actor)
        # Queued at once when every column is understood; otherwise the batch waits for the mapping step.
        import_mappings.import_job_start(
            batch, schema=SCHEMAS[kind], content=content.encode(), actor=actor, task=import_batch_check_task
        )
    return batch


def import_columns(*, batch: ImportBatch, actor: User) -> tuple[spreadsheets.Analysis, object]:
    """The file's columns as the mapping page shows them, with the saved mapping that named them, if any."""
    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    return import_mappings.import_columns_analyse(
        schema=SCHEMAS[batch.kind],
        filename="import.csv",  # an .xlsx was turned into CSV text at upload
        content=batch.content.encode(),
        actor=actor,
        column_map=batch.column_map,
    )


def import_map(
    *, batch: ImportBatch, actor: User, analysis: spreadsheets.Analysis, targets: list[str], save_as: str = ""
) -> ImportBatch:
    """Read the file with the columns a person mapped (saved for next time if named) and check it again."""
    from training.tasks import import_batch_check_task

    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    return import_mappings.import_job_map(
        batch,
        schema=SCHEMAS[batch.kind],
        analysis=analysis,
        targets=targets,
        actor=actor,
        save_as=save_as,
        task=import_batch_check_task,
    )


def import_batch_check(*, batch_id: int) -> ImportBatch | None:
    """The dry run, in a worker: every problem by line and column, with progress."""

    def check(batch: ImportBatch, heartbeat: leases.Heartbeat):
        parsed = _PARSERS[batch.kind](batch.content, progress=heartbeat.progress, column_map=batch.column_map or None)
        return parsed.sorted_errors(), len(parsed.rows), parsed.summary

    return leases.import_job_run_check(ImportBatch, batch_id, check=check)


def import_confirm(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Queue a checked import that has no errors to be applied (the whole file or nothing)."""
    from training.tasks import import_batch_apply_task

    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.APPLIED:
            raise ValidationError("This file has already been imported.")
        if not batch.can_confirm:
            raise ValidationError("The file has errors: correct them and upload it again. Nothing was imported.")
        leases.import_job_confirm(batch, actor=actor, task=import_batch_apply_task)
    return batch


def import_batch_apply(*, batch_id: int) -> ImportBatch | None:
    """Apply a confirmed import in a worker: re-checked, then every row or none, with progress."""

    def apply(batch: ImportBatch, heartbeat: leases.Heartbeat) -> dict:
        # Re-check: people or courses may have changed since the dry run.
        parsed = _PARSERS[batch.kind](batch.content, column_map=batch.column_map or None)
        if parsed.errors:
            raise leases.ImportRejected(parsed.sorted_errors())
        # Bulk writes send no signals: the cached completion figures are retired here.
        figures_changed(TRAINING_FIGURES)
        if batch.kind == ImportBatch.Kind.ROSTER:
            return _roster_apply(parsed, actor=batch.confirmed_by, progress=heartbeat.progress)
        return _completions_apply(parsed, actor=batch.confirmed_by, progress=heartbeat.progress)

    batch = leases.import_job_run_apply(ImportBatch, batch_id, apply=apply)
    if batch is not None and batch.status == ImportBatch.Status.APPLIED:
        ImportBatch.objects.filter(pk=batch.pk).update(content="")
    return batch


def import_abandon(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Drop a checked file that will not be imported."""
    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.can_abandon:
            raise ValidationError("Only an import waiting for its mapping, checked or failed can be abandoned.")
        batch.status = ImportBatch.Status.ABANDONED
        batch.content = ""
        batch.save(update_fields=["status", "content"])
    return batch


def import_batches_requeue_stale() -> int:
    """Queue again the checks and applies whose worker died or whose message was lost."""
    from training.tasks import import_batch_apply_task, import_batch_check_task

    return leases.import_jobs_requeue_stale(
        ImportBatch, check_task=import_batch_check_task, apply_task=import_batch_apply_task
    )


_USER_FIELDS = ("full_name", "job_title", "department", "site", "employment_type", "start_date", "is_active", "left_on")


def _roster_apply(parsed: Parsed, *, actor: User | None, progress=None) -> dict:
    """Create, update and deactivate people with bulk statements; roles, history and courses as one-by-one would."""
    staff_group = Group.objects.get(name=roles.STAFF)
    manager_group = Group.objects.get(name=roles.LINE_MANAGER)
    departments = {d.name.lower(): d for d in Department.objects.all()}
    sites = {s.name.lower(): s for s in Site.objects.all()}
    total = len(parsed.rows)
    # New departments and sites are few: created one by one, with their own history.
    for _line, row in parsed.rows:
        if row["department"] and row["department"].lower() not in departments:
            departments[row["department"].lower()] = Department.objects.create(name=row["department"])
        if row["site"] and row["site"].lower() not in sites:
            sites[row["site"].lower()] = Site.objects.create(name=row["site"])
    emails = [row["email"] for _line, row in parsed.rows]
    existing: dict[str, User] = {}
    for start in range(0, len(emails), BATCH_SIZE):
        existing.update({u.email: u for u in User.objects.filter(email__in=emails[start : start + BATCH_SIZE])})
    people: dict[str, User] = {}
    new_people: list[User] = []
    changed: list[tuple[User, User]] = []  # (before, after) for the change history
    for index, (_line, row) in enumerate(parsed.rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index // 2, total)
        user = existing.get(row["email"])
        before = copy.copy(user) if user else None
        if user is None:
            user = User(email=row["email"])
            # They set a password through "forgotten password"; no password travels in a CSV.
            user.set_unusable_password()
        user.full_name = row["name"]
        user.job_title = row["job title"]
        user.department = departments.get(row["department"].lower()) if row["department"] else None
        user.site = sites.get(row["site"].lower()) if row["site"] else None
        user.employment_type = row["employment type"]
        user.start_date = row["start date"]
        if row["left on"]:
            user.is_active = False
            user.left_on = row["left on"]
        elif not user.is_active and user.left_on:
            # Re-joined: listed again without a leaving date.
            user.is_active = True
            user.left_on = None
        people[row["email"]] = user
        if before is None:
            new_people.append(user)
        elif any(getattr(before, f) != getattr(user, f) for f in _USER_FIELDS):
            changed.append((before, user))
    User.objects.bulk_create(new_people, batch_size=BATCH_SIZE)
    User.objects.bulk_update([u for _b, u in changed], _USER_FIELDS, batch_size=BATCH_SIZE)
    if progress:
        progress(total // 2, total)

    # Line managers, once everyone exists.
    memberships = User.groups.through
    manager_ids = set(memberships.objects.filter(group=manager_group).values_list("user_id", flat=True))
    new_managers: set[int] = set()
    manager_changed: list[User] = []
    in_history = {id(u) for u in new_people} | {id(after) for _b, after in changed}
    for _line, row in parsed.rows:
        user = people[row["email"]]
        manager = None
        if row["line manager email"]:
            manager = people.get(row["line manager email"]) or User.objects.get(email=row["line manager email"])
            if manager.is_active and manager.pk not in manager_ids:
                new_managers.add(manager.pk)
        if user.line_manager_id != (manager.pk if manager else None):
            if id(user) not in in_history:
                changed.append((copy.copy(user), user))
            user.line_manager = manager
            manager_changed.append(user)
    User.objects.bulk_update(manager_changed, ["line_manager"], batch_size=BATCH_SIZE)
    memberships.objects.bulk_create(
        [memberships(user_id=u.pk, group_id=staff_group.pk) for u in new_people]
        + [memberships(user_id=pk, group_id=manager_group.pk) for pk in sorted(new_managers)],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    audit_log_bulk(changes=[(None, u) for u in new_people] + changed, actor=actor)
    _audit_roles_added(staff_group, [u.pk for u in new_people], actor)
    _audit_roles_added(manager_group, sorted(new_managers), actor)
    if progress:
        progress(total - 1, total)
    active = [u for u in people.values() if u.is_active]
    assigned = assignments_apply(users=active)
    return {"created": len(new_people), "assigned": len(assigned)}


def _audit_roles_added(group: Group, user_ids: list[int], actor: User | None) -> None:
    """The role history django-auditlog writes for ``user.groups.add(group)``, for many people at once."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not user_ids:
        return
    content_type = ContentType.objects.get_for_model(User)
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "full_name"))
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(pk),
                object_id=pk,
                object_repr=names.get(pk) or str(pk),
                action=LogEntry.Action.UPDATE,
                changes={"groups": {"type": "m2m", "operation": "add", "objects": [str(group)]}},
                actor=actor,
            )
            for pk in user_ids
        ],
        batch_size=BATCH_SIZE,
    )


def _completions_apply(parsed: Parsed, *, actor: User | None, progress=None) -> dict:
    """Record completions in bulk with the rule of ``training_completion_from_import``, row by row in file order.

    A completion closes the person's open assignment of that course; otherwise it
    is a new completed record, unless the same completion is already recorded.
    """
    today = timezone.localdate()
    courses = Course.objects.in_bulk({row["course_id"] for _line, row in parsed.rows})
    user_ids = sorted({row["user_id"] for _line, row in parsed.rows})
    open_records: dict[tuple[int, int], TrainingRecord] = {}
    recorded: set[tuple[int, int, datetime.date]] = set()
    for start in range(0, len(user_ids), BATCH_SIZE):
        for record in TrainingRecord.objects.filter(
            user_id__in=user_ids[start : start + BATCH_SIZE], course_id__in=courses.keys()
        ):
            if record.completed_on is None:
                open_records[(record.user_id, record.course_id)] = record
            else:
                recorded.add((record.user_id, record.course_id, record.completed_on))
    closed: list[tuple[TrainingRecord, TrainingRecord]] = []
    created: list[TrainingRecord] = []
    for index, (_line, row) in enumerate(parsed.rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(parsed.rows))
        key = (row["user_id"], row["course_id"])
        completed_on = row["completed_on"]
        if completed_on > today:  # the check refuses this; kept as the one-row service's guard
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})
        record = open_records.pop(key, None)
        if record is None:
            if (*key, completed_on) in recorded:
                continue  # the same completion imported twice changes nothing
            record = TrainingRecord(user_id=key[0], course_id=key[1], assigned_on=completed_on, due_on=completed_on)
            created.append(record)
        else:
            closed.append((copy.copy(record), record))
        record.completed_on = completed_on
        record.expires_on = courses[key[1]].expiry_for(completed_on)
        record.score = row["score"]
        record.source = TrainingRecord.Source.CSV_IMPORT
        recorded.add((*key, completed_on))
    now = timezone.now()
    for _before, record in closed:
        record.updated_at = now  # auto_now is not applied by bulk_update
    TrainingRecord.objects.bulk_update(
        [r for _b, r in closed], ["completed_on", "expires_on", "score", "source", "updated_at"], batch_size=BATCH_SIZE
    )
    TrainingRecord.objects.bulk_create(created, batch_size=BATCH_SIZE)
    audit_log_bulk(changes=[(None, r) for r in created] + closed, actor=actor)
    return {"recorded": len(parsed.rows)}
