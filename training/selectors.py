"""Reads for training, each restricted to what the asking user may see."""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from compliance import roles
from compliance import rules as compliance_rules
from compliance.figure_cache import cached_count, cached_figures
from compliance.models import User
from training import rules as training_rules
from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck, TrainingRecord
from training.signals import TRAINING_FIGURES

GROUP_BY_CHOICES = (
    ("course", "Course"),
    ("department", "Department"),
    ("role", "Role"),
    ("employment_type", "Employment type"),
)


def course_list(*, user: User) -> QuerySet[Course]:
    return Course.objects.restrict(user, "view")


def assignment_rule_list(*, user: User) -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.restrict(user, "view").select_related("course", "role", "department")


def training_record_list(*, user: User) -> QuerySet[TrainingRecord]:
    """Own records for everyone, direct reports' for line managers, all for HR and the Compliance admin."""
    return TrainingRecord.objects.restrict(user, "view").select_related(
        "user__department", "user__line_manager", "course", "confirmed_by"
    )


def training_record_rows(*, user: User) -> QuerySet[TrainingRecord]:
    """training_record_list for the records list page, joined only to what its rows show.

    The person's manager and the confirmer are for one record's page: on a list of 50 they were
    100 more User rows to read and build on every request.
    """
    return TrainingRecord.objects.restrict(user, "view").select_related("user__department", "course")


def open_record_counts(*, user: User, today: datetime.date | None = None) -> dict:
    """Active people's records overdue and awaiting confirmation, as the records list filters them (its links).

    Two counts, kept in the cache until a record or a person changes (training.signals).
    """
    from training.filters import records_in_status

    today = today or timezone.localdate()
    records = training_record_list(user=user).filter(user__is_active=True)

    def count() -> dict:
        return {
            "overdue": records_in_status(records, "overdue", today).count(),
            "awaiting": records_in_status(records, "awaiting", today).count(),
        }

    return cached_figures(TRAINING_FIGURES, ("open_record_counts", str(records.query), today), count)


def training_figure_count(queryset: QuerySet) -> int:
    """How many rows `queryset` has, kept in the cache until a record, a person or a role changes (training.signals).

    For the counts a list pays on every request for a figure that changes only on a write: the
    records list (all active people's 200,000 records joined to their people, 35 ms of COUNT) and
    the recruitment list (10,000 staff joined to their roles). Keyed on the query's SQL, so each
    list, each filter (and each day, for the status filters) has its own.
    """
    return cached_count(TRAINING_FIGURES, queryset)


def training_record_get(*, user: User, pk: int) -> TrainingRecord | None:
    return training_record_list(user=user).filter(pk=pk).first()


