"""Concerns (which are also the cases), their timeline, referrals and attachments.

A concern is reported once and then worked as a case: one row carries both,
so the reference the reporter was given is the reference the Lead works with.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import rules as role_rules
from compliance.encryption import EncryptedCharField, EncryptedTextField, decrypt_bytes
from compliance.querysets import RestrictedQuerySet


class Channel(models.TextChoices):
    STAFF_FORM = "staff_form", "Staff form"
    ANONYMOUS_FORM = "anonymous_form", "Anonymous form"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    MANAGER_ON_BEHALF = "manager_on_behalf", "Manager on behalf"
    SUPPLIER_AUDIT = "supplier_audit", "Supplier audit finding"


class SubjectType(models.TextChoices):
    SERVICE_USER = "service_user", _("A service user")
    STAFF = "staff", _("A staff member")
    AGENCY_WORKER = "agency_worker", _("An agency or contractor worker")
    SUPPLIER_WORKER = "supplier_worker", _("A supplier's worker")
    PUBLIC = "public", _("A member of the public")
    UNKNOWN = "unknown", _("Not known")


class Indicator(models.TextChoices):
    # The signs listed in the policy (section 7), in the policy's words.
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement or isolation")
    CONTROLLED = "controlled", _("Poor living conditions or being controlled by others")
    NO_ID = "no_id", _("Reluctance to speak, or no access to identity documents")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive hours for low or no pay")
    INJURIES = "injuries", _("Unexplained injuries or signs of abuse")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATING = "investigating", "Investigating"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


# What an anonymous or signed-in reporter is told, in their language: the state, not the internals.
REPORTER_STATUS = {
    Status.NEW: _("Received: waiting to be looked at"),
    Status.TRIAGED: _("Being looked at by the safeguarding team"),
    Status.INVESTIGATING: _("Being investigated"),
    Status.REFERRED: _("Referred to the agency that can help"),
    Status.CLOSED: _("Closed"),
}


class Stage(models.TextChoices):
    """The stage an SLA clock times (the keys of settings.CASE_SLA)."""

    TRIAGE = "triage", "Triage"
    INVESTIGATION = "investigation", "Investigation"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# The case list's "Highest risk first": critical, then not yet assessed (an untriaged case sits
# with the critical ones), high, medium, low.
RISK_ORDER = [RiskLevel.CRITICAL, "", RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW]


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", "Substantiated"
    NOT_SUBSTANTIATED = "not_substantiated", "Not substantiated"
    REFERRED_ON = "referred_on", "Referred on"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ReferenceCounter(models.Model):
    """The last reference number issued in a year; its row is the lock that keeps numbers unique."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


# Channels through which a person raised the concern: "concerns received" counts only these.
# A case opened automatically from a supplier audit finding is shown on its own line.
PEOPLE_CHANNELS = (
    Channel.STAFF_FORM,
    Channel.ANONYMOUS_FORM,
    Channel.MANAGER_ON_BEHALF,
    Channel.PHONE,
    Channel.IN_PERSON,
    Channel.LETTER,
)
# Concerns the Lead or the Safeguarding team write down for someone who called, came in or wrote.
INTAKE_CHANNELS = (Channel.PHONE, Channel.IN_PERSON, Channel.LETTER)
INTAKE_CHANNEL_CHOICES = [(c.value, c.label) for c in INTAKE_CHANNELS]


class CaseAction(models.TextChoices):
    """What a user may do with a case: `Concern.objects.restrict(user, action)` and the predicate
    `safeguarding.rules.CASE_RULES[action]` say the same thing, checked by the parity test."""

    VIEW = "view", "See the case"
    WORK = "work", "Work the case (notes, messages, referrals, files)"
    TRIAGE = "triage", "Triage, reassess or reopen"
    CLOSE = "close", "Close with an outcome"
    GRANT_IDENTITY = "grant_identity", "Share the reporter's identity"
    SEE_REPORTER = "see_reporter", "See who reported"
    FOLLOW_UP = "follow_up", "Follow up one's own report"


class ConcernQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = CaseAction.VIEW) -> ConcernQuerySet:
        """The cases `user` may `action`; the SQL twin of `safeguarding.rules.CASE_RULES[action]`."""
        if action == CaseAction.FOLLOW_UP:
            # A reporter's own reports, whatever role they hold; anonymous ones go by receipt code instead.
            return self.filter(reporter=user) if user.is_authenticated else self.none()
        if action not in CaseAction.values:
            return self.none()
        if role_rules.is_modern_slavery_lead.test(user):
            return self.all()
        if not role_rules.is_safeguarding_team.test(user) or action not in {
            CaseAction.VIEW,
            CaseAction.WORK,
            CaseAction.SEE_REPORTER,
        }:
            return self.none()
        # The Safeguarding team works what it is assigned and everything about service users.
        in_scope = self.filter(Q(assignee=user) | Q(subject_type=SubjectType.SERVICE_USER))
        if action == CaseAction.SEE_REPORTER:
            # The (concern, user) grant is unique, so the join adds no duplicate rows.
            return in_scope.filter(identity_grants__user=user)
        return in_scope

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def awaiting_acknowledgement(self):
        """Reports from people whose receipt has not been acknowledged to the reporter yet."""
        return self.filter(acknowledge_due_at__isnull=False, acknowledged_at__isnull=True)

    def awaiting_feedback(self):
        """Reports from people whose reporter has not yet been told what was done."""
        return self.filter(feedback_due_at__isnull=False, feedback_given_at__isnull=True)

    def from_people(self):
        """Concerns reported by a person (staff, anonymous, manager on behalf, phone)."""
        return self.filter(channel__in=PEOPLE_CHANNELS)

    def from_audits(self):
        """Cases opened automatically from a supplier audit finding."""
        return self.filter(channel=Channel.SUPPLIER_AUDIT)

    def cqc_notification_outstanding(self):
        """Cases CQC must be told about (`Concern.cqc_notification_due`) with no notification recorded yet."""
        return self.filter(
            subject_type=SubjectType.SERVICE_USER, outcome=Outcome.SUBSTANTIATED, cqc_notifications__isnull=True
        )


