"""Audits and spot-checks, their findings, and the corrective actions that follow."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from compliance.dates import end_of_day
from suppliers.models.querysets import Action, OwnedByPersonQuerySet, RegisterQuerySet


class Audit(models.Model):
    """A planned audit or spot-check of a supplier."""

    class Kind(models.TextChoices):
        PLANNED = "planned", "Planned audit"
        SPOT_CHECK = "spot_check", "Spot-check"

    class Method(models.TextChoices):
        DESK = "desk", "Desk review"
        ON_SITE = "on_site", "On-site"
        REMOTE = "remote", "Remote"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Result(models.TextChoices):
        COMPLIANT = "compliant", "Compliant"
        MINOR = "minor", "Minor issues"
        MAJOR = "major", "Major issues"
        CRITICAL = "critical", "Critical"

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PLANNED)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.DESK)
    planned_date = models.DateField()
    completed_date = models.DateField(null=True, blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supplier_audits"
    )
    auditor_name = models.CharField(
        "External auditor", max_length=200, blank=True, help_text="If a third party carries out the audit."
    )
    scope = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    summary = models.TextField(blank=True)
    # Why the result is better than the audit's worst open finding (required then, see audit_complete).
    result_override_reason = models.TextField("Reason the result is better than the open findings", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_date", "-pk"]
        indexes = [
            # The audit list's order (suppliers.selectors.audit_list): a page reads 50 entries, not a sort of all.
            models.Index(fields=["-planned_date", "-id"], name="audit_by_planned_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.supplier} on {self.planned_date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:audit_detail", args=[self.pk])

    @property
    def auditor_display(self) -> str:
        if self.auditor_id:
            return self.auditor.full_name or self.auditor.email
        return self.auditor_name


class Finding(models.Model):
    """Something an audit (or a supplier's accepted questionnaire answer) found wrong, with its severity."""

    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MAJOR = "major", "Major"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        AUDIT = "audit", "Audit"
        QUESTIONNAIRE = "questionnaire", "Questionnaire answer"

    # An audit finding has its audit; a questionnaire finding names the answer instead.
    audit = models.ForeignKey(Audit, null=True, blank=True, on_delete=models.CASCADE, related_name="findings")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.AUDIT)
    questionnaire = models.ForeignKey(
        "suppliers.QuestionnaireRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    question = models.ForeignKey(
        "suppliers.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Link to the safeguarding case opened for a critical finding (a reference,
    # because cases are confidential and live in another app).
    safeguarding_reference = models.CharField(max_length=40, blank=True)
    safeguarding_note = models.CharField(max_length=300, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The findings list's order (the API's findings): a page reads 50 entries, not a sort of all.
            models.Index(fields=["-created_at", "-id"], name="finding_newest_first"),
        ]
        constraints = [
            # One finding per answer: accepting (or re-scoring) a questionnaire twice never doubles it.
            models.UniqueConstraint(
                fields=["questionnaire", "question"],
                condition=models.Q(questionnaire__isnull=False),
                name="one_finding_per_questionnaire_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(source="audit", audit__isnull=False)
                | models.Q(source="questionnaire", questionnaire__isnull=False, question__isnull=False),
                name="finding_has_its_source",
            ),
        ]

    def __str__(self):
        return f"{self.get_severity_display()} finding at {self.supplier}"


class CorrectiveActionQuerySet(OwnedByPersonQuerySet):
    """Who sees a corrective action (the register's readers, and its owner), and the one rule for "open" and "overdue"."""

    person_field = "owner"
    person_action = Action.SUBMIT_EVIDENCE

    def open_on(self, as_of: datetime.date | None = None):
        """Raised by the end of `as_of` and not verified by then."""
        end = end_of_day(as_of or timezone.localdate())
        return self.filter(created_at__lt=end).filter(
            models.Q(verified_at__isnull=True) | models.Q(verified_at__gte=end)
        )

    def overdue(self, as_of: datetime.date | None = None):
        """Open on `as_of`, due before it, and not waiting for procurement to verify submitted evidence.

        Evidence submitted by the date moves the wait to procurement, so the
        supplier is not overdue then (a returned action is OPEN again).
        """
        as_of = as_of or timezone.localdate()
        end = end_of_day(as_of)
        waiting_for_us = models.Q(evidence_submitted_at__lt=end) & ~models.Q(status=CorrectiveAction.Status.OPEN)
        return self.open_on(as_of).filter(due_date__lt=as_of).exclude(waiting_for_us)


class CorrectiveAction(models.Model):
    """What the supplier must put right, by when, and who chases it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        EVIDENCE_SUBMITTED = "evidence_submitted", "Evidence submitted"
        VERIFIED = "verified", "Verified and closed"

    class Escalation(models.IntegerChoices):
        NONE = 0, "On track"
        REMINDED = 1, "Owner reminded"
        ESCALATED = 2, "Escalated to procurement"
        TERMINATION_RECOMMENDED = 3, "Termination recommended"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="corrective_actions")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="corrective_actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supplier_corrective_actions"
    )
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    evidence = models.TextField(blank=True)
    evidence_document = models.ForeignKey(
        "suppliers.SupplierDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)
    escalation_level = models.PositiveSmallIntegerField(choices=Escalation.choices, default=Escalation.NONE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="corrective_action_verified_has_verified_at",
            )
        ]

    def __str__(self):
        return f"Corrective action for {self.supplier} due {self.due_date:%d %b %Y}"

    def save(self, *args, **kwargs):
        # A verified action always says when (the database requires it); the service sets it, this covers the admin.
        if self.status == self.Status.VERIFIED and self.verified_at is None:
            self.verified_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "verified_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("suppliers:action_detail", args=[self.pk])

    def clean(self):
        # Before full_clean checks the constraint (the admin form): a verified action says when.
        if self.status == self.Status.VERIFIED and self.verified_at is None:
            self.verified_at = timezone.now()

    @property
    def is_overdue(self) -> bool:
        # The row-level twin of CorrectiveActionQuerySet.overdue() for today (a verified action is never overdue).
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class CorrectiveActionEventQuerySet(OwnedByPersonQuerySet):
    """An action's timeline is seen by whoever sees the action."""

    person_field = "action__owner"


class CorrectiveActionEvent(models.Model):
    """Timeline of a corrective action: opened, reminded, escalated, evidence, verified."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        EVIDENCE = "evidence", "Evidence submitted"
        VERIFIED = "verified", "Verified and closed"
        RETURNED = "returned", "Evidence not accepted"
        REMINDED = "reminded", "Owner reminded"
        ESCALATED = "escalated", "Escalated to procurement"
        TERMINATION_RECOMMENDED = "termination_recommended", "Termination recommended"
        EXTENDED = "extended", "Due date extended"

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.TextField()

    objects = CorrectiveActionEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