def import_batch_list(*, user: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.restrict(user, "view").select_related("uploaded_by")


def recruitment_check_people(*, user: User) -> QuerySet[User]:
    """Active workers (the Staff role, future starters included) with their checks, for HR and the admin.

    The same people the completion rate counts once they have started: a Board member
    without the Staff role is not a worker and has no recruitment check to keep.
    """
    if not training_rules.can_manage_recruitment_checks.test(user):
        return User.objects.none()
    group = role_group_id(roles.STAFF)
    if group is None:
        return User.objects.none()
    # User.objects.in_role(roles.STAFF) by the group's id (see staff_people_on), in the name
    # index's order to its end, the key: a deep page's keys are then read from the nearer end
    # (compliance.web.KeysFirstPaginator), the last of 187 pages as cheap as the first.
    return (
        User.objects.filter(groups=group, is_active=True)
        .select_related("department", "recruitment_check__agency")
        .order_by("full_name", "email", "pk")
    )


def role_group_id(name: str) -> int | None:
    """The id of the role's group (None if there is none), kept in the training figures cache.

    Retired when any group is saved or deleted (training.signals), so it is never an old group's id.
    """
    return cached_figures(
        TRAINING_FIGURES,
        ("role_group_id", name),
        lambda: Group.objects.filter(name=name).values_list("pk", flat=True).first(),
    )


def staff_people_on(day: datetime.date) -> QuerySet[User]:
    """User.objects.staff_on(day), the Staff role matched by its group's id rather than its name.

    By name PostgreSQL cannot tell which group is meant and guesses a ninth of the memberships
    (1,200 of 10,000 staff): it then sorts or hashes every staff member where walking the name
    index for the first 200 is enough. By id its statistics know Staff is nearly everyone
    (the policy page's outstanding list 14 ms to 1.5 ms on the bench database).
    """
    group = role_group_id(roles.STAFF)
    return User.objects.employed_on(day).filter(groups=group) if group else User.objects.none()


def staff_count_on(day: datetime.date) -> int:
    """How many staff there are on `day` (User.objects.staff_on), kept in the training figures cache.

    The population completion_standings counts, retired by the same writes (a person's dates,
    activity or roles; training.signals): 10,000 staff joined to their roles were 12-16 ms of
    COUNT on every recruitment list and policy page.
    """
    # Built only when the count is not in the cache: building it reads the Staff group's id.
    return cached_figures(TRAINING_FIGURES, ("staff_count_on", day), lambda: staff_people_on(day).count())


def recruitment_check_figures(*, as_of: datetime.date) -> tuple[int, int]:
    """(complete, total): staff on the date whose recruitment checks were all complete on it (one rule for all pages)."""
    staff = staff_people_on(as_of)
    total = staff_count_on(as_of)
    complete = RecruitmentCheck.objects.complete_on(as_of).filter(worker__in=staff.values("pk")).count()
    return complete, total


def recruitment_check_completion(*, user: User, as_of: datetime.date | None = None) -> dict:
    """Share of staff whose recruitment checks are all done (a KPI); two queries."""
    if not training_rules.can_manage_recruitment_checks.test(user) and not compliance_rules.can_view_reporting.test(
        user
    ):
        return {"complete": 0, "total": 0, "rate": None}
    complete, total = recruitment_check_figures(as_of=as_of or timezone.localdate())
    return {"complete": complete, "total": total, "rate": round(100 * complete / total, 1) if total else None}


# --- People and their current status --------------------------------------------


@dataclass
class CourseStatus:
    course: Course
    record: TrainingRecord | StandingRecord
    status: str
    renewal: TrainingRecord | StandingRecord | None = None

    @property
    def status_label(self) -> str:
        return TrainingRecord.Status(self.status).label


def current_statuses(records, today: datetime.date) -> list[CourseStatus]:
    """Per course, the record that decides the person's standing: a valid completion, else the open one."""
    by_course: dict[int, list] = {}
    for record in records:
        items = by_course.get(record.course_id)
        if items is None:
            by_course[record.course_id] = [record]
        else:
            items.append(record)
    result = []
    for items in by_course.values():
        if len(items) == 1:
            # A course's only record decides alone, whatever its state (the rules below come to the
            # same): the usual case, 19 of 20 courses a person on a team page of 1,000 records.
            only = items[0]
            result.append(CourseStatus(only.course, only, only.status_on(today)))
            continue
        valid = [x for x in items if x.status_on(today) == TrainingRecord.Status.COMPLETE]
        open_ = [x for x in items if x.completed_on is None]
        if valid:
            current = max(valid, key=lambda x: x.completed_on)
            result.append(CourseStatus(current.course, current, current.status_on(today), open_[0] if open_ else None))
        elif open_:
            result.append(CourseStatus(open_[0].course, open_[0], open_[0].status_on(today)))
        else:
            latest = max(items, key=lambda x: (x.completed_on, x.pk))
            result.append(CourseStatus(latest.course, latest, latest.status_on(today)))
    result.sort(key=_course_title)
    return result


_course_title = operator.attrgetter("course.title")


# The standings the team page lists under "Needs attention".
NEEDS_ATTENTION = frozenset(
    {
        TrainingRecord.Status.OVERDUE,
        TrainingRecord.Status.EXPIRED,
        TrainingRecord.Status.DUE_SOON,
        TrainingRecord.Status.AWAITING_CONFIRMATION,
    }
)


@dataclass
class PersonSummary:
    person: User
    statuses: list[CourseStatus] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses if s.status == status)

    @property
    def overdue(self) -> int:
        return self.count(TrainingRecord.Status.OVERDUE)

    @property
    def expired(self) -> int:
        return self.count(TrainingRecord.Status.EXPIRED)

    @property
    def complete(self) -> int:
        return self.count(TrainingRecord.Status.COMPLETE)

    @property
    def attention(self) -> list[CourseStatus]:
        return [s for s in self.statuses if s.status in NEEDS_ATTENTION]


