"""Writes for training: assignment by rule, completions, reminders and recruitment checks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import User
from compliance.services import notification_send
from training.models import DUE_SOON_DAYS, AssignmentRule, Course, RecruitmentCheck, TrainingRecord

# Reminder thresholds for an open record, checked from the nearest first so a
# missed day never sends two reminders at once.
REMINDER_THRESHOLDS = (("overdue", -1), ("7", 7), ("30", DUE_SOON_DAYS))
RIGHT_TO_WORK_THRESHOLDS = (("lapsed", 0), ("30", 30), ("60", 60))


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- Courses and rules --------------------------------------------------------


@transaction.atomic
def course_save(*, course: Course, actor: User) -> Course:
    """Create or update a course."""
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def assignment_rule_save(*, rule: AssignmentRule, actor: User, today: datetime.date | None = None) -> int:
    """Create or update an assignment rule and assign its course to everyone it now matches.

    Refuses a second active rule for the same course and the same people: it would assign
    nothing new, and two rules with different due periods leave HR unsure which one applies.
    """
    rule.full_clean()
    if rule.is_active:
        # Lock the course so two people saving the same rule at once cannot both pass the check.
        Course.objects.select_for_update().filter(pk=rule.course_id).first()
        duplicate = (
            AssignmentRule.objects.filter(
                is_active=True,
                course_id=rule.course_id,
                role_id=rule.role_id,
                department_id=rule.department_id,
                employment_type=rule.employment_type,
                new_starter_within_days=rule.new_starter_within_days,
            )
            .exclude(pk=rule.pk)
            .first()
        )
        if duplicate is not None:
            raise ValidationError(
                {
                    "course": (
                        f"There is already a rule assigning {rule.course} to {duplicate.describe()} "
                        f"(due within {duplicate.due_within_days} days). Change that rule instead of adding another."
                    )
                }
            )
    rule.save()
    if not rule.is_active:
        return 0
    return len(assignments_apply(users=User.objects.filter(is_active=True), today=today))


def _user_needs_course(records: list[TrainingRecord], today: datetime.date) -> bool:
    """No open assignment and no completion that stays valid beyond the renewal window."""
    renewal_horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    for record in records:
        if record.completed_on is None:
            return False
        if record.expires_on is None or record.expires_on > renewal_horizon:
            return False
    return True


def _due_date(*, rule: AssignmentRule, user: User, records: list[TrainingRecord], today: datetime.date):
    latest_expiry = max((r.expires_on for r in records if r.expires_on), default=None)
    if latest_expiry and latest_expiry > today:
        # A renewal is due when the current certificate lapses.
        return latest_expiry
    if rule.new_starter_within_days is not None and user.start_date:
        starter_due = user.start_date + datetime.timedelta(days=rule.new_starter_within_days)
        if starter_due >= today:
            return starter_due
    return today + datetime.timedelta(days=rule.due_within_days)


def assignments_apply(*, users: Iterable[User], today: datetime.date | None = None) -> list[TrainingRecord]:
    """Assign every course whose active rules match these people and that they do not hold validly.

    Runs when people are imported, join a role, a rule is saved, or a certificate
    nears expiry; safe to run again (an open assignment is never duplicated).
    """
    today = _today(today)
    rules = list(AssignmentRule.objects.filter(is_active=True, course__is_active=True).select_related("role", "course"))
    if not rules:
        return []
    # A queryset stays a subquery, so the daily sweep over everyone never builds a huge IN list.
    people_qs = User.objects.filter(
        pk__in=users.values("pk") if isinstance(users, QuerySet) else [u.pk for u in users], is_active=True
    )
    people = list(people_qs.prefetch_related("groups"))
    existing: dict[tuple[int, int], list[TrainingRecord]] = defaultdict(list)
    for record in TrainingRecord.objects.filter(user__in=people_qs.values("pk")).only(
        "id", "user_id", "course_id", "completed_on", "expires_on"
    ):
        existing[(record.user_id, record.course_id)].append(record)
    created = []
    for person in people:
        for rule in rules:
            key = (person.pk, rule.course_id)
            if not rule.matches(person, today=today) or not _user_needs_course(existing[key], today):
                continue
            try:
                with transaction.atomic():
                    record = TrainingRecord.objects.create(
                        user=person,
                        course=rule.course,
                        rule=rule,
                        assigned_on=today,
                        due_on=_due_date(rule=rule, user=person, records=existing[key], today=today),
                        source=TrainingRecord.Source.RULE,
                    )
            except IntegrityError:
                # The daily sweep and a role change assigned the same course at the same moment.
                continue
            existing[key].append(record)
            created.append(record)
    return created


@transaction.atomic
def training_assign(*, user: User, course: Course, due_on: datetime.date, actor: User) -> TrainingRecord:
    """Assign a course to one person by hand (HR)."""
    if not user.is_active:
        raise ValidationError({"user": "This person has left; courses cannot be assigned."})
    if TrainingRecord.objects.filter(user=user, course=course, completed_on__isnull=True).exists():
        raise ValidationError({"course": "This person already has this course assigned and not completed."})
    record = TrainingRecord.objects.create(
        user=user, course=course, due_on=due_on, assigned_on=timezone.localdate(), source=TrainingRecord.Source.MANUAL
    )
    notification_send(
        recipients=[user],
        subject=f"Training assigned: {course.title}",
        template="training/email/assigned.txt",
        context={"record": record},
        url=record.get_absolute_url(),
    )
    return record


@transaction.atomic
def training_record_reschedule(
    *, record: TrainingRecord, actor: User, due_on: datetime.date, reason: str
) -> TrainingRecord:
    """HR move the due date of an open assignment (e.g. long-term sickness), saying why."""
    from compliance import rules as compliance_rules

    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    record = TrainingRecord.objects.select_for_update().select_related("course", "user").get(pk=record.pk)
    if record.completed_on is not None:
        raise ValidationError("This course is already complete.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the due date changes."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The new due date cannot be in the past."})
    previous = record.due_on
    record.due_on = due_on
    record.save(update_fields=["due_on", "updated_at"])
    notification_send(
        recipients=[record.user],
        subject=f"New due date for {record.course.title}: {due_on:%d %B %Y}",
        template="training/email/rescheduled.txt",
        context={"record": record, "previous": previous, "reason": reason.strip()},
        url=record.get_absolute_url(),
    )
    return record


# --- Completion ---------------------------------------------------------------


def _complete(record: TrainingRecord, *, completed_on, score, evidence, source) -> TrainingRecord:
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The completion date cannot be in the future."})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": "The score is a percentage between 0 and 100."})
    record.completed_on = completed_on
    record.expires_on = record.course.expiry_for(completed_on)
    record.score = score
    record.source = source
    if evidence:
        record.evidence = evidence
    record.save()
    return record


@transaction.atomic
def training_record_mark_complete(
    *,
    record: TrainingRecord,
    actor: User,
    completed_on: datetime.date,
    score: int | None = None,
    evidence=None,
    source: str = TrainingRecord.Source.MANUAL,
) -> TrainingRecord:
    """HR mark a person's assigned course complete (never their own: that goes through their manager)."""
    from compliance import rules as compliance_rules

    record = TrainingRecord.objects.select_for_update().select_related("course").get(pk=record.pk)
    # HR record others' completions; their own go through their manager like everyone's.
    if not compliance_rules.can_manage_training.test(actor) or record.user_id == actor.pk:
        raise PermissionDenied
    if record.completed_on is not None:
        raise ValidationError("This course is already recorded as completed.")
    return _complete(record, completed_on=completed_on, score=score, evidence=evidence, source=source)


