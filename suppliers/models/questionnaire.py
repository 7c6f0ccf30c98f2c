"""Questionnaires sent to supplier contacts by a single-use, expiring link."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from suppliers.models.querysets import RegisterQuerySet


def token_digest(token: str) -> str:
    # Only the hash is stored: a copy of the database does not open any link.
    return hashlib.sha256(token.encode()).hexdigest()


class QuestionnaireTemplate(models.Model):
    """A questionnaire: sections of questions, e.g. the modern slavery assessment."""

    class Purpose(models.TextChoices):
        SUPPLIER = "supplier", "Supplier assessment"
        PROVIDER_ASSURANCE = "provider_assurance", "Commissioned provider assurance"

    name = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.SUPPLIER)
    introduction = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:template_detail", args=[self.pk])


class QuestionnaireSection(models.Model):
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Severity(models.TextChoices):
        # How much a gap answer to this question matters. "None" records the gap
        # without moving the score; "critical" is a forced-labour indicator that
        # makes the supplier high risk at once (suppliers/scoring.py).
        NONE = "none", "None"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    # Lowest to highest: "at or above a threshold" compares positions in this list.
    SEVERITY_ORDER = (Severity.NONE, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)

    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes or no"
        CHOICE = "choice", "Choice"
        TEXT = "text", "Text"
        FILE = "file", "File evidence"

    section = models.ForeignKey(QuestionnaireSection, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    choices = models.TextField(blank=True, help_text="For a choice question: one option per line.")
    # An answer equal to this (e.g. "no" to "Do you have a policy?") is a gap
    # that adds the points for its severity to the supplier's risk score.
    gap_answer = models.CharField(max_length=200, blank=True)
    severity = models.CharField(
        "Severity of a gap",
        max_length=10,
        choices=Severity.choices,
        default=Severity.MEDIUM,
        help_text="How much a gap answer moves the risk score; critical makes the supplier high risk at once.",
    )
    required = models.BooleanField(default=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    def is_gap(self, value: str) -> bool:
        """Whether `value` is this question's gap answer (case and surrounding spaces ignored)."""
        return bool(self.gap_answer) and value.strip().lower() == self.gap_answer.strip().lower()

    def severity_at_least(self, threshold: str) -> bool:
        """Whether this question's severity is at or above `threshold` (a Severity value)."""
        return self.SEVERITY_ORDER.index(self.severity) >= self.SEVERITY_ORDER.index(threshold)

    @property
    def choice_list(self) -> list[str]:
        if self.kind == self.Kind.YES_NO:
            return ["yes", "no"]
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class QuestionnaireRequest(models.Model):
    """A questionnaire sent to one supplier contact."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        IN_PROGRESS = "in_progress", "Started by the supplier"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to the supplier"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired unanswered"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.SENT, Status.IN_PROGRESS, Status.RETURNED)

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="questionnaires")
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT, related_name="requests")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The link token is HMAC(SECRET_KEY, seed): reminders re-send the same link.
    token_seed = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT, db_index=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    last_chased_at = models.DateTimeField(null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.template} for {self.supplier}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:questionnaire_review", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.expires_at > timezone.now()


class QuestionnaireAnswer(models.Model):
    request = models.ForeignKey(QuestionnaireRequest, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.TextField(blank=True)
    document = models.ForeignKey(
        "suppliers.SupplierDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question"], name="one_answer_per_question")]

    @property
    def is_gap(self) -> bool:
        return self.question.is_gap(self.value)