# What the team page shows of a person (training_tags.team_row): not their whole row.
TEAM_PERSON_FIELDS = ("pk", "full_name", "email", "job_title", "department__name")


def team_people(*, user: User) -> QuerySet[User]:
    """Active people whose training the user oversees: direct reports, or everyone for HR/admin.

    Without their records: the page reads those for the people it shows (team_summaries), so a
    manager with 400 reports or HR with 10,000 people gets one page's worth, not every record.
    """
    return (
        User.objects.restrict(user, "oversee_training")
        .filter(is_active=True)
        .select_related("department")
        .order_by("full_name", "email", "pk")
    )


def team_overdue_count(*, people: QuerySet[User], today: datetime.date | None = None) -> int:
    """Courses overdue across `people`, by current_statuses' rule, in one COUNT (not over every record in Python).

    current_statuses shows a course as overdue when the person has no completion valid today
    and their open assignment is past due with nothing declared; one open record per course
    is a database constraint, so counting those open records counts the courses.
    """
    today = today or timezone.localdate()
    return cached_figures(
        TRAINING_FIGURES, ("team_overdue", str(people.query), today), lambda: _team_overdue_sql(people, today)
    )


def _team_overdue_sql(people: QuerySet[User], today: datetime.date) -> int:
    valid = TrainingRecord.objects.filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id"), completed_on__lte=today
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
    return (
        TrainingRecord.objects.filter(
            user__in=people.order_by().values("pk"),
            completed_on__isnull=True,
            declared_on__isnull=True,
            due_on__lt=today,
        )
        .exclude(Exists(valid))
        .order_by()
        .count()
    )