class Concern(models.Model):
    """A concern about possible modern slavery, and the case that works it."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.STAFF_FORM)
    # Who submitted it (a manager on behalf, a member of staff); null when anonymous.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns_reported"
    )
    on_behalf_of = EncryptedCharField(
        "reported on behalf of", max_length=200, blank=True, help_text="The person who raised it with the manager."
    )
    reporter_contact = EncryptedCharField(
        "how to contact the reporter", max_length=200, blank=True, help_text="Optional: a phone number or email."
    )
    # The language the reporter used: the Lead sees it, and messages to the reporter use it.
    language = models.CharField("reported in", max_length=10, choices=settings.LANGUAGES, blank=True)
    # Only a hash: the code itself is shown to the anonymous reporter once.
    receipt_code_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    subject_type = models.CharField("who it concerns", max_length=20, choices=SubjectType.choices)
    site = models.ForeignKey(
        "compliance.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    location_text = EncryptedCharField("where (if not one of our sites)", max_length=255, blank=True)
    indicators = models.JSONField(default=list, blank=True)
    indicators_other = EncryptedCharField("other signs", max_length=500, blank=True)
    narrative = EncryptedTextField("what happened")
    # Before the Lead first masked part of the narrative (safeguarding/services/redaction.py): shown
    # only in the Lead's unmasked view; every other page, PDF, export and API reads `narrative`.
    narrative_original = EncryptedTextField(blank=True, editable=False)
    occurred_on = models.DateField("when it happened", null=True, blank=True)
    linked_supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    # What the reporter called the supplier or agency; the Lead links the register entry.
    supplier_named = models.CharField("supplier or agency named by the reporter", max_length=200, blank=True)
    immediate_danger = models.BooleanField("someone is in immediate danger", default=False)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases_assigned"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closing_summary = EncryptedTextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)  # KPIs filter on it
    # The SLA clock for the current stage; null when no stage is running (referred, closed).
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # RISK_ORDER as a number the database keeps in step with risk_level, so the risk sort
    # reads an index (concern_by_risk) instead of sorting every case by a CASE expression.
    risk_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(risk_level=level, then=models.Value(i)) for i, level in enumerate(RISK_ORDER)),
            default=models.Value(len(RISK_ORDER)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    # Retention (safeguarding/services/retention.py): a closed case's free text, identities and files
    # are removed when its rule's period has passed, unless the Lead placed a legal hold.
    legal_hold = models.BooleanField("legal hold", default=False)
    legal_hold_reason = EncryptedCharField("reason for the legal hold", max_length=500, blank=True)
    retention_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reporter care (safeguarding.services.care): when the reporter is told we have their report and
    # when they are told what was done. Set for reports from people; null for audit-finding cases.
    acknowledge_due_at = models.DateTimeField("acknowledge receipt by", null=True, blank=True)
    acknowledged_at = models.DateTimeField("receipt acknowledged", null=True, blank=True)
    feedback_due_at = models.DateTimeField("feedback to the reporter by", null=True, blank=True)
    feedback_given_at = models.DateTimeField("feedback given", null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # One per case-list order (safeguarding.filters.CaseOrder), each ending in the pk so a
        # page boundary is stable: newest first, due soonest, highest risk first.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="concern_newest_first"),
            models.Index(fields=["due_at", "-created_at", "-id"], name="concern_by_due"),
            models.Index(fields=["risk_rank", "due_at", "-id"], name="concern_by_risk"),
            # The Safeguarding team's scope (ConcernQuerySet.restrict: assigned to them or about a
            # service user) holds both columns, so the list's count reads this small index alone
            # instead of every row of the table (66 ms down to 7 at 100,000 cases).
            models.Index(fields=["subject_type", "assignee"], name="concern_team_scope"),
        ]
        constraints = [
            # A closed case always says how it ended and when (the KPIs count on both).
            models.CheckConstraint(
                condition=~models.Q(status="closed") | (~models.Q(outcome="") & models.Q(closed_at__isnull=False)),
                name="concern_closed_has_outcome_and_closed_at",
            )
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("safeguarding:case_detail", args=[self.reference])

    @property
    def language_name(self) -> str:
        """The reporter's language in its own name ("Polski"), or "" when not recorded."""
        return dict(settings.LANGUAGES).get(self.language, "")

    @property
    def reporter_status(self) -> str:
        return REPORTER_STATUS[Status(self.status)]

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_id is None and self.channel == Channel.ANONYMOUS_FORM

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.status != Status.CLOSED and self.due_at < timezone.now())

    @property
    def acknowledge_overdue(self) -> bool:
        return bool(self.acknowledge_due_at and not self.acknowledged_at and self.acknowledge_due_at < timezone.now())

    @property
    def feedback_overdue(self) -> bool:
        return bool(self.feedback_due_at and not self.feedback_given_at and self.feedback_due_at < timezone.now())

    @property
    def indicator_labels(self) -> list[str]:
        labels = dict(Indicator.choices)
        return [labels.get(code, code) for code in self.indicators]

    @property
    def cqc_notification_due(self) -> bool:
        """A substantiated case about a service user is notified to CQC (see `CqcNotification`);
        the SQL twin is `ConcernQuerySet.cqc_notification_outstanding`."""
        return self.subject_type == SubjectType.SERVICE_USER and self.outcome == Outcome.SUBSTANTIATED

    @property
    def stage(self) -> Stage:
        """Which SLA the due date belongs to."""
        return Stage.TRIAGE if self.status == Status.NEW else Stage.INVESTIGATION


class CaseRecordQuerySet(RestrictedQuerySet):
    """Rows that belong to one case (timeline, referrals, attachments): visible with their case."""

    def restrict(self, user, action: str = CaseAction.VIEW) -> CaseRecordQuerySet:
        # An unknown action needs no guard of its own: the case's restrict() answers none() for it.
        return self.filter(concern__in=Concern.objects.restrict(user, action))


class IdentityGrantQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = CaseAction.VIEW) -> IdentityGrantQuerySet:
        """Who may know the reporter may see who else was told; only the Lead grants or revokes."""
        scope = {CaseAction.VIEW: CaseAction.SEE_REPORTER, CaseAction.GRANT_IDENTITY: CaseAction.GRANT_IDENTITY}
        if action not in scope:
            return self.none()
        return self.filter(concern__in=Concern.objects.restrict(user, scope[action]))


class TimelineEntry(models.Model):
    """A note, status change, message or event on a case, in order."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        STATUS = "status", "Status change"
        MESSAGE_TO_REPORTER = "to_reporter", "Message to the reporter"
        MESSAGE_FROM_REPORTER = "from_reporter", "Information from the reporter"
        REFERRAL = "referral", "Referral"
        ATTACHMENT = "attachment", "Attachment"
        ACCESS = "access", "Access to reporter identity"
        ESCALATION = "escalation", "Escalation"
        ACKNOWLEDGEMENT = "acknowledgement", "Receipt acknowledged"
        FEEDBACK = "feedback", "Feedback to the reporter"
        CQC = "cqc", "CQC notification"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(blank=True)
    # The text before the Lead masked part of it; only the Lead's unmasked view shows it.
    body_original = EncryptedTextField(blank=True, editable=False)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{self.concern} {self.get_kind_display()}"

    @property
    def is_to_reporter(self) -> bool:
        return self.kind in {self.Kind.MESSAGE_TO_REPORTER, self.Kind.FEEDBACK}

    @property
    def is_from_reporter(self) -> bool:
        return self.kind == self.Kind.MESSAGE_FROM_REPORTER

    @property
    def is_feedback(self) -> bool:
        return self.kind == self.Kind.FEEDBACK

    @property
    def reporter_can_see(self) -> bool:
        return self.kind in REPORTER_KINDS


# The timeline entries a reporter sees: messages both ways and the feedback on what was done.
REPORTER_KINDS = (
    TimelineEntry.Kind.MESSAGE_TO_REPORTER,
    TimelineEntry.Kind.MESSAGE_FROM_REPORTER,
    TimelineEntry.Kind.FEEDBACK,
)


class IdentityGrant(models.Model):
    """The Lead let someone else see who reported a case; recorded and revocable."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="identity_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = EncryptedCharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdentityGrantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "user"], name="identity_grant_once")]

    def __str__(self):
        return f"{self.user} may see the reporter of {self.concern}"


class AgeGroup(models.TextChoices):
    """The person's age as the referrer knows it."""

    ADULT = "adult", "Adult (18 or over, now and when exploited)"
    CHILD = "child", "Child (under 18, now or when exploited)"
    # Modern Slavery Act 2015 s.51 (https://www.legislation.gov.uk/ukpga/2015/30/section/51): where a
    # person's age is uncertain and there are reasonable grounds to believe they may be under 18, they
    # are presumed a child until their age is assessed; the NRM statutory guidance (s.49) says the same.
    UNCERTAIN = "uncertain", "Age uncertain (treated as a child)"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class ExploitationPlace(models.TextChoices):
    UK = "uk", "In the UK"
    OVERSEAS = "overseas", "Overseas"
    BOTH = "both", "Both in the UK and overseas"
    NOT_KNOWN = "not_known", "Not known"


class ReferralOutcome(models.TextChoices):
    """What the first responder or agency reported back; all but a positive reasonable grounds
    decision end the wait (a positive RG decision is followed by a conclusive grounds decision)."""

    RG_POSITIVE = "rg_positive", "Positive reasonable grounds decision"
    RG_NEGATIVE = "rg_negative", "Negative reasonable grounds decision"
    CG_POSITIVE = "cg_positive", "Positive conclusive grounds decision"
    CG_NEGATIVE = "cg_negative", "Negative conclusive grounds decision"
    ACCEPTED = "accepted", "Accepted: they opened an enquiry or investigation"
    DECLINED = "declined", "Declined"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    # Outcomes written as free text before the outcome became a choice.
    OTHER = "other", "Other (see the notes)"


