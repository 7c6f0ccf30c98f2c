"""Reads for the core, each restricted to what the asking user may see."""

from django.db import models
from django.db.models import QuerySet

from compliance import rules as r
from compliance.models import AccessLog, Notification, Organisation, User


def organisation_profile() -> Organisation | None:
    return Organisation.objects.prefetch_related("legal_entities").order_by("pk").first()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def access_log_list(*, user: User, filters: dict | None = None) -> QuerySet[AccessLog]:
    if not r.can_view_access_log.test(user):
        return AccessLog.objects.none()
    qs = AccessLog.objects.select_related("user", "content_type")
    filters = filters or {}
    if filters.get("who"):
        qs = qs.filter(
            models.Q(user__full_name__icontains=filters["who"]) | models.Q(user__email__icontains=filters["who"])
        )
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("record"):
        qs = qs.filter(object_repr__icontains=filters["record"])
    if filters.get("since"):
        qs = qs.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__date__lte=filters["until"])
    return qs


def user_list(*, user: User) -> QuerySet[User]:
    """People the user may list: everyone for admin/HR, their reports for a manager, else themselves."""
    qs = User.objects.select_related("department", "site", "line_manager").prefetch_related("groups")
    if r.is_compliance_admin.test(user) or r.is_hr.test(user):
        return qs
    if r.is_line_manager.test(user):
        return qs.filter(line_manager=user)
    return qs.filter(pk=user.pk)


def people_for_admin(*, user: User, filters: dict | None = None) -> QuerySet[User]:
    """Everyone, for the Compliance admin; nobody for anyone else."""
    if not r.can_manage_organisation.test(user):
        return User.objects.none()
    filters = filters or {}
    qs = User.objects.select_related("department", "site", "line_manager").prefetch_related("groups")
    status = filters.get("status") or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "left":
        qs = qs.filter(is_active=False)
    if filters.get("q"):
        qs = qs.filter(models.Q(full_name__icontains=filters["q"]) | models.Q(email__icontains=filters["q"]))
    if filters.get("role"):
        qs = qs.filter(groups=filters["role"])
    if filters.get("department"):
        qs = qs.filter(department=filters["department"])
    return qs.order_by("full_name", "email")


def api_token_for(*, user: User):
    """The user's API token record (a digest and dates, never the token itself), or None."""
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).order_by("-created").first()


def outbox_messages_for_admin(*, user: User, status: str = "failed") -> QuerySet:
    """Outgoing emails in one delivery state, for the Compliance admin; nothing for anyone else."""
    from compliance.models import OutboxMessage

    if not r.can_manage_organisation.test(user):
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(status=status).defer("body_text", "body_html")


def outbox_counts(*, user: User) -> dict[str, int]:
    """How many outgoing emails are waiting and how many failed (admin only)."""
    from compliance.models import OutboxMessage

    if not r.can_manage_organisation.test(user):
        return {}
    rows = (
        OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).values("status").annotate(n=models.Count("pk"))
    )
    counts = {"pending": 0, "failed": 0}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
