"""Governance and reporting records: risk register, meetings, action plan, s.54 statements, KPI snapshots, Board reports."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from compliance import rules as compliance_rules
from compliance.leases import LeasedJob
from compliance.querysets import RestrictedQuerySet
from reporting import rules as reporting_rules


class ReportingQuerySet(RestrictedQuerySet):
    """Reporting's records are aggregate or governance material, so who may see them is a matter of role.

    Inside reporting (can_view_reporting) a person sees every row; anyone else sees
    none. `ACTIONS` maps each action to the role predicate that allows it; an
    action a model does not list answers `none()`. Models whose rows differ by
    state (a statement's status, a report's file) narrow further in `restrict`.
    """

    ACTIONS = {"view": compliance_rules.can_view_reporting}

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        predicate = self.ACTIONS.get(action)
        if predicate is None or not predicate.test(user):
            return self.none()
        return self.all()


class GovernanceQuerySet(ReportingQuerySet):
    """Risk register, meetings and the action plan: read by everyone in reporting, changed by the Lead."""

    ACTIONS = {
        "view": compliance_rules.can_view_reporting,
        "change": reporting_rules.can_manage_governance,
    }


class RiskRegisterEntryQuerySet(GovernanceQuerySet):
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

    def get_absolute_url(self) -> str:
        return reverse("reporting:risk_detail", args=[self.pk])

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

    objects = GovernanceQuerySet.as_manager()

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

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"Risk register review {self.reviewed_on}"


class GovernanceMeeting(models.Model):
    """A Board or committee meeting with its modern slavery standing agenda item."""

    class Body(models.TextChoices):
        # The organisation's approving body (Organisation.approving_body): only its meetings approve a statement.
        BOARD = "board", "Board (the approving body)"
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

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d %B %Y})"

    def get_absolute_url(self) -> str:
        # Meetings have no page of their own: the record opens in its form.
        return reverse("reporting:meeting_edit", args=[self.pk])


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

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:action_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Not finished and not cancelled: can still fall overdue."""
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)


class ActionProgressNote(models.Model):
    item = models.ForeignKey(ActionPlanItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]


def _choices(*pairs):
    return list(pairs)


