"""Supplier register and due diligence records.

Policy 4.2/4.3/6 and the NHS statement (8.3, 8.8, 9.2) ask procurement to
score suppliers for modern slavery risk, keep enhanced checks for high risk,
ban recruitment agencies that charge workers fees or hold their documents,
audit, and follow findings through to remediation or termination.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from compliance import rules as role_rules
from compliance.dates import end_of_day, start_of_day
from suppliers.models.audit import CorrectiveAction
from suppliers.models.procurement import ContractType, ExclusionGround, LsasLevel, Ppn009Outcome, RegistryStatus
from suppliers.models.querysets import Action, OwnedByPersonQuerySet, RegisterQuerySet


class RiskBand(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# The register details a person keeps for a supplier: the form, the API, the import and the export
# all start from these (workflow fields, such as status, risk and the agency answers, are set by services).
SUPPLIER_DETAIL_FIELDS = (
    "name",
    "registration_number",
    "category",
    "countries",
    "annual_spend",
    "contract_owner",
    "contract_start",
    "contract_end",
    "uses_agency_labour",
    "subcontracts",
    "migrant_workforce",
    "on_site_at_our_premises",
    "is_recruitment_agency",
)
SUPPLIER_CONTACT_FIELDS = ("contact_name", "contact_email")
# Public procurement details, kept on their own page (suppliers:procurement) and in the API and export.
PROCUREMENT_FIELDS = (
    "contract_type",
    "framework_name",
    "framework_reference",
    "lsas_level",
    "lsas_certificate_expiry",
    "statement_url",
    "statement_required",
    "registry_status",
    "registry_checked_on",
    "ppn009_high_risk",
    "ppn009_outcome",
    "ppn009_assessed_on",
    "ppn009_assessor",
    "ppn009_notes",
    "exclusion_ground",
    "exclusion_noted_on",
    "exclusion_notes",
)
REGISTER_FIELDS = (*SUPPLIER_DETAIL_FIELDS, *SUPPLIER_CONTACT_FIELDS)


class SupplierQuerySet(RegisterQuerySet):
    def agencies(self):
        """Recruitment or staffing agencies: ticked as one, or supplying agency staff (Supplier.agency_applies)."""
        return self.filter(models.Q(is_recruitment_agency=True) | models.Q(category=Supplier.Category.AGENCY_STAFFING))

    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        # HR reads the agencies (suppliers.rules.can_view_supplier says the same per row).
        if action == Action.VIEW and not role_rules.can_view_suppliers.test(user) and role_rules.is_hr.test(user):
            return self.agencies()
        return super().restrict(user, action)

    def on_register(self, as_of: datetime.date):
        """Suppliers on the register at the end of `as_of`: added by then, not prospective, not terminated by then."""
        end = end_of_day(as_of)
        return (
            self.filter(created_at__lt=end).exclude(status=self.model.Status.PROSPECTIVE).exclude(terminated_at__lt=end)
        )

    def terminated_between(self, start: datetime.date, end: datetime.date):
        return self.filter(terminated_at__gte=start_of_day(start), terminated_at__lt=end_of_day(end))

    def suspended_between(self, start: datetime.date, end: datetime.date):
        return self.filter(suspended_at__gte=start_of_day(start), suspended_at__lt=end_of_day(end))


# A positive agency check clears the activation gate for a year; the daily schedule asks for the
# re-check before then (suppliers.services.register.agency_checks_run).
AGENCY_CHECK_VALID_DAYS = 365


class AgencyFees(models.TextChoices):
    NONE_CHARGED = "none_charged", "No fees charged to workers (checked)"
    CHARGED = "charged", "Charges workers fees"


class AgencyIdDocuments(models.TextChoices):
    NOT_RETAINED = "not_retained", "Identity documents not retained (checked)"
    RETAINED = "retained", "Retains workers' identity documents"


class Supplier(models.Model):
    """An organisation that supplies goods, services or labour."""

    class Category(models.TextChoices):
        CLEANING = "cleaning", "Cleaning"
        CATERING = "catering", "Catering"
        LAUNDRY = "laundry", "Laundry"
        CONSTRUCTION = "construction", "Construction and maintenance"
        AGENCY_STAFFING = "agency_staffing", "Agency staffing"
        MEDICAL_PPE = "medical_ppe", "Medical consumables and PPE"
        TEXTILES = "textiles", "Textiles and uniforms"
        IT_HARDWARE = "it_hardware", "IT hardware"
        PROFESSIONAL = "professional", "Professional services"
        COMMISSIONED_CARE = "commissioned_care", "Commissioned care provider"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", "Prospective"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=255)
    registration_number = models.CharField(
        "Companies House or charity number", max_length=20, blank=True, db_index=True
    )
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    countries = CountryField(multiple=True, blank=True, help_text="Countries of operation")
    annual_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    contract_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_suppliers"
    )
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    uses_agency_labour = models.BooleanField(default=False)
    subcontracts = models.BooleanField(default=False)
    migrant_workforce = models.BooleanField(default=False)
    on_site_at_our_premises = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROSPECTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who answers questionnaires for the supplier (no account).
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)

    # Latest risk assessment, kept on the row so the register can filter and sort by it.
    risk_score = models.PositiveIntegerField(null=True, blank=True)
    risk_band = models.CharField(max_length=10, choices=RiskBand.choices, blank=True, db_index=True)
    risk_assessed_at = models.DateTimeField(null=True, blank=True)
    # Indexed by supplier_by_review_due (next_review_due, id), which serves filters and the order alike.
    next_review_due = models.DateField(null=True, blank=True)

    # Recruitment agencies (policy 4.3). Each check is recorded positively, with its date and who made it,
    # so "checked: none charged" is told apart from "never checked" (blank). Either adverse outcome
    # makes the agency prohibited; a check older than AGENCY_CHECK_VALID_DAYS no longer clears the gate.
    is_recruitment_agency = models.BooleanField(
        "Recruitment or staffing agency", default=False, help_text="Supplies workers to us or to our suppliers."
    )
    agency_fees_outcome = models.CharField(
        "Worker recruitment fees", max_length=20, choices=AgencyFees.choices, blank=True
    )
    agency_fees_checked_on = models.DateField("Fees checked on", null=True, blank=True)
    agency_fees_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_fees_evidence = models.TextField("Evidence on fees", blank=True)
    agency_ids_outcome = models.CharField(
        "Workers' identity documents", max_length=20, choices=AgencyIdDocuments.choices, blank=True
    )
    agency_ids_checked_on = models.DateField("Identity documents checked on", null=True, blank=True)
    agency_ids_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_ids_evidence = models.TextField("Evidence on identity documents", blank=True)
    # Gangmasters and Labour Abuse Authority licensing covers labour supplied to agriculture, horticulture,
    # shellfish gathering and the associated processing and packaging of food and drink (Gangmasters
    # (Licensing) Act 2004; https://www.gla.gov.uk/i-am-a/i-supply-workers/do-i-need-a-glaa-licence/ ,
    # GLAA "Guidance on who needs a licence"). Care and cleaning staffing is outside it, so the licence
    # is asked only when procurement says the agency supplies those sectors.
    agency_glaa_sectors = models.BooleanField(
        "Supplies workers to agriculture, horticulture, shellfish gathering or food processing and packaging",
        default=False,
        help_text="Work that needs a GLAA licence.",
    )
    agency_licence_number = models.CharField("GLAA licence number", max_length=30, blank=True)
    agency_licence_checked_on = models.DateField("GLAA licence checked on", null=True, blank=True)

    # Public procurement (suppliers/models/procurement.py says where each list comes from).
    contract_type = models.CharField(max_length=30, choices=ContractType.choices, blank=True)
    framework_name = models.CharField(max_length=200, blank=True)
    framework_reference = models.CharField(max_length=100, blank=True)
    lsas_level = models.CharField(
        "LSAS level", max_length=1, choices=LsasLevel.choices, blank=True, help_text="NHS Supply Chain suppliers."
    )
    lsas_certificate_expiry = models.DateField("LSAS certificate expiry", null=True, blank=True)
    statement_url = models.URLField("Modern slavery statement URL", max_length=500, blank=True)
    statement_required = models.BooleanField(
        "Required to publish a statement",
        null=True,
        blank=True,
        help_text="Modern Slavery Act 2015 s.54: total turnover of £36 million or more.",
    )
    registry_status = models.CharField("Statement registry", max_length=20, choices=RegistryStatus.choices, blank=True)
    registry_checked_on = models.DateField("Registry checked on", null=True, blank=True)
    ppn009_high_risk = models.BooleanField(
        "High-risk category (PPN 009)", null=True, blank=True, help_text="Per the PPN 009 risk assessment."
    )
    ppn009_outcome = models.CharField("PPN 009 outcome", max_length=20, choices=Ppn009Outcome.choices, blank=True)
    ppn009_assessed_on = models.DateField("PPN 009 assessed on", null=True, blank=True)
    ppn009_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PPN 009 assessor",
    )
    ppn009_notes = models.TextField("PPN 009 notes", blank=True)
    exclusion_ground = models.CharField(max_length=20, choices=ExclusionGround.choices, blank=True)
    exclusion_noted_on = models.DateField("Exclusion ground noted on", null=True, blank=True)
    exclusion_notes = models.TextField(blank=True)

    # The escalation chain ends here: a recommendation waiting for a decision.
    termination_recommended_at = models.DateTimeField(null=True, blank=True)
    termination_recommendation = models.TextField(blank=True)
    # Set only by the decision service (supplier_decision_record), so KPIs read a typed
    # date instead of parsing event messages; the import may not change status.
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    terminated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # One per register sort (suppliers.filters.SUPPLIER_ORDERS, each with the pk as tie-break):
        # PostgreSQL then reads a page in order and stops at the LIMIT, so the per-row counts
        # (correlated subqueries in selectors.supplier_list) run for that page only.
        indexes = [
            models.Index(fields=["name", "id"], name="supplier_by_name"),
            models.Index(fields=["-risk_score", "id"], name="supplier_by_risk"),
            models.Index(fields=["-annual_spend", "id"], name="supplier_by_spend"),
            models.Index(fields=["next_review_due", "id"], name="supplier_by_review_due"),
            # The agencies list (SupplierQuerySet.agencies, by name): its 900-odd of 10,000 suppliers
            # in order, for its count and its pages' keys, instead of a scan and sort of the table.
            # The literal is Category.AGENCY_STAFFING (the class body cannot name it here).
            models.Index(
                fields=["name", "id"],
                name="supplier_agency_by_name",
                condition=models.Q(is_recruitment_agency=True) | models.Q(category="agency_staffing"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:detail", args=[self.pk])

    @property
    def agency_charges_worker_fees(self) -> bool:
        return self.agency_fees_outcome == AgencyFees.CHARGED

    @property
    def agency_retains_id_documents(self) -> bool:
        return self.agency_ids_outcome == AgencyIdDocuments.RETAINED

    @property
    def is_prohibited_agency(self) -> bool:
        return self.is_recruitment_agency and (self.agency_charges_worker_fees or self.agency_retains_id_documents)

    def clean(self):
        super().clean()
        today = timezone.localdate()
        errors = {}
        if self.lsas_certificate_expiry and not self.lsas_level:
            errors["lsas_level"] = "Give the LSAS level the certificate is for."
        if self.registry_status and not self.registry_checked_on:
            errors["registry_checked_on"] = "Give the date the registry was checked."
        if self.registry_checked_on and self.registry_checked_on > today:
            errors["registry_checked_on"] = "The check date cannot be in the future."
        if self.registry_status == RegistryStatus.NOT_REQUIRED and self.statement_required:
            errors["registry_status"] = "A supplier required to publish cannot be 'not required'."
        if self.ppn009_outcome or self.ppn009_high_risk is not None:
            if not self.ppn009_assessed_on:
                errors["ppn009_assessed_on"] = "Give the date of the PPN 009 assessment."
            if not self.ppn009_assessor_id:
                errors["ppn009_assessor"] = "Say who made the PPN 009 assessment."
        if self.ppn009_assessed_on and self.ppn009_assessed_on > today:
            errors["ppn009_assessed_on"] = "The assessment date cannot be in the future."
        if self.exclusion_ground and not self.exclusion_noted_on:
            errors["exclusion_noted_on"] = "Give the date the exclusion ground was noted."
        if self.exclusion_noted_on and self.exclusion_noted_on > today:
            errors["exclusion_noted_on"] = "The date cannot be in the future."
        if errors:
            raise ValidationError(errors)

    @property
    def is_nhs_contract(self) -> bool:
        return self.contract_type in (
            ContractType.NHS_STANDARD,
            ContractType.NHS_TC_GOODS,
            ContractType.NHS_TC_SERVICES,
        )

    @property
    def agency_applies(self) -> bool:
        return self.is_recruitment_agency or self.category == self.Category.AGENCY_STAFFING

    def agency_check_gaps(self, as_of: datetime.date | None = None) -> list[str]:
        """What an agency still needs before it may be active on `as_of` (empty when its checks are current).

        One rule for "current agency checks": the activation gate, the import, the daily
        re-check schedule and the agency list all read this (or AgencyQuerySet methods that match it).
        """
        if not self.agency_applies:
            return []
        as_of = as_of or timezone.localdate()
        oldest = as_of - datetime.timedelta(days=AGENCY_CHECK_VALID_DAYS)
        gaps = []
        for outcome, clear, checked_on, what in (
            (self.agency_fees_outcome, AgencyFees.NONE_CHARGED, self.agency_fees_checked_on, "worker fees"),
            (self.agency_ids_outcome, AgencyIdDocuments.NOT_RETAINED, self.agency_ids_checked_on, "identity documents"),
        ):
            if outcome == clear and checked_on is not None and checked_on >= oldest:
                continue
            if outcome and outcome != clear:
                continue  # an adverse outcome is a prohibition, reported on its own
            if outcome == clear and checked_on is not None:
                gaps.append(f"the {what} check is more than 12 months old (checked {checked_on:%d %b %Y})")
            else:
                gaps.append(f"no {what} check recorded")
        if self.agency_glaa_sectors:
            if not self.agency_licence_number or self.agency_licence_checked_on is None:
                gaps.append("no GLAA licence recorded")
            elif self.agency_licence_checked_on < oldest:
                gaps.append(
                    f"the GLAA licence check is more than 12 months old ({self.agency_licence_checked_on:%d %b %Y})"
                )
        return gaps

    @property
    def agency_check_summary(self) -> str:
        """One line for the agency list: prohibited, current until when, or what is missing."""
        if self.is_prohibited_agency:
            adverse = [
                label
                for flag, label in (
                    (self.agency_charges_worker_fees, "charges workers fees"),
                    (self.agency_retains_id_documents, "retains identity documents"),
                )
                if flag
            ]
            return "Prohibited: " + " and ".join(adverse)
        gaps = self.agency_check_gaps()
        if gaps:
            return "Not cleared: " + "; ".join(gaps)
        return f"Checked: no fees, no documents retained; re-check due {self.agency_checks_due_on:%d %b %Y}"

    @property
    def agency_checks_due_on(self) -> datetime.date | None:
        """When the earliest of the recorded positive checks stops clearing the gate."""
        dates = [d for d in (self.agency_fees_checked_on, self.agency_ids_checked_on) if d is not None]
        if self.agency_glaa_sectors and self.agency_licence_checked_on is not None:
            dates.append(self.agency_licence_checked_on)
        if not dates:
            return None
        return min(dates) + datetime.timedelta(days=AGENCY_CHECK_VALID_DAYS)


class SupplierEvent(models.Model):
    """One line of a supplier's history: who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", "Added to the register"
        UPDATED = "updated", "Details changed"
        IMPORT = "import", "Imported"
        RISK = "risk", "Risk score"
        STATUS = "status", "Status"
        ENHANCED_CHECKS = "enhanced_checks", "Enhanced due diligence"
        AGENCY = "agency", "Agency checks"
        DECISION = "decision", "Decision"
        CONDUCT = "conduct", "Code of conduct"
        REVIEW = "review", "Annual review"
        QUESTIONNAIRE = "questionnaire", "Questionnaire"
        AUDIT = "audit", "Audit"
        FINDING = "finding", "Finding"
        SAFEGUARDING = "safeguarding", "Safeguarding case"
        CORRECTIVE_ACTION = "corrective_action", "Corrective action"
        ESCALATION = "escalation", "Escalation"
        TERMINATION_RECOMMENDED = "termination_recommended", "Termination recommended"
        PORTAL = "portal", "Supplier portal"
        CERTIFICATE = "certificate", "Certificate or evidence"
        PROCUREMENT = "procurement", "Public procurement"
        SUB_SUPPLIERS = "sub_suppliers", "Supply chain tiers"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.TextField()

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.supplier}: {self.message[:60]}"