# Reasonable and conclusive grounds decisions are the Single Competent Authority's, on NRM referrals only.
NRM_DECISIONS = frozenset(
    {
        ReferralOutcome.RG_POSITIVE,
        ReferralOutcome.RG_NEGATIVE,
        ReferralOutcome.CG_POSITIVE,
        ReferralOutcome.CG_NEGATIVE,
    }
)
INTERIM_OUTCOMES = frozenset({ReferralOutcome.RG_POSITIVE})


class FirstResponderQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> FirstResponderQuerySet:
        """Case workers choose from the list; the Compliance admin keeps it."""
        if action == "view" and (role_rules.can_work_cases.test(user) or role_rules.can_manage_organisation.test(user)):
            return self.all()
        if action == "change" and role_rules.can_manage_organisation.test(user):
            return self.all()
        return self.none()

    def active(self):
        return self.filter(active=True)


class FirstResponder(models.Model):
    """An organisation or agency a case is referred through: a first responder for the NRM, the
    police, the local authority, a helpline. A maintained list the Compliance admin extends."""

    class Category(models.TextChoices):
        POLICE = "police", "Police"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        GOVERNMENT = "government", "Government agency"
        CHARITY = "charity", "Charity or non-governmental organisation"
        HELPLINE = "helpline", "Helpline"

    name = models.CharField(max_length=200, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    is_nrm_first_responder = models.BooleanField(
        "designated NRM first responder", default=False, help_text="May make a National Referral Mechanism referral."
    )
    has_duty_to_notify = models.BooleanField(
        "public authority with the Duty to Notify",
        default=False,
        help_text="Modern Slavery Act 2015 s.52: may submit an anonymous Duty to Notify for an adult who declines.",
    )
    active = models.BooleanField(default=True, help_text="Inactive organisations are no longer offered.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = FirstResponderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReferralQuerySet(CaseRecordQuerySet):
    def awaiting_outcome(self, *, waiting_since_by: datetime.date | None = None):
        """Referrals still waiting for an outcome (the SQL twin of `Referral.awaiting_outcome`); with
        `waiting_since_by`, only those whose current wait (`Referral.waiting_since`) began by that day."""
        if waiting_since_by is None:
            return self.filter(Q(outcome="") | Q(outcome__in=INTERIM_OUTCOMES))
        return self.filter(
            Q(outcome="", made_on__lte=waiting_since_by)
            | Q(outcome__in=INTERIM_OUTCOMES, outcome_on__lte=waiting_since_by)
        )


class Referral(models.Model):
    """A referral made through a first responder or agency, what was asked, consent, and what they reported back."""

    class Kind(models.TextChoices):
        """What the organisation was asked to do."""

        NRM = "nrm", "National Referral Mechanism (NRM)"
        DUTY_TO_NOTIFY = "duty_to_notify", "Duty to Notify (anonymous)"
        SAFEGUARDING_ENQUIRY = "safeguarding_enquiry", "Safeguarding enquiry"
        POLICE = "police", "Police report"
        HELPLINE = "helpline", "Helpline advice"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused"
        NOT_REQUIRED = "not_required", "Not required"

    class Exploitation(models.TextChoices):
        FORCED_WORK = "forced_work", "Forced work"
        WAGES_TAKEN = "wages_taken", "Wages taken"
        FORCED_FRAUD = "forced_fraud", "Forced to commit fraud"
        SEXUAL = "sexual", "Sexual exploitation"
        CHILD_CRIMINAL = "child_criminal", "Child criminal exploitation"
        MOVED = "moved", "Moved somewhere for exploitation"
        FORCED_CRIME = "forced_crime", "Forced criminality"
        ORGAN_REMOVAL = "organ_removal", "Organ removal"
        DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
        OTHER = "other", "Other"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals")
    responder = models.ForeignKey(
        FirstResponder,
        verbose_name="referred through",
        null=True,  # referrals recorded before the list existed
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    kind = models.CharField("what was asked", max_length=20, choices=Kind.choices)
    organisation = models.CharField(
        "team or office", max_length=200, blank=True, help_text="e.g. Leeds City Council adult social care"
    )
    made_on = models.DateField("date of referral", default=timezone.localdate)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    contact = EncryptedCharField("contact there", max_length=200, blank=True)
    external_reference = models.CharField("their reference", max_length=100, blank=True)
    age_group = models.CharField("age", max_length=10, choices=AgeGroup.choices, default=AgeGroup.ADULT)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    children_services_contacted = models.BooleanField("local authority children's services contacted", default=False)
    police_force = models.CharField(max_length=120, blank=True)
    crime_reference = models.CharField(max_length=60, blank=True)
    exploitation_types = models.JSONField(default=list, blank=True)
    # What a first responder asks for, each optional and structured; the narrative stays on the case.
    # Free text about the person is encrypted at rest (compliance/encryption.py); choices and references are not.
    exploitation_other = EncryptedTextField("details of the other exploitation", blank=True)
    exploitation_place = models.CharField(
        "where the exploitation happened", max_length=10, choices=ExploitationPlace.choices, blank=True
    )
    communication_needs = EncryptedTextField("interpreter or communication needs", blank=True)
    current_location = EncryptedTextField("where the person is now", blank=True)
    safe_contact = EncryptedTextField("a safe way to contact them", blank=True)
    support_needs = EncryptedTextField("support needs", blank=True)
    fears_reexploitation = models.CharField(
        "fears being exploited again", max_length=10, choices=Answer.choices, blank=True
    )
    other_victims = models.CharField("other potential victims", max_length=10, choices=Answer.choices, blank=True)
    care_act_enquiry_reference = models.CharField(
        "local authority's Care Act s.42 enquiry reference", max_length=60, blank=True
    )
    outcome = models.CharField("outcome reported", max_length=20, choices=ReferralOutcome.choices, blank=True)
    outcome_on = models.DateField("date of the outcome", null=True, blank=True)
    reasonable_grounds_on = models.DateField("date of the reasonable grounds decision", null=True, blank=True)
    conclusive_grounds_on = models.DateField("date of the conclusive grounds decision", null=True, blank=True)
    outcome_notes = EncryptedTextField("notes on the outcome", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome_on__isnull=False),
                name="referral_outcome_has_date",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} referral for {self.concern}"

    @property
    def exploitation_labels(self) -> list[str]:
        labels = dict(self.Exploitation.choices)
        return [labels.get(code, code) for code in self.exploitation_types]

    @property
    def treated_as_child(self) -> bool:
        """A child, or a person whose age is uncertain (presumed a child: MSA 2015 s.51)."""
        return self.age_group in {AgeGroup.CHILD, AgeGroup.UNCERTAIN}

    @property
    def needs_children_services(self) -> bool:
        return self.treated_as_child and not self.children_services_contacted

    @property
    def awaiting_outcome(self) -> bool:
        """No outcome yet, or only a positive reasonable grounds decision (a conclusive one follows)."""
        return not self.outcome or self.outcome in INTERIM_OUTCOMES

    @property
    def is_complete(self) -> bool:
        return not self.awaiting_outcome

    @property
    def waiting_since(self) -> datetime.date:
        """The day the current wait for an outcome began: the referral, or the interim decision."""
        return self.outcome_on if self.outcome in INTERIM_OUTCOMES and self.outcome_on else self.made_on

    def next_chase_on(self, today: datetime.date | None = None) -> datetime.date | None:
        """When the assignee is next reminded to chase the outcome (every REFERRAL_OUTCOME_CHASE_DAYS)."""
        if not self.awaiting_outcome:
            return None
        today = today or timezone.localdate()
        interval = settings.REFERRAL_OUTCOME_CHASE_DAYS
        intervals_passed = max(0, (today - self.waiting_since).days // interval)
        return self.waiting_since + datetime.timedelta(days=interval * (intervals_passed + 1))

    @property
    def responder_name(self) -> str:
        return str(self.responder or self.organisation or self.get_kind_display())


class CqcNotification(models.Model):
    """That the Care Quality Commission was notified about a case involving a service user.

    The Care Quality Commission (Registration) Regulations 2009, regulation 18(1) and (2)(e)
    (https://www.legislation.gov.uk/uksi/2009/3112/regulation/18): a registered provider must notify
    CQC without delay of any abuse or allegation of abuse in relation to a service user.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="cqc_notifications")
    notified_on = models.DateField("date CQC was notified")
    cqc_reference = models.CharField("CQC's reference", max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["notified_on", "pk"]
        verbose_name = "CQC notification"

    def __str__(self):
        return f"CQC notified of {self.concern} on {self.notified_on:%d %b %Y}"


def _attachment_path(instance, filename):
    # A random name: the original (which may name a person) is kept only in the database.
    import uuid

    return f"safeguarding/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a case, checked by content and served only through a permission-checked view."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    original_name = EncryptedCharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_reporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()
    # Stored encrypted (compliance/encryption.py); `encrypt_case_data` re-encrypts them on key rotation.
    encrypted_file_fields = ("file",)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        # Not the file's name: a reporter's file name is case content, and str() ends up in the
        # change log's object_repr, which is stored in clear.
        return f"attachment {self.pk} on {self.concern_id and self.concern}"

    def get_absolute_url(self):
        # A download through the permission-checked view, never the storage URL.
        return reverse("safeguarding:attachment_download", args=[self.concern.reference, self.pk])

    def read_decrypted(self) -> bytes:
        """The file's content in clear: stored encrypted, so call it only behind the case permission check."""
        with self.file.open("rb") as handle:
            return decrypt_bytes(handle.read())


class RetentionRule(models.Model):
    """How long a closed case keeps its content, per outcome and channel (blank: any).

    The most specific rule wins (outcome and channel, then outcome, then channel); with
    none, settings.CASE_RETENTION_MONTHS applies (README "Retention").
    """

    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, help_text="Blank: any outcome.")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, help_text="Blank: any channel.")
    months = models.PositiveSmallIntegerField("months after closure")
    note = models.CharField("why this period", max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outcome", "channel"], name="retention_rule_once")]
        ordering = ["outcome", "channel"]

    def __str__(self):
        outcome = self.get_outcome_display() if self.outcome else "any outcome"
        channel = self.get_channel_display() if self.channel else "any channel"
        return f"{outcome}, {channel}: {self.months} months after closure"


class PurgeLog(models.Model):
    """What the retention task removed from a case, when, and under which rule; kept after the purge."""

    concern = models.ForeignKey(Concern, null=True, on_delete=models.SET_NULL, related_name="purges")
    # Copied, so the entry still says which case it was if the row ever goes.
    reference = models.CharField(max_length=20, db_index=True)
    purged_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True)
    rule = models.CharField(max_length=300)
    months = models.PositiveSmallIntegerField()
    # Counts of what went: {"fields": [...], "timeline_entries": n, "attachments": n, ...}; no content.
    removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-purged_at", "-pk"]

    def __str__(self):
        return f"{self.reference} purged {self.purged_at:%Y-%m-%d} ({self.rule})"


class Redaction(models.Model):
    """The Lead masked a span of a narrative, note or message: who, when, where and why.

    The span itself is kept encrypted (it is the personal data that was masked) so the
    Lead can see what was masked; it goes with the rest of the content at retention.
    """

    MASK = "[masked]"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="redactions")
    # Null for the narrative; the note or message otherwise.
    timeline_entry = models.ForeignKey(
        TimelineEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="redactions"
    )
    span = EncryptedTextField("masked text")
    reason = EncryptedCharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        where = f"timeline entry {self.timeline_entry_id}" if self.timeline_entry_id else "the narrative"
        return f"Masked text in {where} of {self.concern}"