def person_for_training(*, user: User, pk: int) -> User | None:
    """One person whose training the user oversees (leavers too, for HR), with their records."""
    return (
        User.objects.restrict(user, "oversee_training")
        .select_related("department", "line_manager")
        .prefetch_related(
            Prefetch("training_records", queryset=TrainingRecord.objects.select_related("course").order_by("pk"))
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(slots=True)
class StandingRecord:
    """What current_statuses and the team page read of a TrainingRecord, as a plain object.

    A page of 50 people holds about 1,000 records: building a model instance for each (even with
    .only()) was most of team_summaries' time, while reading the same columns as tuples is a fifth
    of it. status_on is TrainingRecord's own, so the standing is decided by the one rule.
    """

    pk: int
    user_id: int
    course_id: int
    due_on: datetime.date
    completed_on: datetime.date | None
    expires_on: datetime.date | None
    declared_on: datetime.date | None
    course: Course | None = None  # set from one shared dict of the page's courses

    # The columns read, in the order of the fields above (course is not a column).
    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk",
        "user_id",
        "course_id",
        "due_on",
        "completed_on",
        "expires_on",
        "declared_on",
    )
    Status: ClassVar = TrainingRecord.Status
    status_on = TrainingRecord.status_on


def team_summaries(people, today: datetime.date | None = None) -> list[PersonSummary]:
    """Each person's standing per course; reads the records of these people only (two queries).

    The records come as StandingRecords without their course, and each takes its course from one
    shared dict: a page of 50 people holds about 1,000 records but only the 20-odd courses. One
    query for the page's records, grouped here, rather than a prefetch (two querysets per person).
    """
    today = today or timezone.localdate()
    people = list(people)
    rows = (
        TrainingRecord.objects.filter(user_id__in=[p.pk for p in people])
        .order_by("pk")
        .values_list(*StandingRecord.FIELDS)
    )
    rows = list(rows)
    # Only what the page shows of a course: its title (with the key, for the link's record).
    courses = Course.objects.only("pk", "title").in_bulk({row[2] for row in rows})
    by_person: dict[int, list[StandingRecord]] = defaultdict(list)
    for row in rows:
        # row is StandingRecord.FIELDS in order: (pk, user_id, course_id, ...).
        by_person[row[1]].append(StandingRecord(*row, course=courses[row[2]]))
    return [PersonSummary(p, current_statuses(by_person[p.pk], today)) for p in people]


# --- Completion rates ------------------------------------------------------------


@dataclass
class RateRow:
    key: str
    label: str
    complete: int = 0
    overdue: int = 0
    expired: int = 0
    not_yet_due: int = 0

    @property
    def required(self) -> int:
        # Not-yet-due assignments are shown but are not yet counted against anyone.
        return self.complete + self.overdue + self.expired

    @property
    def rate(self) -> float | None:
        return round(100 * self.complete / self.required, 1) if self.required else None

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


# The dimensions completion can be grouped by: (key column, label column) in completion_standings' SQL.
_DIMENSIONS = {
    "course": ("c.id", "c.title"),
    "department": ("u.department_id", "d.name"),
    "employment_type": ("u.employment_type", "u.employment_type"),
    "role": ("g.name", "g.name"),
}


def completion_standings(
    *, dates: list[datetime.date], group_by: tuple[str, ...] = ("course",), course_id: int | None = None
) -> list[dict]:
    """The one rule for training completion, as at each date; every page, the API and the KPIs use it.

    Kept in the cache until a training record, course, rule, person or role changes
    (training.signals retires it; compliance.figure_cache), so the rates pages, the
    training admin page and the KPIs do not aggregate every record on every request.
    """
    return cached_figures(
        TRAINING_FIGURES,
        ("completion_standings", tuple(dates), tuple(group_by), course_id),
        lambda: completion_standings_live(dates=dates, group_by=group_by, course_id=course_id),
    )


def completion_standings_live(
    *, dates: list[datetime.date], group_by: tuple[str, ...], course_id: int | None
) -> list[dict]:
    """completion_standings computed now, past the cache (the snapshot and cache tests compare with it).

    The population on a date: people employed on it (by start and leaving
    dates) who hold the Staff role (a Board member without it is not staff)
    and a role that needs the course (a course whose active rules all name
    roles is needed by those roles; any other course by every staff member).
    For each person and course the standing is complete (a completion valid on
    the date), else overdue (an assignment past its due date), else expired (an
    old completion), else not yet due; assignments made after the date do not
    count. One query whatever the number of dates and staff: it aggregates
    over a per-pair aggregate, which the ORM cannot express, so it is SQL.

    Returns one dict per group: {"key": (...), "label": (...), "counts": [(complete,
    overdue, expired, not_yet_due) per date]}.
    """
    from django.contrib.auth.models import Group
    from django.db import connection

    from compliance.models import Department

    membership = User.groups.through._meta.db_table
    tables = {
        "record": TrainingRecord._meta.db_table,
        "user": User._meta.db_table,
        "course": Course._meta.db_table,
        "department": Department._meta.db_table,
        "rule": AssignmentRule._meta.db_table,
        "membership": membership,
        "group": Group._meta.db_table,
    }
    params: dict = {"yes": True, "latest": max(dates), "staff": roles.STAFF}
    pair_columns, outer_columns = [], []
    for i, day in enumerate(dates):
        params[f"d{i}"] = day
        d, held = f"%(d{i})s", f"r.assigned_on <= %(d{i})s"
        pair_columns.append(
            f"MAX(CASE WHEN {held} THEN 1 ELSE 0 END) AS held_{i},"
            f" MAX(CASE WHEN {held} AND r.completed_on <= {d} AND (r.expires_on IS NULL OR r.expires_on > {d})"
            f" THEN 1 ELSE 0 END) AS valid_{i},"
            f" MAX(CASE WHEN {held} AND (r.completed_on IS NULL OR r.completed_on > {d}) AND r.due_on < {d}"
            f" THEN 1 ELSE 0 END) AS overdue_{i},"
            f" MAX(CASE WHEN {held} AND r.completed_on <= {d} THEN 1 ELSE 0 END) AS done_{i}"
        )
        counted = (
            f"p.held_{i} = 1 AND (u.start_date IS NULL OR u.start_date <= {d})"
            f" AND (u.left_on > {d} OR (u.left_on IS NULL AND u.is_active = %(yes)s))"
        )
        outer_columns.append(
            f"SUM(CASE WHEN {counted} AND p.valid_{i} = 1 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {counted} AND p.valid_{i} = 0 AND p.overdue_{i} = 1 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {counted} AND p.valid_{i} = 0 AND p.overdue_{i} = 0 AND p.done_{i} = 1"
            f" THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {counted} AND p.valid_{i} = 0 AND p.overdue_{i} = 0 AND p.done_{i} = 0"
            f" THEN 1 ELSE 0 END)"
        )
    course_filter = ""
    if course_id:
        params["course_id"] = course_id
        course_filter = "AND r.course_id = %(course_id)s"
    role_join = ""
    if "role" in group_by:
        role_join = f"JOIN {membership} gm ON gm.user_id = u.id JOIN {tables['group']} g ON g.id = gm.group_id"
    keys = [_DIMENSIONS[name][0] for name in group_by]
    labels = [_DIMENSIONS[name][1] for name in group_by]
    group_columns = ", ".join(dict.fromkeys(keys + labels))
    sql = f"""
        WITH pairs AS (
            SELECT r.user_id, r.course_id, {", ".join(pair_columns)}
            FROM {tables["record"]} r
            WHERE r.assigned_on <= %(latest)s {course_filter}
            GROUP BY r.user_id, r.course_id
        )
        SELECT {", ".join(keys + labels)}, {", ".join(outer_columns)}
        FROM pairs p
        JOIN {tables["course"]} c ON c.id = p.course_id
        JOIN {tables["user"]} u ON u.id = p.user_id
        LEFT JOIN {tables["department"]} d ON d.id = u.department_id
        {role_join}
        WHERE EXISTS (
            SELECT 1 FROM {membership} sm JOIN {tables["group"]} sg ON sg.id = sm.group_id
            WHERE sm.user_id = u.id AND sg.name = %(staff)s
        )
        AND (
            NOT EXISTS (
                SELECT 1 FROM {tables["rule"]} ar
                WHERE ar.course_id = p.course_id AND ar.is_active = %(yes)s AND ar.role_id IS NOT NULL
            )
            OR EXISTS (
                SELECT 1 FROM {tables["rule"]} ar
                WHERE ar.course_id = p.course_id AND ar.is_active = %(yes)s AND ar.role_id IS NULL
            )
            OR EXISTS (
                SELECT 1 FROM {tables["rule"]} ar JOIN {membership} rm ON rm.group_id = ar.role_id
                WHERE ar.course_id = p.course_id AND ar.is_active = %(yes)s AND rm.user_id = u.id
            )
        )
        GROUP BY {group_columns}
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    width = len(group_by)
    result = []
    for row in fetched:
        counts = [tuple(int(v or 0) for v in row[2 * width + 4 * i : 2 * width + 4 * i + 4]) for i in range(len(dates))]
        result.append({"key": tuple(row[:width]), "label": tuple(row[width : 2 * width]), "counts": counts})
    return result


def completion_rates(
    *, user: User, as_of: datetime.date | None = None, group_by: str = "course", course_id: int | None = None
) -> dict:
    """Training completion by course, department, role or employment type, as at a date (completion_standings).

    The rate is complete / (complete + overdue + expired); not-yet-due
    assignments are shown but not counted against anyone. One query (two when
    grouped by role, whose rows overlap).
    """
    if not training_rules.can_view_completion_rates.test(user):
        return {"rows": [], "total": RateRow("all", "All staff"), "as_of": as_of, "group_by": group_by}
    as_of = as_of or timezone.localdate()
    employment_labels = dict(User.EmploymentType.choices)
    groups: dict[str, RateRow] = {}
    total = RateRow("all", "All staff")
    for row in completion_standings(dates=[as_of], group_by=(group_by,), course_id=course_id):
        complete, overdue, expired, not_yet_due = row["counts"][0]
        key, label = row["key"][0], row["label"][0]
        if group_by == "department":
            key, label = str(key or ""), label or "No department"
        elif group_by == "employment_type":
            label = employment_labels.get(key, key)
        elif group_by == "course":
            key = str(key)
        group = groups.setdefault(str(key), RateRow(str(key), label))
        for bucket in (group, total) if group_by != "role" else (group,):
            bucket.complete += complete
            bucket.overdue += overdue
            bucket.expired += expired
            bucket.not_yet_due += not_yet_due
    if group_by == "role":
        # A person with two roles is in two rows, so the total is read once more without the role split.
        for row in completion_standings(dates=[as_of], group_by=("course",), course_id=course_id):
            complete, overdue, expired, not_yet_due = row["counts"][0]
            total.complete += complete
            total.overdue += overdue
            total.expired += expired
            total.not_yet_due += not_yet_due
    return {
        "rows": sorted(groups.values(), key=lambda g: g.label),
        "total": total,
        "as_of": as_of,
        "group_by": group_by,
    }