def training_completion_from_import(
    *, user: User, course: Course, completed_on: datetime.date, score: int | None, source: str
) -> TrainingRecord:
    """One completion from the LMS file, closing the person's open assignment if there is one.

    No actor: the import that calls it checked who uploaded and confirmed the file.
    """
    record = TrainingRecord.objects.filter(user=user, course=course, completed_on__isnull=True).first()
    if record is None:
        existing = TrainingRecord.objects.filter(user=user, course=course, completed_on=completed_on).first()
        if existing is not None:
            # The same completion imported twice changes nothing.
            return existing
        record = TrainingRecord(user=user, course=course, assigned_on=completed_on, due_on=completed_on)
    return _complete(record, completed_on=completed_on, score=score, evidence=None, source=source)


@transaction.atomic
def training_record_declare(
    *, record: TrainingRecord, actor: User, completed_on: datetime.date, evidence=None
) -> TrainingRecord:
    """A person declares they completed their course; it counts once their manager confirms."""
    record = TrainingRecord.objects.select_for_update().select_related("course", "user").get(pk=record.pk)
    if record.user_id != actor.pk:
        raise PermissionDenied
    if record.completed_on is not None:
        raise ValidationError("This course is already complete.")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The completion date cannot be in the future."})
    record.declared_on = completed_on
    record.source = TrainingRecord.Source.SELF_DECLARED
    if evidence:
        record.evidence = evidence
    record.save()
    confirmers = [record.user.line_manager] if record.user.line_manager_id else list(User.objects.in_role(roles.HR))
    notification_send(
        recipients=confirmers,
        subject=f"Please confirm {record.user}'s training: {record.course.title}",
        template="training/email/declared.txt",
        context={"record": record},
        url=record.get_absolute_url(),
    )
    return record


