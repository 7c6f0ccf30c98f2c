"""Reads for training, each restricted to what the asking user may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from compliance import rules as r
from compliance.models import User
from training import rules as tr
from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck, TrainingRecord

GROUP_BY_CHOICES = (
    ("course", "Course"),
    ("department", "Department"),
    ("role", "Role"),
    ("employment_type", "Employment type"),
)


def course_list(*, user: User) -> QuerySet[Course]:
    qs = Course.objects.all()
    return qs if r.can_manage_training.test(user) else qs.filter(is_active=True)


def assignment_rule_list(*, user: User) -> QuerySet[AssignmentRule]:
    if not r.can_manage_training.test(user):
        return AssignmentRule.objects.none()
    return AssignmentRule.objects.select_related("course", "role", "department")


def training_record_list(*, user: User) -> QuerySet[TrainingRecord]:
    """Own records for everyone, direct reports' for line managers, all for HR and the Compliance admin."""
    qs = TrainingRecord.objects.select_related("user__department", "user__line_manager", "course", "confirmed_by")
    if r.can_manage_training.test(user):
        return qs
    if r.is_line_manager.test(user):
        return qs.filter(Q(user=user) | Q(user__line_manager=user))
    return qs.filter(user=user)


def training_record_get(*, user: User, pk: int) -> TrainingRecord | None:
    record = training_record_list(user=user).filter(pk=pk).first()
    if record is not None and not tr.can_view_record.test(user, record):
        return None
    return record


def import_batch_list(*, user: User) -> QuerySet[ImportBatch]:
    if not r.can_manage_training.test(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.select_related("uploaded_by")


def recruitment_check_people(*, user: User) -> QuerySet[User]:
    """Active workers with their recruitment checks, for HR and the Compliance admin only."""
    if not tr.can_manage_recruitment_checks.test(user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .select_related("department", "recruitment_check__agency")
        .order_by("full_name", "email")
    )


def recruitment_check_completion(*, user: User, as_of: datetime.date | None = None) -> dict:
    """Share of active workers whose recruitment checks are all done (a KPI)."""
    if not tr.can_manage_recruitment_checks.test(user) and not r.can_view_reporting.test(user):
        return {"complete": 0, "total": 0, "rate": None}
    as_of = as_of or timezone.localdate()
    total = User.objects.filter(is_active=True).count()
    checks = RecruitmentCheck.objects.filter(worker__is_active=True)
    complete = sum(1 for check in checks if check.is_complete_on(as_of))
    return {"complete": complete, "total": total, "rate": round(100 * complete / total, 1) if total else None}


# --- People and their current status --------------------------------------------


@dataclass
class CourseStatus:
    course: Course
    record: TrainingRecord
    status: str
    renewal: TrainingRecord | None = None

    @property
    def status_label(self) -> str:
        return TrainingRecord.Status(self.status).label


def current_statuses(records, today: datetime.date) -> list[CourseStatus]:
    """Per course, the record that decides the person's standing: a valid completion, else the open one."""
    by_course: dict[int, list[TrainingRecord]] = defaultdict(list)
    for record in records:
        by_course[record.course_id].append(record)
    result = []
    for items in by_course.values():
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
    return sorted(result, key=lambda s: s.course.title)


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
        keep = {
            TrainingRecord.Status.OVERDUE,
            TrainingRecord.Status.EXPIRED,
            TrainingRecord.Status.DUE_SOON,
            TrainingRecord.Status.AWAITING_CONFIRMATION,
        }
        return [s for s in self.statuses if s.status in keep]


def team_people(*, user: User, department_id: int | None = None) -> QuerySet[User]:
    """Active people whose training the user oversees: direct reports, or everyone for HR/admin."""
    qs = (
        User.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related(
            Prefetch("training_records", queryset=TrainingRecord.objects.select_related("course").order_by("pk"))
        )
        .order_by("full_name", "email")
    )
    if r.can_manage_training.test(user):
        pass
    elif r.is_line_manager.test(user):
        qs = qs.filter(line_manager=user)
    else:
        return qs.none()
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def person_for_training(*, user: User, pk: int) -> User | None:
    """One person whose training the user oversees (leavers too, for HR), with their records."""
    qs = User.objects.select_related("department", "line_manager").prefetch_related(
        Prefetch("training_records", queryset=TrainingRecord.objects.select_related("course").order_by("pk"))
    )
    if r.can_manage_training.test(user):
        pass
    elif r.is_line_manager.test(user):
        qs = qs.filter(line_manager=user)
    else:
        return None
    return qs.filter(pk=pk).first()


def team_summaries(people, today: datetime.date | None = None) -> list[PersonSummary]:
    today = today or timezone.localdate()
    return [PersonSummary(p, current_statuses(p.training_records.all(), today)) for p in people]


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


def _pair_status(records: list[dict], as_of: datetime.date) -> str:
    def completed(x):
        return x["completed_on"] is not None and x["completed_on"] <= as_of

    if any(completed(x) and (x["expires_on"] is None or x["expires_on"] > as_of) for x in records):
        return "complete"
    if any(not completed(x) and x["due_on"] < as_of for x in records):
        return "overdue"
    if any(completed(x) for x in records):
        return "expired"
    return "not_yet_due"


def completion_rates(
    *, user: User, as_of: datetime.date | None = None, group_by: str = "course", course_id: int | None = None
) -> dict:
    """Training completion by course, department, role or employment type, as at a date.

    Leavers are excluded. For each person and course the standing is complete
    (a completion valid on the date), overdue, expired, or not yet due; the
    rate is complete / (complete + overdue + expired). Two queries whatever the
    number of staff: the records, and (for roles) the role memberships.
    """
    if not tr.can_view_completion_rates.test(user):
        return {"rows": [], "total": RateRow("all", "All staff"), "as_of": as_of, "group_by": group_by}
    as_of = as_of or timezone.localdate()
    qs = TrainingRecord.objects.filter(user__is_active=True, assigned_on__lte=as_of)
    if course_id:
        qs = qs.filter(course_id=course_id)
    rows = list(
        qs.values(
            "user_id",
            "course_id",
            "course__title",
            "user__department_id",
            "user__department__name",
            "user__employment_type",
            "due_on",
            "completed_on",
            "expires_on",
        )
    )
    pairs: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        pairs[(row["user_id"], row["course_id"])].append(row)
    roles_by_user: dict[int, list[str]] = defaultdict(list)
    if group_by == "role":
        memberships = User.groups.through.objects.filter(user__is_active=True).values_list("user_id", "group__name")
        for user_id, name in memberships:
            roles_by_user[user_id].append(name)
    employment_labels = dict(User.EmploymentType.choices)
    groups: dict[str, RateRow] = {}
    total = RateRow("all", "All staff")
    for (user_id, _course_id), records in pairs.items():
        status = _pair_status(records, as_of)
        total.add(status)
        first = records[0]
        if group_by == "course":
            keys = [(str(first["course_id"]), first["course__title"])]
        elif group_by == "department":
            keys = [(str(first["user__department_id"] or ""), first["user__department__name"] or "No department")]
        elif group_by == "employment_type":
            value = first["user__employment_type"]
            keys = [(value, employment_labels.get(value, value))]
        else:
            keys = [(name, name) for name in roles_by_user.get(user_id, [])] or [("", "No role")]
        for key, label in keys:
            groups.setdefault(key, RateRow(key, label)).add(status)
    return {
        "rows": sorted(groups.values(), key=lambda g: g.label),
        "total": total,
        "as_of": as_of,
        "group_by": group_by,
    }
