"""Courses, assignment rules, training records, recruitment checks and imports."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from compliance import rules as compliance_rules
from compliance.leases import ImportJob, ImportStatus
from compliance.models import Department, User
from compliance.policy_models import add_months
from compliance.querysets import RestrictedQuerySet, RoleRestrictedQuerySet
from training import rules as training_rules

# Reminders and renewals look this far ahead.
DUE_SOON_DAYS = 30


class CourseQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """HR and the Compliance admin see and change every course; everyone else sees the active ones."""
        if compliance_rules.can_manage_training.test(user) and action in ("view", "change"):
            return self.all()
        if action == "view" and compliance_rules.is_signed_in.test(user):
            return self.filter(is_active=True)
        return self.none()


class Course(models.Model):
    """A course staff must take: induction, annual refresher or specialised training."""

    class Kind(models.TextChoices):
        INDUCTION = "induction", "Induction"
        REFRESHER = "refresher", "Annual refresher"
        SPECIALISED = "specialised", "Specialised"
        OTHER = "other", "Other"

    class Provider(models.TextChoices):
        INTERNAL = "internal", "Internal (face to face)"
        ELEARNING = "elearning", "E-learning"
        EXTERNAL = "external", "External provider"

    code = models.SlugField(max_length=50, unique=True, help_text="Short code used in CSV imports, e.g. MS-INDUCTION.")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.INTERNAL)
    description = models.TextField(blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long a completion stays valid. Leave empty if it never expires."
    )
    link = models.URLField(blank=True, help_text="E-learning or booking link.")
    material = models.TextField(blank=True, help_text="Course material or where to find it.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:course_edit", args=[self.pk])

    def expiry_for(self, completed_on: datetime.date | None) -> datetime.date | None:
        if completed_on is None or not self.validity_months:
            return None
        return add_months(completed_on, self.validity_months)


class AssignmentRuleQuerySet(RoleRestrictedQuerySet):
    ACTIONS = {"view": compliance_rules.can_manage_training, "change": compliance_rules.can_manage_training}


class AssignmentRule(models.Model):
    """Who must take a course. Empty criteria match everyone; filled ones must all match."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="rules")
    role = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    employment_type = models.CharField(max_length=20, choices=User.EmploymentType.choices, blank=True)
    new_starter_within_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Only people who started within this many days; the course is due this many days after their start.",
    )
    due_within_days = models.PositiveSmallIntegerField(default=30, help_text="Days allowed from assignment.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentRuleQuerySet.as_manager()

    class Meta:
        ordering = ["course__title", "pk"]

    def __str__(self):
        return f"{self.course}: {self.describe()}"

    def get_absolute_url(self):
        return reverse("training:rule_edit", args=[self.pk])

    def describe(self) -> str:
        parts = []
        if self.role_id:
            parts.append(f"role {self.role.name}")
        if self.department_id:
            parts.append(f"department {self.department.name}")
        if self.employment_type:
            parts.append(self.get_employment_type_display().lower())
        if self.new_starter_within_days is not None:
            parts.append(f"started within {self.new_starter_within_days} days")
        return ", ".join(parts) if parts else "everyone"

    def matches(self, user: User, *, today: datetime.date) -> bool:
        """Whether this rule applies to the user (uses prefetched groups)."""
        if not user.is_active or not self.is_active:
            return False
        if self.role_id and self.role.name not in user.role_names:
            return False
        if self.department_id and user.department_id != self.department_id:
            return False
        if self.employment_type and user.employment_type != self.employment_type:
            return False
        if self.new_starter_within_days is not None:
            if user.start_date is None or (today - user.start_date).days > self.new_starter_within_days:
                return False
        return True


def _evidence_upload_to(instance, filename):
    # A generated name: nothing the person typed reaches the file system or the download name.
    from compliance.uploads import generated_upload_name

    return f"training/evidence/{instance.user_id}/{generated_upload_name(filename)}"


class TrainingRecordQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """view: own records, direct reports' for a line manager, all for HR and the admin (rules.can_view_record).

        confirm: a direct report's or, for HR and the admin, anyone's, never one's own (rules.can_confirm_record).
        """
        if not getattr(user, "is_authenticated", False) or action not in ("view", "confirm"):
            return self.none()
        manages_all = compliance_rules.can_manage_training.test(user)
        manages_reports = compliance_rules.is_line_manager.test(user)
        if action == "confirm":
            others = self.exclude(user=user)
            if manages_all:
                return others
            return others.filter(user__line_manager=user) if manages_reports else self.none()
        if manages_all:
            return self.all()
        if manages_reports:
            return self.filter(models.Q(user=user) | models.Q(user__line_manager=user))
        return self.filter(user=user)


class TrainingRecord(models.Model):
    """One person's assignment to a course and its completion."""

    class Source(models.TextChoices):
        RULE = "rule", "Assigned by rule"
        MANUAL = "manual", "Recorded by HR"
        CSV_IMPORT = "csv_import", "CSV import from the LMS"
        SELF_DECLARED = "self_declared", "Self-declared, confirmed by manager"

    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete"
        EXPIRED = "expired", "Expired"
        OVERDUE = "overdue", "Overdue"
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting manager confirmation"
        DUE_SOON = "due_soon", "Due soon"
        NOT_YET_DUE = "not_yet_due", "Not yet due"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    rule = models.ForeignKey(AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_on = models.DateField(default=datetime.date.today)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Percentage, if the course is scored.")
    evidence = models.FileField(upload_to=_evidence_upload_to, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    # A self-declaration counts only once the line manager (or HR) confirms it.
    declared_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        # No default ordering: 200,000 records sorted on every read that does not need an order
        # (assignment runs, imports, prefetches) only cost. Lists order explicitly by
        # ("due_on", "pk"), which training_record_by_due matches.
        constraints = [
            # One open assignment per person and course; history is kept as completed rows.
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(completed_on__isnull=True),
                name="training_one_open_record_per_course",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="training_score_percentage"
            ),
        ]
        indexes = [
            # The person is in it too, so a deep page of active people's records is read from the index alone.
            models.Index(fields=["due_on", "id"], include=["user"], name="training_record_by_due"),
            models.Index(fields=["expires_on"]),
        ]

    def __str__(self):
        return f"{self.course} for {self.user}"

    def get_absolute_url(self):
        return reverse("training:record_detail", args=[self.pk])

    def clean(self):
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})

    def status_on(self, day: datetime.date) -> str:
        if self.completed_on is not None and self.completed_on <= day:
            if self.expires_on is not None and self.expires_on <= day:
                return self.Status.EXPIRED
            return self.Status.COMPLETE
        if self.declared_on is not None:
            return self.Status.AWAITING_CONFIRMATION
        if self.due_on < day:
            return self.Status.OVERDUE
        if (self.due_on - day).days <= DUE_SOON_DAYS:
            return self.Status.DUE_SOON
        return self.Status.NOT_YET_DUE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label