# The GOV.UK modern slavery statement registry's answer lists, so the registry
# submission is a copy of what the statement builder holds, not new work. Labels
# are the registry's own, in its order, from the registry service's source code
# (StatementSummary V1 enums, mccabesp/ModernSlavery-Beta:
# ModernSlavery.Core.Entities/StatementSummary/V1/StatementSummary.cs), which
# its CSV download writes out as each answer's description. "other" and "none"
# are answers in their own right: "none" is exported in the No... column, never
# as a list item, and cannot be ticked with anything else.
OTHER, NONE = "other", "none"
POLICY_AREAS = _choices(
    ("freedom_to_terminate", "Freedom of workers to terminate employment"),
    ("freedom_of_movement", "Freedom of movement"),
    ("freedom_of_association", "Freedom of association"),
    ("violence_harassment", "Prohibits any threat of violence, harassment and intimidation"),
    ("recruitment_fees", "Prohibits the use of worker-paid recruitment fees"),
    ("compulsory_overtime", "Prohibits compulsory overtime"),
    ("child_labour", "Prohibits child labour"),
    ("discrimination", "Prohibits discrimination"),
    ("id_documents", "Prohibits confiscation of workers original identification documents"),
    ("remedy", "Provides access to remedy, compensation and justice for victims of modern slavery"),
    (OTHER, "Other"),
    (NONE, "Your organisation's policies do not include any of these provisions in relation to modern slavery"),
)
TRAINING_AUDIENCES = _choices(
    ("whole_organisation", "Your whole organisation"),
    ("front_line", "Your front line staff"),
    ("hr", "Human resources"),
    ("executives", "Executive-level staff"),
    ("procurement", "Procurement staff"),
    ("suppliers", "Your suppliers"),
    ("community", "The wider community"),
    (OTHER, "Other"),
    (NONE, "Your organisation did not provide training on modern slavery during the period of the statement"),
)
MONITORING_PARTNERS = _choices(
    ("suppliers", "Your suppliers"),
    ("unions", "Trade unions or worker representative groups"),
    ("civil_society", "Civil society organisations"),
    ("auditors", "Professional auditors"),
    ("workers", "Workers within your organisation"),
    ("supply_chain_workers", "Workers within your supply chain"),
    ("government", "Central or local government"),
    ("law_enforcement", "Law enforcement, such as police, GLAA and other local labour market inspectorates"),
    ("businesses", "Businesses in your industry or sector"),
    (
        NONE,
        "Your organisation did not engage with others to help monitor working conditions across your "
        "organisation and supply chain",
    ),
)
SOCIAL_AUDITS = _choices(
    ("own_staff", "Audit conducted by your staff"),
    ("third_party", "Third party audit arranged by your organisation"),
    ("supplier_staff", "Audit conducted by your supplier\u2019s staff"),
    ("supplier_third_party", "Third party audit arranged by your supplier"),
    ("announced", "Announced audits"),
    ("unannounced", "Unannounced audits"),
    (NONE, "Your organisation did not carry out any social audits during the period of the statement"),
)
GRIEVANCE_MECHANISMS = _choices(
    ("whistleblowing", "Anonymous whistleblowing services, such as a helpline or an app"),
    ("worker_voice", "Through trade unions or other worker representative groups"),
    (
        NONE,
        "Your operations and supply chain did not have grievance mechanisms in place during the period of the statement",
    ),
)
RISK_AREAS = _choices(
    ("own_operations", "Within your own operations"),
    ("supply_chains", "Within your supply chains"),
    (OTHER, "Other"),
)
SUPPLY_CHAIN_TIERS = _choices(
    ("tier1", "Tier 1 suppliers"),
    ("tier2", "Tier 2 suppliers"),
    ("tier3", "Tier 3 suppliers and below"),
    ("unknown", "Don't know"),
)
AFFECTED_GROUPS = _choices(
    ("women", "Women"),
    ("migrants", "Migrants"),
    ("refugees", "Refugees"),
    ("children", "Children"),
    (OTHER, "Other vulnerable group(s)"),
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
    (OTHER, "Other"),
    (NONE, "My statement does not refer to finding any ILO indicators of forced labour"),
)
REMEDIATION = _choices(
    ("repay_fees", "Financial remediation, including repayment of recruitment fees"),
    ("policy_change", "Change in policy"),
    ("training_change", "Change in training"),
    ("victim_support", "Referring victims to government service"),
    ("ngo_support", "Supporting victims via NGO"),
    ("criminal_justice", "Supporting investigations by relevant authorities"),
    (OTHER, "Other"),
    (NONE, "My statement does not refer to actions taken in response to finding indicators of forced labour"),
)
# The registry's sector list (MSU-StatementSectorTypes.csv in the same source,
# ModernSlavery.Infrastructure.Database/App_Data). The live registry's data page
# (modern-slavery-statement-registry.service.gov.uk/data-about-modern-slavery-statement-registry)
# now shows differently worded sectors (e.g. "Charitable / not-for-profit activities",
# "Cleaning and security services"); its full current list was not found in any
# stored source, so this is the last complete list published with the registry's code.
REGISTRY_SECTORS = _choices(
    ("public_sector", "Public sector"),
    ("accommodation_food", "Accommodation and food service activities"),
    ("extraterritorial", "Activities of extraterritorial organisations and bodies"),
    ("households", "Activities of households as employers"),
    ("administrative", "Administrative and support service activities"),
    ("agriculture", "Agriculture, Forestry and Fishing"),
    ("arts", "Arts, entertainment and recreation"),
    ("construction", "Construction"),
    ("education", "Education"),
    ("energy", "Electricity, gas, steam and air conditioning supply"),
    ("financial", "Financial and insurance activities"),
    ("health_social_work", "Human health and social work activities"),
    ("information", "Information and communication"),
    ("manufacturing", "Manufacturing"),
    ("mining", "Mining and Quarrying"),
    ("other_services", "Other service activities"),
    ("professional", "Professional scientific and technical activities"),
    ("public_administration", "Public administration and defence"),
    ("real_estate", "Real estate activities"),
    ("transport", "Transportation and storage"),
    ("water", "Water supply, sewerage, waste management and remediation activities"),
    ("wholesale_retail", "Wholesale and retail trade"),
    (OTHER, "Other"),
)
# "How many years has your organisation been producing modern slavery statements?"
# (StatementYearRanges in the registry's Statement entity).
YEARS_PRODUCING_BANDS = ("This is the first time", "1 to 5 years", "More than 5 years")
MAX_REGISTRY_RISKS = 3


class StatementQuerySet(ReportingQuerySet):
    ACTIONS = {
        "view": compliance_rules.can_view_reporting,
        # The GOV.UK registry CSV: approved versions still current, for the roles that submit it.
        "export_registry": reporting_rules.can_export_registry,
    }

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        allowed = super().restrict(user, action)
        if action == "export_registry":
            return allowed.filter(status__in=Statement.APPROVED_STATUSES)
        return allowed

    def published(self) -> models.QuerySet:
        """What the public sees, signed in or not: published versions only."""
        return self.filter(status=Statement.Status.PUBLISHED)


