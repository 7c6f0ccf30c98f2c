"""Core records: people, organisation profile, access log and notifications."""

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.utils import timezone

from compliance import roles
from compliance import rules as compliance_rules
from compliance.querysets import RestrictedQuerySet, RoleRestrictedQuerySet


class OrganisationProfileQuerySet(RoleRestrictedQuerySet):
    """The organisation, its departments, sites and legal entities: read on every page, changed by the admin."""

    ACTIONS = {"view": compliance_rules.is_signed_in, "change": compliance_rules.can_manage_organisation}


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)

    objects = OrganisationProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Site(models.Model):
    """A place where the organisation works: a care home, an office, a clinic."""

    name = models.CharField(max_length=160, unique=True)
    address = models.TextField(blank=True)

    objects = OrganisationProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class _EqualsAny(models.Func):
    """`column = ANY(array)`, as a condition (a lookup would wrap ANY in brackets, which PostgreSQL refuses)."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


class PersonPick(models.TextChoices):
    """Form fields that choose a person; each is offered by the API's people search under its page's rule."""

    CONTRACT_OWNER = "contract_owner", "Contract owner of a supplier"
    AUDITOR = "auditor", "Auditor of a supplier audit"
    ACTION_OWNER = "action_owner", "Owner of a corrective action"
    LINE_MANAGER = "line_manager", "Line manager of a person"
    CASE_ASSIGNEE = "case_assignee", "Case worker a case is assigned to"
    RISK_OWNER = "risk_owner", "Owner of a risk or an action plan item"
    TRAINEE = "trainee", "Person a course is assigned to"
    DATA_SUBJECT = "data_subject", "Person a subject access export is about"


# Who may pick a person for each field: the rule of the page that has the field (a search
# answered under a looser rule would list the staff to someone the page refuses).
PERSON_PICK_RULES = {
    PersonPick.CONTRACT_OWNER: compliance_rules.can_manage_suppliers,  # supplier add/edit
    PersonPick.AUDITOR: compliance_rules.can_manage_suppliers,  # plan or edit an audit
    PersonPick.ACTION_OWNER: compliance_rules.can_manage_suppliers,  # open a corrective action
    PersonPick.LINE_MANAGER: compliance_rules.can_manage_organisation,  # people admin
    PersonPick.CASE_ASSIGNEE: compliance_rules.is_modern_slavery_lead,  # triage and reassess
    PersonPick.RISK_OWNER: compliance_rules.is_modern_slavery_lead,  # risk register, action plan
    PersonPick.TRAINEE: compliance_rules.can_manage_training,  # assign a course
    PersonPick.DATA_SUBJECT: compliance_rules.is_modern_slavery_lead,  # subject access export
}


class UserQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """view/change: the people register, the Compliance admin's (rules.can_manage_organisation).

        oversee_training: everyone for HR and the admin, direct reports for a line manager
        (rules.can_oversee_training_of).

        pick_<field> (PersonPick): the people that field offers, for whoever may use its page.
        """
        if action.startswith("pick_"):
            pick = action.removeprefix("pick_")
            rule = PERSON_PICK_RULES.get(pick)
            return self.pickable(pick) if rule is not None and rule.test(user) else self.none()
        if action in ("view", "change"):
            return self.all() if compliance_rules.can_manage_organisation.test(user) else self.none()
        if action == "oversee_training":
            if compliance_rules.can_manage_training.test(user):
                return self.all()
            return self.filter(line_manager=user) if compliance_rules.is_line_manager.test(user) else self.none()
        return self.none()

    def pickable(self, pick: str):
        """The people a form field offers (its page checks who may use it): active, by name.

        Case assignees are the Lead and the Safeguarding team; a subject access export may be about
        anyone with an account, leavers included (they may ask after they leave); every other field
        offers anyone active.
        """
        if pick == PersonPick.CASE_ASSIGNEE:
            people = self.in_small_roles(roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM)
        elif pick == PersonPick.DATA_SUBJECT:
            people = self.all()
        else:
            people = self.filter(is_active=True)
        return people.order_by("full_name", "email", "pk")

    def with_roles(self):
        return self.prefetch_related("groups")

    def in_role(self, *role_names):
        """Active people holding any of these roles, each once."""
        qs = self.filter(groups__name__in=role_names, is_active=True)
        return qs.distinct() if len(role_names) > 1 else qs

    def in_small_roles(self, *role_names):
        """in_role() for roles a handful of people hold: their ids first, then those people by key.

        Joined to the role table, PostgreSQL expects each role to be held by the average number of
        people (a thousand, the Staff role's 10,000 spread over nine roles) and reads every person
        to find the 30 case workers: 2.5 ms on each case list and case page. As `id = ANY(ARRAY(...))`
        it reads the role's few holders, then those rows by primary key (0.2 ms), each once.
        """
        if connections[self.db].vendor != "postgresql":  # the SQLite quick start: no arrays, and no 10,000 people
            return self.in_role(*role_names)
        holders = User.groups.through.objects.filter(group__name__in=role_names).values("user_id")
        return self.filter(_EqualsAny(models.F("pk"), ArraySubquery(holders)), is_active=True)

    def employed_on(self, day):
        """People on the books on `day`: started by then (or no start date recorded) and not yet left.

        A leaver counts until their leaving date; someone deactivated without one is not counted.
        """
        started = models.Q(start_date__isnull=True) | models.Q(start_date__lte=day)
        not_left = models.Q(left_on__gt=day) | models.Q(left_on__isnull=True, is_active=True)
        return self.filter(started & not_left)

    def staff_on(self, day):
        """Staff on `day`: employed then and holding the Staff role (a Board member without it is not staff)."""
        return self.employed_on(day).filter(groups__name=roles.STAFF)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who works for or with the organisation and signs in by email."""

    class EmploymentType(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        TEMPORARY = "temporary", "Temporary"
        AGENCY = "agency", "Agency worker"
        VOLUNTEER = "volunteer", "Volunteer"
        CONTRACTOR = "contractor", "Contractor"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices, default=EmploymentType.PERMANENT)
    start_date = models.DateField(null=True, blank=True)
    # Leavers are deactivated, never deleted: their records stay as evidence.
    is_active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)
    is_staff = models.BooleanField("can use the Django admin", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        indexes = [
            # People lists (team training, recruitment checks, policy acknowledgements) show 50 of
            # 10,000 people by name: read in this order from the index, not a sort of everyone.
            models.Index(fields=["full_name", "email", "id"], name="user_by_name"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of this user's roles, read once per request.

        Uses the prefetched groups when a list prefetched them, so role checks
        never cost a query per row.
        """
        if not self.pk:
            return frozenset()
        return frozenset(g.name for g in self.groups.all())

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))

    @property
    def is_privileged(self) -> bool:
        return bool(self.role_names & roles.PRIVILEGED_ROLES)


class Organisation(models.Model):
    """The organisation's profile; there is one row, edited by the Compliance admin."""

    class Sector(models.TextChoices):
        SOCIAL_CARE = "social_care", "Adult social care"
        HEALTH_NHS = "nhs", "NHS / public health"
        CHARITY = "charity", "Charity"
        PRIVATE = "private", "Private company"
        PUBLIC = "public", "Other public body"

    class TurnoverBand(models.TextChoices):
        # The GOV.UK modern slavery statement registry's bands.
        UNDER_36M = "under_36m", "Under £36 million"
        FROM_36M_TO_60M = "36m_60m", "£36 million to £60 million"
        FROM_60M_TO_100M = "60m_100m", "£60 million to £100 million"
        FROM_100M_TO_500M = "100m_500m", "£100 million to £500 million"
        OVER_500M = "over_500m", "Over £500 million"

    legal_name = models.CharField(max_length=255)
    trading_name = models.CharField(max_length=255, blank=True)
    company_number = models.CharField("company number", max_length=20, blank=True)
    charity_number = models.CharField("charity number", max_length=20, blank=True)
    ods_code = models.CharField("ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code")
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.SOCIAL_CARE)
    address = models.TextField(blank=True)
    financial_year_end_day = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    financial_year_end_month = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    turnover_band = models.CharField(max_length=20, choices=TurnoverBand.choices, blank=True)
    website = models.URLField(blank=True)
    # s.54(6) Modern Slavery Act 2015: a body corporate's statement is approved by its board of
    # directors (or equivalent management body) and signed by a director (or equivalent); an
    # LLP's by its members and a designated member. Public bodies name their own equivalents.
    approving_body = models.CharField(
        "body that approves the statement",
        max_length=100,
        default="Board of directors",
        help_text="e.g. Board of directors; Governing Body or Trust Board for public bodies; members of an LLP",
    )
    signatory_label = models.CharField(
        "who signs the statement",
        max_length=60,
        choices=[
            ("Director", "Director"),
            ("Chief Executive / Accountable Officer", "Chief Executive / Accountable Officer"),
            ("Designated member", "Designated member"),
        ],
        default="Director",
    )
    helpline_number = models.CharField(
        "Modern Slavery Helpline number", max_length=30, default=settings.MODERN_SLAVERY_HELPLINE
    )
    # Reporter care. Good practice in whistleblowing schemes is to acknowledge a report within
    # seven days and give feedback within three months: Directive (EU) 2019/1937 art. 9(1)(b) and
    # (f) (https://eur-lex.europa.eu/eli/dir/2019/1937/oj), ISO 37002:2021 (whistleblowing
    # management systems) and the National Guardian's Office "Freedom to Speak Up" guidance for
    # the NHS follow the same pattern. UK law sets no deadline, so these are defaults to change.
    acknowledge_within_days = models.PositiveSmallIntegerField(
        "acknowledge a report within (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="The reporter is told this date; the handler is reminded before it passes.",
    )
    feedback_within_months = models.PositiveSmallIntegerField(
        "tell the reporter what was done within (months)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Counted from the day the report arrived.",
    )
    # Public Interest Disclosure Act 1998 (Part IVA, ss.43A-43L, of the Employment Rights Act
    # 1996): a worker who reports wrongdoing in the public interest is protected from detriment
    # (s.47B) and dismissal (s.103A). The report pages say so and link the organisation's policy.
    whistleblowing_policy_url = models.URLField(
        "whistleblowing (speaking up) policy", blank=True, help_text="Linked from every report page."
    )
    speak_up_guardian = models.CharField(
        "Freedom to Speak Up guardian",
        max_length=200,
        blank=True,
        help_text="Name and how to reach them, e.g. 'Sam Patel, 0113 496 0000' (NHS bodies; leave empty if none).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationProfileQuerySet.as_manager()

    def __str__(self):
        return self.legal_name

    def clean(self):
        import calendar

        # 29 February is not a year end that exists every year.
        last_day = calendar.monthrange(2023, self.financial_year_end_month or 1)[1]
        if self.financial_year_end_day and self.financial_year_end_day > last_day:
            raise ValidationError({"financial_year_end_day": f"That month has only {last_day} days in a common year."})
        if not (self.company_number or self.charity_number or self.ods_code):
            raise ValidationError("Give at least one of the company number, charity number or ODS code.")

    def financial_year_end(self, year: int):
        import datetime

        return datetime.date(year, self.financial_year_end_month, self.financial_year_end_day)


class LegalEntity(models.Model):
    """An entity covered by a group statement (a subsidiary, a trust, a company)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="legal_entities")
    name = models.CharField(max_length=255)
    company_number = models.CharField(max_length=20, blank=True)

    objects = OrganisationProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "legal entities"

    def __str__(self):
        return self.name


class AccessLogQuerySet(RoleRestrictedQuerySet):
    ACTIONS = {"view": compliance_rules.can_view_access_log}


class AccessLog(models.Model):
    """Who read, downloaded or exported a sensitive record, and when.

    Changes are in django-auditlog; this is for reads, which it does not see.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=255)
    detail = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # Ties the entry to the web server's and the app's log lines for the same request.
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # The log's page order (newest first, key last): a deep page's keys are read from it alone.
            models.Index(fields=["-at", "-id"], name="accesslog_newest_first"),
            # Filtered by action (two rows in three are views): the page's COUNT and its keys in
            # order come from this index alone, instead of a scan of the whole table.
            models.Index(fields=["action", "-at", "-id"], name="accesslog_action_newest_first"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.object_repr} at {self.at:%Y-%m-%d %H:%M}"


class NotificationQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """view/change (mark read): a person's own notifications only (rules.is_notification_recipient)."""
        if action not in ("view", "change") or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """Something a person was told, in the app (bell) and by email."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Scheduled tasks pass a key so a rerun never tells the same person twice.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None


class OutboxMessageQuerySet(RoleRestrictedQuerySet):
    # Failed emails and their re-send button: the Compliance admin's.
    ACTIONS = {"view": compliance_rules.can_manage_organisation, "change": compliance_rules.can_manage_organisation}

    def due(self, now=None):
        """Pending messages whose next attempt time has come (never queued, lost, or waiting to retry)."""
        return self.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now or timezone.now())


class OutboxMessage(models.Model):
    """One email to one address, written in the same transaction as the change that causes it.

    The row, not the broker, is the source of truth: a sweeper sends whatever is
    due, so a broker or SMTP outage delays a message but never loses it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Account (sign-in, password, email address)"
        NOTIFICATION = "notification", "Notification"
        QUESTIONNAIRE = "questionnaire", "Supplier questionnaire"
        CODE_OF_CONDUCT = "code of conduct", "Supplier code of conduct"

    kind = models.CharField(
        max_length=40, blank=True, choices=Kind.choices, help_text="What the message is about, e.g. notification."
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Retries stop (status failed) after this moment; a re-send starts a new window.
    give_up_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.subject} to {self.to} ({self.get_status_display().lower()})"


# Policy models stay in this app because their migrations are here; every read and write of
# them (selectors, services, views, rules) lives in the training app.
from compliance.export_job_models import ExportJob  # noqa: E402,F401
from compliance.import_mapping_models import ImportMapping  # noqa: E402,F401
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion  # noqa: E402,F401
from compliance.wording_models import JourneyWording  # noqa: E402,F401
