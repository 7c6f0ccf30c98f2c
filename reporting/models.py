"""Governance and reporting records: risk register, meetings, action plan, s.54 statements, KPI snapshots, Board reports."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from compliance.leases import LeasedJob


class RiskRegisterEntryQuerySet(models.QuerySet):
    def open_on(self, as_of: datetime.date | None = None):
        """Risks on the register at the end of `as_of`: added by then and not closed by then."""
        from compliance.dates import end_of_day

        end = end_of_day(as_of or timezone.localdate())
        return self.filter(created_at__lt=end).filter(models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=end))


class RiskRegisterEntry(models.Model):
    """A modern slavery risk the organisation has identified (policy 4.1/4.2)."""

    class Area(models.TextChoices):
        RECRUITMENT = "recruitment", "Recruitment"
        SUPPLIERS = "suppliers", "Suppliers"
        CONTRACTORS = "contractors", "Contractors"
        SERVICE_USERS = "service_users", "Service users"
        AGENCY_STAFF = "agency_staff", "Agency staff"
        OWN_OPERATIONS = "own_operations", "Own operations"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    area = models.CharField(max_length=20, choices=Area.choices)
    description = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (rare) to 5 (almost certain)"
    )
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (minor) to 5 (severe)"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mitigations = models.TextField(blank=True)
    review_due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Set by risk_entry_save when the status becomes closed, so "open on a date" has one answer.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskRegisterEntryQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-likelihood", "-impact", "title"]
        verbose_name_plural = "risk register entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="risk_closed_iff_closed_at",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._keep_closed_at_in_step()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "closed_at"}
        super().save(*args, **kwargs)

    def _keep_closed_at_in_step(self) -> None:
        # The date it left the register follows the status, whatever the path (service, admin):
        # "open risk on a date" reads it, and the database requires it.
        if self.status == self.Status.CLOSED and self.closed_at is None:
            self.closed_at = timezone.now()
        elif self.status == self.Status.OPEN:
            self.closed_at = None

    def clean(self):
        # Before full_clean checks the constraint.
        self._keep_closed_at_in_step()

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        # The usual 5x5 matrix cut-offs: 1-4 low, 5-9 medium, 10-15 high, 16-25 critical.
        score = self.score
        if score >= 16:
            return "critical"
        if score >= 10:
            return "high"
        if score >= 5:
            return "medium"
        return "low"


class RiskReview(models.Model):
    """A review of one risk: who looked at it, when, and what changed."""

    entry = models.ForeignKey(RiskRegisterEntry, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(default=datetime.date.today)
    previous_likelihood = models.PositiveSmallIntegerField()
    previous_impact = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    changes = models.TextField("what changed", blank=True)
    next_review_due = models.DateField()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"Review of {self.entry} on {self.reviewed_on}"


class RiskRegisterReview(models.Model):
    """The annual review of the whole register (policy 4.2): that it happened, by whom, and what changed."""

    reviewed_on = models.DateField(default=datetime.date.today)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField("what changed")
    meeting = models.ForeignKey(
        "GovernanceMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="register_reviews"
    )
    next_review_due = models.DateField()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"Risk register review {self.reviewed_on}"


class GovernanceMeeting(models.Model):
    """A Board or committee meeting with its modern slavery standing agenda item."""

    class Body(models.TextChoices):
        BOARD = "board", "Board"
        COMMITTEE = "committee", "Committee"
        OTHER = "other", "Other governance body"

    held_on = models.DateField()
    body = models.CharField(max_length=20, choices=Body.choices, default=Body.BOARD)
    title = models.CharField(max_length=200, help_text="e.g. Quality and Safeguarding Committee")
    minutes = models.TextField("modern slavery agenda item: minutes")
    decisions = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d %B %Y})"


class ActionPlanItem(models.Model):
    """An improvement action; feeds next year's "progress against last year's plan"."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    financial_year = models.PositiveSmallIntegerField(help_text="The financial year (ending in) the action belongs to")
    source_statement = models.ForeignKey(
        "Statement", null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "pk"]

    def __str__(self):
        return self.title