class RecruitmentCheckQuerySet(RoleRestrictedQuerySet):
    # DBS and right-to-work facts: HR and the Compliance admin only.
    ACTIONS = {
        "view": training_rules.can_manage_recruitment_checks,
        "change": training_rules.can_manage_recruitment_checks,
    }

    def complete_on(self, day: datetime.date):
        """Checks all done by `day`: DBS clear, right to work verified and in date, accessible contract given."""
        return self.filter(
            dbs_outcome=RecruitmentCheck.DbsOutcome.CLEAR,
            dbs_checked_on__lte=day,
            right_to_work_verified_on__lte=day,
            contract_accessible_given_on__lte=day,
        ).filter(models.Q(right_to_work_expires_on__isnull=True) | models.Q(right_to_work_expires_on__gt=day))


class RecruitmentCheck(models.Model):
    """Ethical recruitment checks for one worker (policy 4.3); minimal personal data, HR only."""

    class DbsOutcome(models.TextChoices):
        CLEAR = "clear", "Clear"
        NOT_CLEAR = "not_clear", "Not clear"

    class RightToWorkDocument(models.TextChoices):
        UK_IRISH_PASSPORT = "uk_irish_passport", "UK or Irish passport"
        SHARE_CODE = "share_code", "Home Office online check (share code / eVisa)"
        BIRTH_CERTIFICATE_NI = "birth_certificate_ni", "UK birth certificate with National Insurance number"
        OTHER = "other", "Other document (List A/B)"

    worker = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recruitment_check")
    # The certificate's content is never recorded: only when and whether it was clear.
    dbs_checked_on = models.DateField("enhanced DBS checked on", null=True, blank=True)
    dbs_outcome = models.CharField("DBS outcome", max_length=10, choices=DbsOutcome.choices, blank=True)
    right_to_work_verified_on = models.DateField(null=True, blank=True)
    right_to_work_document = models.CharField(max_length=30, choices=RightToWorkDocument.choices, blank=True)
    right_to_work_expires_on = models.DateField(
        null=True, blank=True, help_text="Only for time-limited permission to work."
    )
    contract_accessible_given_on = models.DateField("contract given in an accessible format on", null=True, blank=True)
    contract_format = models.CharField(
        max_length=200, blank=True, help_text="E.g. plain English, translated into Polish, large print, read aloud."
    )
    agency_used = models.BooleanField(default=False)
    agency = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="recruitment_checks"
    )
    agency_name = models.CharField(max_length=200, blank=True, help_text="If the agency is not in the register.")
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RecruitmentCheckQuerySet.as_manager()

    class Meta:
        ordering = ["worker__full_name"]

    def __str__(self):
        return f"Recruitment checks for {self.worker}"

    def clean(self):
        errors = {}
        if self.dbs_checked_on and not self.dbs_outcome:
            errors["dbs_outcome"] = "Record whether the DBS check was clear."
        if self.dbs_outcome and not self.dbs_checked_on:
            errors["dbs_checked_on"] = "Give the date of the DBS check."
        if self.right_to_work_verified_on and not self.right_to_work_document:
            errors["right_to_work_document"] = "Say which document was checked."
        if self.right_to_work_expires_on and not self.right_to_work_verified_on:
            errors["right_to_work_verified_on"] = "Give the date the right to work was verified."
        if self.agency_used and not (self.agency_id or self.agency_name.strip()):
            errors["agency"] = "Choose the agency or type its name."
        if errors:
            raise ValidationError(errors)

    def right_to_work_valid_on(self, day: datetime.date) -> bool:
        if not self.right_to_work_verified_on or self.right_to_work_verified_on > day:
            return False
        return self.right_to_work_expires_on is None or self.right_to_work_expires_on > day

    def is_complete_on(self, day: datetime.date) -> bool:
        """The row-level twin of RecruitmentCheckQuerySet.complete_on (the list page marks each row with it)."""
        return (
            self.dbs_outcome == self.DbsOutcome.CLEAR
            and self.dbs_checked_on is not None
            and self.dbs_checked_on <= day
            and self.right_to_work_valid_on(day)
            and self.contract_accessible_given_on is not None
            and self.contract_accessible_given_on <= day
        )

    @property
    def is_complete(self) -> bool:
        return self.is_complete_on(timezone.localdate())


class ImportBatchQuerySet(RoleRestrictedQuerySet):
    ACTIONS = {"view": compliance_rules.can_manage_training, "change": compliance_rules.can_manage_training}


class ImportBatch(ImportJob):
    """An uploaded CSV, checked and applied by Celery tasks under a lease; nothing changes until HR confirms it."""

    class Kind(models.TextChoices):
        ROSTER = "roster", "Staff roster"
        COMPLETIONS = "completions", "Training completions"

    Status = ImportStatus

    kind = models.CharField(max_length=20, choices=Kind.choices)
    content = models.TextField(help_text="The uploaded file, kept until it is applied or abandoned.")

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.get_kind_display()} import {self.filename} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("training:import_detail", args=[self.pk])
