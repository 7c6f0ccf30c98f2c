"""Policies, their versions and staff acknowledgements (policy section 9).

The tables belong to the compliance app (their migrations are compliance's, and
moving them would cost a data migration), so the models are defined here and
imported by compliance/models.py. Everything that reads or writes them lives in
training: training.policy_selectors, training.policy_services, training.views_policy
and the `can_manage_policies` rule (compliance never imports training).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from compliance import rules as compliance_rules
from compliance.querysets import RestrictedQuerySet, RoleRestrictedQuerySet

__all__ = ["Policy", "PolicyVersion", "Acknowledgement", "add_months"]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PolicyQuerySet(RoleRestrictedQuerySet):
    ACTIONS = {"view": compliance_rules.can_view_policy, "change": compliance_rules.can_manage_policies}


class PolicyVersionQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """view: published versions for everyone signed in, drafts too for those who keep policies."""
        if action != "view" or not compliance_rules.is_signed_in.test(user):
            return self.none()
        return (
            self.all() if compliance_rules.can_manage_policies.test(user) else self.filter(published_at__isnull=False)
        )


class AcknowledgementQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """view: one's own acknowledgements; everyone's for those who keep policies."""
        if action != "view" or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all() if compliance_rules.can_manage_policies.test(user) else self.filter(user=user)


class Policy(models.Model):
    """A policy document the organisation keeps and reviews (e.g. the Modern Slavery Policy)."""

    title = models.CharField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_policies"
    )
    requires_acknowledgement = models.BooleanField(
        default=True, help_text="Every active member of staff is asked to confirm they have read each new version."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"

    def __str__(self):
        return self.title


def _policy_upload_to(instance, filename):
    # A generated name: nothing typed by a person reaches the file system.
    from compliance.uploads import generated_upload_name

    return f"policies/{instance.policy_id}/{generated_upload_name(filename)}"


class PolicyVersion(models.Model):
    """One published text of a policy; the newest published version is the one in force."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    document = models.FileField(upload_to=_policy_upload_to, blank=True)
    effective_date = models.DateField()
    next_review_date = models.DateField(help_text="One year after the effective date unless set otherwise.")
    change_summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy__title", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number_unique")]

    def __str__(self):
        return f"{self.policy} v{self.number}"

    def save(self, *args, **kwargs):
        if self.effective_date and not self.next_review_date:
            self.next_review_date = add_months(self.effective_date, 12)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.text.strip() and not self.document:
            raise ValidationError("Give the policy text or attach the document.")
        if self.next_review_date and self.effective_date and self.next_review_date <= self.effective_date:
            raise ValidationError({"next_review_date": "The review date must be after the effective date."})


class Acknowledgement(models.Model):
    """A person confirmed "I have read and understood" one policy version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="acknowledgement_once_per_version")]

    def __str__(self):
        return f"{self.user} acknowledged {self.version}"