@transaction.atomic
def training_record_confirm(*, record: TrainingRecord, actor: User) -> TrainingRecord:
    """The line manager (or HR) confirms a self-declared completion."""
    from training.rules import can_confirm_record

    record = TrainingRecord.objects.select_for_update().select_related("course", "user").get(pk=record.pk)
    if not can_confirm_record.test(actor, record):
        raise PermissionDenied
    if record.declared_on is None or record.completed_on is not None:
        raise ValidationError("There is no declaration waiting for confirmation.")
    record.confirmed_by = actor
    record.confirmed_at = timezone.now()
    _complete(
        record,
        completed_on=record.declared_on,
        score=record.score,
        evidence=None,
        source=TrainingRecord.Source.SELF_DECLARED,
    )
    notification_send(
        recipients=[record.user],
        subject=f"Training confirmed: {record.course.title}",
        template="training/email/confirmed.txt",
        context={"record": record},
        url=record.get_absolute_url(),
    )
    return record


@transaction.atomic
def training_record_declaration_reject(*, record: TrainingRecord, actor: User, reason: str) -> TrainingRecord:
    """The line manager (or HR) does not accept a self-declared completion; the course stays open."""
    from training.rules import can_confirm_record

    record = TrainingRecord.objects.select_for_update().select_related("course", "user").get(pk=record.pk)
    if not can_confirm_record.test(actor, record):
        raise PermissionDenied
    if record.declared_on is None or record.completed_on is not None:
        raise ValidationError("There is no declaration waiting for confirmation.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so that the person knows what to do next."})
    record.declared_on = None
    record.source = TrainingRecord.Source.MANUAL if record.rule_id is None else TrainingRecord.Source.RULE
    record.save()
    notification_send(
        recipients=[record.user],
        subject=f"Training not confirmed: {record.course.title}",
        template="training/email/rejected.txt",
        context={"record": record, "reason": reason.strip(), "actor": actor},
        url=record.get_absolute_url(),
    )
    return record


# --- Reminders ----------------------------------------------------------------