def years_producing_band(years: int) -> str:
    """The registry's band for the number of years (this one included) the organisation has made statements."""
    if years <= 1:
        return YEARS_PRODUCING_BANDS[0]
    return YEARS_PRODUCING_BANDS[1] if years <= 5 else YEARS_PRODUCING_BANDS[2]


class Statement(models.Model):
    """One version of the slavery and human trafficking statement for a financial year (s.54)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved by the Board"
        SIGNED = "signed", "Signed by a Director"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded by a later version"

    # The six areas of s.54(5), in the Act's order: (field, heading, registry column).
    # The registry's area flag is StatementIncludes<X> and its reason column No<X>Reason
    # (see reporting/registry.py for the source).
    SECTIONS = (
        ("structure", "Organisation structure, business and supply chains", "OrgStructure"),
        ("policies", "Policies in relation to slavery and human trafficking", "Policies"),
        ("due_diligence", "Due diligence processes", "DueDiligence"),
        ("risk_assessment", "Risk assessment and management", "RisksAssessment"),
        ("effectiveness", "Effectiveness and key performance indicators", "Goals"),
        ("training", "Training about slavery and human trafficking", "Training"),
    )
    # Sections whose pre-filled text quotes the year's figures: carried forward, they are
    # marked until refreshed from the new year's records.
    FIGURE_SECTIONS = ("policies", "due_diligence", "risk_assessment", "effectiveness", "training")
    FROZEN_STATUSES = (Status.APPROVED, Status.SIGNED, Status.PUBLISHED, Status.SUPERSEDED)
    # Approved by the Board and not replaced by a later version: what the registry and a new year build on.
    APPROVED_STATUSES = (Status.APPROVED, Status.SIGNED, Status.PUBLISHED)

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

    # Registry submission answers (answer lists above; reporting/registry.py exports them).
    area_reasons = models.JSONField(
        "reasons for areas not covered", default=dict, blank=True, help_text="Section key to reason"
    )
    registry_sectors = models.JSONField("sectors (registry list)", default=list, blank=True)
    other_sector = models.CharField("other sector", max_length=200, blank=True)
    policy_areas = models.JSONField(default=list, blank=True)
    other_policies = models.CharField("other policy provisions", max_length=500, blank=True)
    training_audiences = models.JSONField(default=list, blank=True)
    other_training = models.CharField("other training audiences", max_length=500, blank=True)
    monitoring_partners = models.JSONField(default=list, blank=True)
    social_audits = models.JSONField(default=list, blank=True)
    grievance_mechanisms = models.JSONField(default=list, blank=True)
    other_monitoring = models.TextField("other ways of monitoring working conditions", blank=True)
    # Up to three risks, each {description, area, other_area, tiers, groups, other_groups, countries, mitigation}.
    risks = models.JSONField(default=list, blank=True)
    no_risks = models.BooleanField("the statement identifies no risks", default=False)
    ilo_indicators = models.JSONField(default=list, blank=True)
    other_indicators = models.CharField("other indicators", max_length=500, blank=True)
    remediation = models.JSONField(default=list, blank=True)
    other_remediation = models.CharField("other remediation", max_length=500, blank=True)
    progress_measurement = models.TextField("how progress is measured", blank=True)
    key_achievements = models.TextField(blank=True)
    years_producing = models.PositiveSmallIntegerField("years producing statements", default=1)
    statement_email = models.EmailField(
        "statement email", blank=True, help_text="For an organisation without a website: where to ask for a copy."
    )
    late_submission_reason = models.TextField("reason for a late registry submission", blank=True)

    carried_forward = models.BooleanField(default=False)
    # Sections still quoting last year's figures after a carry-forward, until refreshed.
    carried_figures = models.JSONField(default=list, blank=True)
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
    # s.54(7): the statement on the organisation's own website, with a prominent homepage link.
    published_url = models.URLField("address on our website", max_length=500, blank=True)
    homepage_link_checked_on = models.DateField("homepage link checked on", null=True, blank=True)
    registry_submitted_on = models.DateField("submitted to the GOV.UK registry on", null=True, blank=True)
    registry_summary_url = models.URLField("registry summary page", max_length=500, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementQuerySet.as_manager()

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

    def get_absolute_url(self) -> str:
        return reverse("reporting:statement_detail", args=[self.pk])

    def get_public_url(self) -> str:
        """Where the public reads the year's published statement (the same address for every version)."""
        return reverse("reporting:public_statement", args=[self.financial_year])

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def is_approved(self) -> bool:
        """Approved and still current (approved, signed or published)."""
        return self.status in self.APPROVED_STATUSES

    @property
    def year_label(self) -> str:
        return f"{self.period_start:%Y}/{self.period_end:%y}" if self.period_start else str(self.financial_year)

    def sections(self) -> list[dict]:
        return [
            {
                "key": key,
                "heading": heading,
                "registry": f"StatementIncludes{registry}",
                "text": getattr(self, key),
                "evidence": [line.strip() for line in getattr(self, f"{key}_evidence").splitlines() if line.strip()],
            }
            for key, heading, registry in self.SECTIONS
        ]

    def ends_after(self, day) -> bool:
        """Whether the statement's period is still running on `day` (approving or publishing then earns a warning)."""
        return day < self.period_end

    def next_step_lines(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.next_steps.splitlines() if line.strip(" -*\t")]


