"""Writes for policies: versions, publishing, acknowledgements and review reminders."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import User
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion
from compliance.services import notification_send
from training.rules import can_manage_policies

REVIEW_WARNING_DAYS = 30
# Staff who have not acknowledged a version after this many days are reminded once.
ACKNOWLEDGEMENT_REMINDER_DAYS = 14


def _version_url(version: PolicyVersion) -> str:
    return reverse("training:policy_version", args=[version.pk])


@transaction.atomic
def policy_create(*, actor: User, title: str, summary: str = "", requires_acknowledgement: bool = True) -> Policy:
    """Create a policy (its text comes with its first version)."""
    if not can_manage_policies.test(actor):
        raise PermissionDenied
    if Policy.objects.filter(title__iexact=title.strip()).exists():
        raise ValidationError({"title": "A policy with this title already exists."})
    return Policy.objects.create(
        title=title.strip(), summary=summary, owner=actor, requires_acknowledgement=requires_acknowledgement
    )


@transaction.atomic
def policy_version_publish(
    *,
    policy: Policy,
    actor: User,
    effective_date: datetime.date,
    text: str = "",
    document=None,
    change_summary: str = "",
    next_review_date: datetime.date | None = None,
) -> PolicyVersion:
    """Publish a new version and ask every active member of staff to acknowledge it."""
    if not can_manage_policies.test(actor):
        raise PermissionDenied
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if number > 1 and not change_summary.strip():
        raise ValidationError({"change_summary": "Say what changed from the previous version."})
    version = PolicyVersion(
        policy=policy,
        number=number,
        text=text,
        document=document or "",
        effective_date=effective_date,
        next_review_date=next_review_date,
        change_summary=change_summary,
        published_at=timezone.now(),
        published_by=actor,
    )
    version.save()  # fills the review date (+12 months) before validation checks it
    version.full_clean()
    if policy.requires_acknowledgement:
        notification_send(
            recipients=User.objects.filter(is_active=True),
            subject=f"Please read and acknowledge: {policy.title} (version {number})",
            template="training/email/policy_acknowledge.txt",
            context={"version": version},
            url=_version_url(version),
            dedupe_key=f"policy-acknowledge:{version.pk}",
        )
    return version


@transaction.atomic
def policy_acknowledge(*, version: PolicyVersion, actor: User) -> Acknowledgement:
    """Record that the person has read and understood a policy version (once)."""
    if not actor.is_active:
        raise PermissionDenied
    if version.published_at is None:
        raise ValidationError("This version has not been published.")
    acknowledgement, _ = Acknowledgement.objects.get_or_create(user=actor, version=version)
    return acknowledgement


def policy_review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell the Compliance admin 30 days before a policy's review date; and chase unacknowledged versions."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_WARNING_DAYS)
    admins = list(User.objects.in_role(roles.COMPLIANCE_ADMIN))
    sent = 0
    for version in _current_versions():
        if version.next_review_date <= horizon:
            sent += len(
                notification_send(
                    recipients=admins,
                    subject=f"Policy review due {version.next_review_date:%d %B %Y}: {version.policy.title}",
                    template="training/email/policy_review.txt",
                    context={"version": version},
                    url=reverse("training:policy_detail", args=[version.policy_id]),
                    dedupe_key=f"policy-review:{version.pk}",
                )
            )
        chase_from = version.published_at.date() + datetime.timedelta(days=ACKNOWLEDGEMENT_REMINDER_DAYS)
        if version.policy.requires_acknowledgement and today >= chase_from:
            outstanding = User.objects.filter(is_active=True).exclude(acknowledgements__version=version)
            sent += len(
                notification_send(
                    recipients=outstanding,
                    subject=f"Reminder: please acknowledge {version.policy.title} (version {version.number})",
                    template="training/email/policy_acknowledge.txt",
                    context={"version": version, "reminder": True},
                    url=_version_url(version),
                    dedupe_key=f"policy-acknowledge-reminder:{version.pk}",
                )
            )
    return sent


def _current_versions() -> list[PolicyVersion]:
    latest = {}
    for version in PolicyVersion.objects.filter(published_at__isnull=False).select_related("policy").order_by("number"):
        latest[version.policy_id] = version
    return list(latest.values())