class RiskWeight(models.Model):
    """Points for one scoring factor, or a band threshold; edited by procurement.

    Defaults are seeded by a data migration from suppliers/risk_defaults.py,
    which says where each number comes from.
    """

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=200)
    # Points for a factor; for a threshold, the number it is compared with.
    value = models.IntegerField()
    help_text = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.label}: {self.value}"


class CountryRisk(models.Model):
    """Modern slavery prevalence band and points for a country of operation."""

    class Band(models.TextChoices):
        LOW = "low", "Low prevalence"
        MEDIUM = "medium", "Medium prevalence"
        HIGH = "high", "High prevalence"
        VERY_HIGH = "very_high", "Very high prevalence"

    country = CountryField(unique=True)
    band = models.CharField(max_length=10, choices=Band.choices)
    points = models.PositiveIntegerField()
    source = models.CharField(max_length=300, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "country risks"

    def __str__(self):
        return f"{self.country.name}: {self.get_band_display()}"


class CategoryRisk(models.Model):
    """Inherent modern slavery risk points for a category of supply."""

    category = models.CharField(max_length=30, choices=Supplier.Category.choices, unique=True)
    points = models.PositiveIntegerField()
    rationale = models.CharField(max_length=300, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "category risks"

    def __str__(self):
        return f"{self.get_category_display()}: {self.points}"


class RiskAssessment(models.Model):
    """A scored, explained snapshot of a supplier's risk."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveIntegerField()
    band = models.CharField(max_length=10, choices=RiskBand.choices)
    # [{"key": ..., "label": ..., "detail": ..., "points": n}] summing to score.
    factors = models.JSONField(default=list)
    reason = models.CharField(max_length=200, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-pk"]

    def __str__(self):
        return f"{self.supplier}: {self.score} ({self.band})"


class EnhancedDueDiligence(models.Model):
    """Enhanced checks for a high-risk supplier; without them it cannot become active."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="enhanced_checks")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    ownership_verified = models.BooleanField("Ownership and beneficial owners verified", default=False)
    supply_chain_mapped = models.BooleanField("Sub-contractors and labour providers mapped", default=False)
    worker_interviews = models.BooleanField("Workers interviewed without management present", default=False)
    site_visit = models.BooleanField("Site visited or on-site audit done", default=False)
    wage_records_checked = models.BooleanField("Wage and hours records sampled", default=False)
    summary = models.TextField("Summary and conclusion")

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"Enhanced checks for {self.supplier} on {self.recorded_at:%d %b %Y}"


class SupplierDocumentQuerySet(RegisterQuerySet):
    """Evidence files: the register's readers open any; a corrective action's owner opens the file they attached."""

    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        outside_register = not role_rules.can_view_suppliers.test(user)
        if action == Action.VIEW and outside_register and user is not None and user.is_authenticated:
            attached = CorrectiveAction.objects.filter(owner=user, evidence_document__isnull=False)
            return self.filter(pk__in=attached.values("evidence_document_id"))
        return super().restrict(user, action)


class SupplierDocument(models.Model):
    """Evidence uploaded for a supplier; served only through a permission-checked view."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="suppliers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = SupplierDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class ReviewTaskQuerySet(OwnedByPersonQuerySet):
    person_field = "assigned_to"
    person_action = Action.COMPLETE

    def open(self):
        return self.filter(status=ReviewTask.Status.OPEN)


class ReviewTask(models.Model):
    """A to-do for a contract owner: review this supplier's risk (annual review)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="review_tasks")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supplier_review_tasks"
    )
    reason = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)

    objects = ReviewTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.reason} ({self.supplier})"