# The registry answers a Lead edits before export.
REGISTRY_ANSWER_FIELDS = [
    "area_reasons",
    "registry_sectors",
    "other_sector",
    "policy_areas",
    "other_policies",
    "training_audiences",
    "other_training",
    "monitoring_partners",
    "social_audits",
    "grievance_mechanisms",
    "other_monitoring",
    "risks",
    "no_risks",
    "ilo_indicators",
    "other_indicators",
    "remediation",
    "other_remediation",
    "progress_measurement",
    "key_achievements",
    "statement_email",
]
# The statement's own words and answers, in the order the edit form shows them:
# what a new version copies, what the next year carries forward, what approval freezes.
STATEMENT_TEXT_FIELDS = [
    "title",
    "introduction",
    *[name for key, _, _ in Statement.SECTIONS for name in (key, f"{key}_evidence")],
    "progress",
    "next_steps",
    *REGISTRY_ANSWER_FIELDS,
]
# Answers the edit form asks through questions of its own (a reason per area, three risks), not as one field.
STATEMENT_STRUCTURED_ANSWERS = ("area_reasons", "risks")


class StatementEvent(models.Model):
    """The statement's timeline: who created, edited, approved, signed, published it."""

    class Action(models.TextChoices):
        # The stored words are the timeline's own (shown as they are), so older rows need no change.
        CREATED = "created", "created"
        CARRIED_FORWARD = "carried forward", "carried forward"
        FIGURES_REFRESHED = "figures refreshed", "figures refreshed"
        EDITED = "edited", "edited"
        APPROVED = "approved", "approved"
        SIGNED = "signed", "signed"
        PUBLISHED = "published", "published"
        REGISTRY = "registry", "registry"
        NEW_VERSION = "new version", "new version"
        NEW_VERSION_STARTED = "new version started", "new version started"
        ACTIONS_CREATED = "actions created", "actions created"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ReportingQuerySet.as_manager()

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

    objects = ReportingQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="kpi_snapshot_once_per_period")
        ]

    def __str__(self):
        return f"KPIs {self.period_start} to {self.period_end}"


class KpiPeriodFigures(models.Model):
    """Every KPI of one period that has ended, as kpis.compute gives it, so a page reads one row.

    Not history (KpiSnapshot keeps figures as first taken): these are refreshed by
    reporting.kpi_figures.kpi_figures_refresh (Celery beat, hourly, and on demand), so they
    stay what a live computation gives. Stored as JSON text, not jsonb, because jsonb would
    reorder the breakdowns' keys (High, Medium, Low...).
    """

    period_start = models.DateField()
    period_end = models.DateField()
    figures_json = models.TextField()
    computed_at = models.DateTimeField(default=timezone.now)

    objects = ReportingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="kpi_period_figures_once_per_period")
        ]
        verbose_name_plural = "KPI period figures"

    def __str__(self):
        return f"KPIs {self.period_start} to {self.period_end} (computed {self.computed_at:%Y-%m-%d %H:%M})"


class BoardReportQuerySet(ReportingQuerySet):
    ACTIONS = {
        "view": compliance_rules.can_view_reporting,
        # The Compliance admin follows the list but never opens the PDF.
        "download": reporting_rules.can_download_board_report,
    }

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        allowed = super().restrict(user, action)
        if action == "download":
            return allowed.filter(status=BoardReport.Status.READY).exclude(file="")
        return allowed


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

    IN_PROGRESS_STATUSES = (Status.QUEUED, Status.RENDERING, Status.RETRYING)

    financial_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=board_report_path, blank=True, max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)

    objects = BoardReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Board report {self.financial_year - 1}/{self.financial_year % 100:02d}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:board_report_detail", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        """Still to be produced (queued, rendering, or queued again after a failed attempt): its page keeps polling."""
        return self.status in self.IN_PROGRESS_STATUSES

    @property
    def is_ready(self) -> bool:
        """Rendered and its file stored: the only state in which the PDF can be downloaded."""
        return self.status == self.Status.READY and bool(self.file)
