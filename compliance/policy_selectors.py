"""Reads for policies: what a person must acknowledge, and acknowledgement rates per version."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from compliance.models import User
from compliance.policy_models import Acknowledgement, Policy, PolicyVersion


def _can_manage(user) -> bool:
    from training.rules import can_manage_policies

    return can_manage_policies.test(user)


def policy_list(*, user: User) -> QuerySet[Policy]:
    """Policies with their versions; everyone may read published policies."""
    return Policy.objects.select_related("owner")


def policy_version_list(*, user: User) -> QuerySet[PolicyVersion]:
    qs = PolicyVersion.objects.select_related("policy", "published_by")
    return qs if _can_manage(user) else qs.filter(published_at__isnull=False)


def policy_versions_current(*, user: User) -> list[PolicyVersion]:
    """The version in force of each policy, with whether this user acknowledged it."""
    latest: dict[int, PolicyVersion] = {}
    qs = (
        policy_version_list(user=user)
        .filter(published_at__isnull=False)
        .annotate(acknowledged=Exists(Acknowledgement.objects.filter(version=OuterRef("pk"), user=user)))
        .order_by("number")
    )
    for version in qs:
        latest[version.policy_id] = version
    return sorted(latest.values(), key=lambda v: v.policy.title)


def policy_versions_to_acknowledge(*, user: User) -> list[PolicyVersion]:
    return [v for v in policy_versions_current(user=user) if v.policy.requires_acknowledgement and not v.acknowledged]


def acknowledgement_rates(*, user: User, policy: Policy) -> list[dict]:
    """Per version: acknowledged by active staff / active staff (leavers excluded). One query plus the count."""
    if not _can_manage(user):
        return []
    active = User.objects.filter(is_active=True).count()
    versions = policy.versions.annotate(
        acknowledged_count=Count("acknowledgements", filter=Q(acknowledgements__user__is_active=True))
    ).order_by("-number")
    return [
        {
            "version": v,
            "acknowledged": v.acknowledged_count,
            "staff": active,
            "rate": round(100 * v.acknowledged_count / active, 1) if active else None,
        }
        for v in versions
    ]


def acknowledgement_outstanding(*, user: User, version: PolicyVersion) -> QuerySet[User]:
    if not _can_manage(user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .exclude(acknowledgements__version=version)
        .select_related("department")
        .order_by("full_name")
    )