def training_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind people of courses due in 30 and 7 days and overdue; each reminder once per threshold."""
    today = _today(today)
    # The daily sweep also catches people whose department, type or start date changed outside an
    # import, and certificates entering the renewal window; it never duplicates an assignment.
    assignments_apply(users=User.objects.filter(is_active=True), today=today)
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    records = TrainingRecord.objects.filter(
        completed_on__isnull=True, declared_on__isnull=True, due_on__lte=horizon, user__is_active=True
    ).select_related("user", "course")
    sent = 0
    for record in records:
        days_left = (record.due_on - today).days
        threshold = next(name for name, limit in REMINDER_THRESHOLDS if days_left <= limit)
        if threshold == "overdue":
            subject = f"Overdue training: {record.course.title} was due on {record.due_on:%d %B %Y}"
        else:
            subject = f"Training due in {days_left} day{'s' if days_left != 1 else ''}: {record.course.title}"
        sent += len(
            notification_send(
                recipients=[record.user],
                subject=subject,
                template="training/email/reminder.txt",
                context={"record": record, "days_left": days_left, "overdue": threshold == "overdue"},
                url=record.get_absolute_url(),
                # The due date is in the key: a new due date earns fresh reminders.
                dedupe_key=f"training-reminder:{record.pk}:{record.due_on:%Y%m%d}:{threshold}",
            )
        )
    return sent


def training_manager_digest_send(*, today: datetime.date | None = None) -> int:
    """Send each line manager one weekly list of their team's overdue training."""
    today = _today(today)
    overdue = (
        TrainingRecord.objects.filter(
            completed_on__isnull=True,
            due_on__lt=today,
            user__is_active=True,
            user__line_manager__isnull=False,
            user__line_manager__is_active=True,
        )
        .select_related("user__line_manager", "course")
        .order_by("user__full_name", "due_on")
    )
    by_manager: dict[int, list[TrainingRecord]] = defaultdict(list)
    managers: dict[int, User] = {}
    for record in overdue:
        manager = record.user.line_manager
        managers[manager.pk] = manager
        by_manager[manager.pk].append(record)
    year, week, _ = today.isocalendar()
    sent = 0
    for manager_id, items in by_manager.items():
        sent += len(
            notification_send(
                recipients=[managers[manager_id]],
                subject=f"Your team's overdue training: {len(items)} item{'s' if len(items) != 1 else ''}",
                template="training/email/digest.txt",
                context={"items": items, "today": today},
                url=reverse("training:team"),
                dedupe_key=f"training-digest:{year}-W{week:02d}",
            )
        )
    return sent


# --- Recruitment checks ---------------------------------------------------------


@transaction.atomic
def recruitment_check_save(*, check: RecruitmentCheck, actor: User) -> RecruitmentCheck:
    """Create or update a worker's recruitment checks (HR and the Compliance admin only)."""
    from compliance import rules as compliance_rules

    if not compliance_rules.can_manage_training.test(actor):
        raise PermissionDenied
    if not check.agency_used:
        check.agency = None
        check.agency_name = ""
    check.updated_by = actor
    check.full_clean()
    check.save()
    agency = check.agency
    if agency is not None and getattr(agency, "is_prohibited_agency", False):
        # Policy 4.3 prohibits agencies that charge workers fees or keep their identity documents:
        # a worker supplied by one may be at risk, so the Modern Slavery Lead hears of it.
        notification_send(
            recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD),
            subject=f"A worker was supplied by a prohibited agency: {agency}",
            template="training/email/prohibited_agency.txt",
            context={"check": check, "agency": agency},
            url=reverse("suppliers:detail", args=[agency.pk]),
            dedupe_key=f"prohibited-agency:{check.pk}:{agency.pk}",
        )
    return check


def right_to_work_reminders_send(*, today: datetime.date | None = None) -> int:
    """Warn HR 60 and 30 days before a time-limited right to work lapses, and when it has."""
    today = _today(today)
    horizon = today + datetime.timedelta(days=RIGHT_TO_WORK_THRESHOLDS[-1][1])
    checks = RecruitmentCheck.objects.filter(
        right_to_work_expires_on__isnull=False, right_to_work_expires_on__lte=horizon, worker__is_active=True
    ).select_related("worker")
    hr_people = list(User.objects.in_role(roles.HR)) or list(User.objects.in_role(roles.COMPLIANCE_ADMIN))
    sent = 0
    for check in checks:
        days_left = (check.right_to_work_expires_on - today).days
        threshold = next(name for name, limit in RIGHT_TO_WORK_THRESHOLDS if days_left <= limit)
        if threshold == "lapsed":
            subject = f"Right to work has lapsed: {check.worker}"
        else:
            subject = f"Right to work ends in {days_left} days: {check.worker}"
        sent += len(
            notification_send(
                recipients=hr_people,
                subject=subject,
                template="training/email/right_to_work.txt",
                context={"check": check, "days_left": days_left},
                url=reverse("training:recruitment_edit", args=[check.worker_id]),
                # The expiry date is in the key: a renewed permission gets fresh reminders.
                dedupe_key=f"right-to-work:{check.pk}:{check.right_to_work_expires_on:%Y%m%d}:{threshold}",
            )
        )
    return sent