class ActionProgressNote(models.Model):
    item = models.ForeignKey(ActionPlanItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


def _choices(*pairs):
    return list(pairs)


# What the GOV.UK registry's submission form asks, so the export is a copy.
POLICY_AREAS = _choices(
    ("recruitment_fees", "Worker-paid recruitment fees"),
    ("id_documents", "Confiscation of identity documents"),
    ("freedom_of_movement", "Freedom of movement"),
    ("child_labour", "Child labour"),
    ("remedy", "Access to remedy"),
)
TRAINING_AUDIENCES = _choices(
    ("whole_organisation", "Whole organisation"),
    ("front_line", "Front-line staff"),
    ("hr", "Human resources"),
    ("executives", "Executive level"),
    ("procurement", "Procurement staff"),
    ("suppliers", "Suppliers"),
    ("community", "Wider community"),
)
MONITORING_PARTNERS = _choices(
    ("suppliers", "Suppliers"),
    ("unions", "Trade unions or worker representative groups"),
    ("civil_society", "Civil society organisations"),
    ("workers", "Workers"),
    ("government", "Central or local government"),
    ("law_enforcement", "Law enforcement, such as police, GLAA and other local labour market inspectorates"),
)
SOCIAL_AUDITS = _choices(
    ("own_staff", "Audit conducted by our staff"),
    ("third_party", "Third party audit"),
    ("announced", "Announced audit"),
    ("unannounced", "Unannounced audit"),
)
GRIEVANCE_MECHANISMS = _choices(
    ("whistleblowing", "Using anonymous whistleblowing services, such as a helpline or mobile phone app"),
    ("worker_voice", "Through trade unions or other worker representative groups"),
)
RISK_LOCATIONS = _choices(
    ("own_operations", "Own operations"),
    ("tier1", "Supply chain: tier 1 (direct suppliers)"),
    ("tier2", "Supply chain: tier 2"),
    ("tier3", "Supply chain: tier 3 and below"),
)
AFFECTED_GROUPS = _choices(
    ("women", "Women"),
    ("migrants", "Migrants"),
    ("refugees", "Refugees"),
    ("children", "Children"),
)
ILO_INDICATORS = _choices(
    ("abuse_of_vulnerability", "Abuse of vulnerability"),
    ("deception", "Deception"),
    ("restriction_of_movement", "Restriction of movement"),
    ("isolation", "Isolation"),
    ("physical_sexual_violence", "Physical and sexual violence"),
    ("intimidation", "Intimidation and threats"),
    ("retention_of_id", "Retention of identity documents"),
    ("withholding_wages", "Withholding of wages"),
    ("debt_bondage", "Debt bondage"),
    ("abusive_conditions", "Abusive working and living conditions"),
    ("excessive_overtime", "Excessive overtime"),
)
REMEDIATION = _choices(
    ("repay_fees", "Repaying recruitment fees to workers"),
    ("policy_change", "Changing policy and procedures"),
    ("training_change", "Changing training programmes"),
    ("victim_support", "Referring victims to government services"),
    ("ngo_support", "Working with NGOs to support victims"),
    ("criminal_justice", "Supporting criminal justice against perpetrator"),
)


class Statement(models.Model):
    """One version of the slavery and human trafficking statement for a financial year (s.54)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved by the Board"
        SIGNED = "signed", "Signed by a Director"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded by a later version"

    # The six areas of s.54(5), in the Act's order: (field, heading, registry column).
    SECTIONS = (
        ("structure", "Organisation structure, business and supply chains", "OrganisationStructure"),
        ("policies", "Policies in relation to slavery and human trafficking", "Policies"),
        ("due_diligence", "Due diligence processes", "DueDiligence"),
        ("risk_assessment", "Risk assessment and management", "RiskAssessment"),
        ("effectiveness", "Effectiveness and key performance indicators", "Goals"),
        ("training", "Training about slavery and human trafficking", "Training"),
    )
    FROZEN_STATUSES = (Status.APPROVED, Status.SIGNED, Status.PUBLISHED, Status.SUPERSEDED)

    financial_year = models.PositiveSmallIntegerField(help_text="Calendar year in which the financial year ends")
    version = models.PositiveSmallIntegerField(default=1)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=300)
    introduction = models.TextField(blank=True)
    structure = models.TextField(blank=True)
    structure_evidence = models.TextField(blank=True, help_text="One piece of evidence per line")
    policies = models.TextField(blank=True)
    policies_evidence = models.TextField(blank=True)
    due_diligence = models.TextField(blank=True)
    due_diligence_evidence = models.TextField(blank=True)
    risk_assessment = models.TextField(blank=True)
    risk_assessment_evidence = models.TextField(blank=True)
    effectiveness = models.TextField(blank=True)
    effectiveness_evidence = models.TextField(blank=True)
    training = models.TextField(blank=True)
    training_evidence = models.TextField(blank=True)
    progress = models.TextField("progress against last year's plan", blank=True)
    next_steps = models.TextField("next steps", blank=True, help_text="One step per line; each can become an action")

    # Registry submission answers.
    policy_areas = models.JSONField(default=list, blank=True)
    training_audiences = models.JSONField(default=list, blank=True)
    monitoring_partners = models.JSONField(default=list, blank=True)
    social_audits = models.JSONField(default=list, blank=True)
    grievance_mechanisms = models.JSONField(default=list, blank=True)
    risk_description = models.TextField(blank=True)
    risk_locations = models.JSONField(default=list, blank=True)
    affected_groups = models.JSONField(default=list, blank=True)
    risk_countries = models.CharField(max_length=500, blank=True)
    ilo_indicators = models.JSONField(default=list, blank=True)
    remediation = models.JSONField(default=list, blank=True)
    progress_measurement = models.TextField("how progress is measured", blank=True)
    key_achievements = models.TextField(blank=True)
    years_producing = models.PositiveSmallIntegerField("years producing statements", default=1)

    carried_forward = models.BooleanField(default=False)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="later_versions"
    )

    approved_on = models.DateField(null=True, blank=True)
    approved_meeting = models.ForeignKey(
        GovernanceMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_statements"
    )
    approved_minute = models.CharField(max_length=200, blank=True)
    approved_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_url = models.URLField(max_length=500, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-financial_year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "version"], name="statement_one_version_number"),
            # One organisation per installation, so "per organisation and year" is "per year".
            models.UniqueConstraint(
                fields=["financial_year"],
                condition=models.Q(status="published"),
                name="statement_one_published_per_year",
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def year_label(self) -> str:
        return f"{self.period_start:%Y}/{self.period_end:%y}" if self.period_start else str(self.financial_year)

    def sections(self) -> list[dict]:
        return [
            {
                "key": key,
                "heading": heading,
                "registry": registry,
                "text": getattr(self, key),
                "evidence": [line.strip() for line in getattr(self, f"{key}_evidence").splitlines() if line.strip()],
            }
            for key, heading, registry in self.SECTIONS
        ]

    def next_step_lines(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.next_steps.splitlines() if line.strip(" -*\t")]


# Fields copied to a new version or carried into the next year.
STATEMENT_TEXT_FIELDS = [
    "title",
    "introduction",
    *[key for key, _, _ in Statement.SECTIONS],
    *[f"{key}_evidence" for key, _, _ in Statement.SECTIONS],
    "progress",
    "next_steps",
    "policy_areas",
    "training_audiences",
    "monitoring_partners",
    "social_audits",
    "grievance_mechanisms",
    "risk_description",
    "risk_locations",
    "affected_groups",
    "risk_countries",
    "ilo_indicators",
    "remediation",
    "progress_measurement",
    "key_achievements",
]


class StatementEvent(models.Model):
    """The statement's timeline: who created, edited, approved, signed, published it."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d}"


class KpiSnapshot(models.Model):
    """The KPI figures of one month as they stood when taken, so history survives later edits."""

    period_start = models.DateField()
    period_end = models.DateField()
    figures = models.JSONField(default=dict)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="kpi_snapshot_once_per_period")
        ]

    def __str__(self):
        return f"KPIs {self.period_start} to {self.period_end}"


def board_report_path(instance, filename):
    return f"reporting/board_reports/{instance.financial_year}/{filename}"


class BoardReport(LeasedJob):
    """The annual Board report PDF (policy 8.2), rendered by a Celery task under a lease."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        # The last attempt stopped (the worker died); it is queued again.
        RETRYING = "retrying", "Retrying after a failure"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    financial_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=board_report_path, blank=True, max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Board report {self.financial_year - 1}/{self.financial_year % 100:02d}"
