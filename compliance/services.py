"""Writes for the core: notifications, the access log, the organisation profile."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from compliance import rules as compliance_rules
from compliance import selectors
from compliance.figure_cache import figures_changed
from compliance.models import AccessLog, Department, Notification, Organisation, OutboxMessage, Site, User
from compliance.request_log import redact

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address, for rate limits and the access log.

    X-Forwarded-For is only believed for the hops our own proxies added
    (TRUSTED_PROXY_COUNT, counted from the right): anything to their left was
    written by the client and could be forged to dodge a rate limit.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]


def access_log_record(*, user, obj, action: str = AccessLog.Action.VIEW, request=None, detail: str = "") -> AccessLog:
    """Record that a user read, downloaded or exported a sensitive record."""
    content_type = ContentType.objects.get_for_model(obj) if obj is not None and hasattr(obj, "_meta") else None
    entry = AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        content_type=content_type,
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:255] if obj is not None else detail[:255],
        detail=detail[:255],
        path=(redact(request.get_full_path())[:500] if request is not None else ""),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_address=client_ip(request),
    )
    # Nothing to retire: the access log page counts rows of the last minutes live and carries
    # the older ones' count forward (selectors.access_log_count), so this row is counted at once.
    return entry


def notification_send(
    *,
    recipients: Iterable[User],
    subject: str,
    template: str = "compliance/email/notification.txt",
    context: dict | None = None,
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Tell people something in the app and by email (through the outbox, sent after the commit).

    With a dedupe_key each recipient is told at most once for that key, so
    scheduled tasks can rerun safely.
    """
    context = {"subject": subject, "url": url, "site_url": settings.SITE_URL, **(context or {})}
    body = render_to_string(template, context).strip()
    created: list[Notification] = []
    seen: set[int] = set()
    for recipient in recipients:
        if recipient is None or not recipient.is_active or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient, subject=subject[:200], body=body, url=url, dedupe_key=dedupe_key
                )
                # The email is written in the same transaction as the notification (and the change behind it).
                notification_email_queue(notification=notification)
        except IntegrityError:
            # Another worker told this person the same thing a moment ago.
            continue
        created.append(notification)
    return created


def notification_email_queue(*, notification: Notification):
    """Write a notification's email (plain text with an HTML alternative) to the outbox."""
    from compliance.outbox import outbox_enqueue

    link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
    context = {"notification": notification, "link": link, "recipient": notification.recipient}
    return outbox_enqueue(
        to=notification.recipient.email,
        subject=notification.subject,
        body_text=render_to_string("compliance/email/wrapper.txt", context),
        body_html=render_to_string("compliance/email/wrapper.html", context),
        kind=OutboxMessage.Kind.NOTIFICATION,
        notification=notification,
    )


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read."""
    qs = Notification.objects.restrict(user, "change").filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def notifications_purge_read(*, older_than_days: int = 180) -> int:
    """Delete read notifications older than the retention window."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, read_at__lt=cutoff).delete()
    return deleted


def access_log_purge(*, now=None) -> int:
    """Delete access-log rows older than settings.ACCESS_LOG_RETENTION_MONTHS; returns rows deleted."""
    cutoff = (now or timezone.now()) - relativedelta(months=settings.ACCESS_LOG_RETENTION_MONTHS)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    if deleted:
        figures_changed(selectors.ACCESS_LOG_FIGURES)
        logger.info("access log retention: deleted %s rows older than %s", deleted, cutoff.date())
    return deleted


def organisation_get(request=None) -> Organisation:
    """The organisation profile, created with placeholder values on first use.

    With `request`, the read is shared with the page's header (selectors.organisation_profile):
    only for a page that shows the profile as it is, never one that edits it (a form bound to
    the instance changes it before it is saved, and the header must not show unsaved values).
    """
    organisation = selectors.organisation_profile(request)
    if organisation is None:
        organisation = Organisation.objects.create(legal_name="Your organisation")
        if request is not None:
            request.organisation_profile = organisation
    return organisation


def organisation_profile_save(*, actor: User, form, formsets: Iterable) -> Organisation:
    """Save the organisation profile and its legal entities, departments and sites together, or nothing.

    The forms arrive validated from the page (formsets carry adds, edits and
    deletions row by row); this is the one place they are written, by the
    Compliance admin only. django-auditlog records each row's change with the actor.
    """
    if not compliance_rules.can_manage_organisation.test(actor):
        raise PermissionDenied("Only the Compliance admin edits the organisation profile.")
    with transaction.atomic():
        organisation = form.save()
        for formset in formsets:
            formset.save()
    return organisation


def person_save(
    *,
    actor: User,
    person: User | None,
    email: str,
    full_name: str,
    roles: Iterable[Group],
    job_title: str = "",
    department: Department | None = None,
    site: Site | None = None,
    line_manager: User | None = None,
    employment_type: str = "",
    start_date: datetime.date | None = None,
    is_active: bool = True,
    left_on: datetime.date | None = None,
    request=None,
) -> User:
    """Create (person None) or update a person and their roles; a new person is emailed a set-your-password link.

    The Compliance admin only (PermissionDenied otherwise); django-auditlog records
    the change, roles included, with the actor.
    """
    if not compliance_rules.can_manage_organisation.test(actor):
        raise PermissionDenied("Only the Compliance admin manages people and roles.")
    is_new = person is None
    person = person or User()
    for name, value in {
        "email": email,
        "full_name": full_name,
        "job_title": job_title,
        "department": department,
        "site": site,
        "line_manager": line_manager,
        "employment_type": employment_type or person.employment_type,
        "start_date": start_date,
        "is_active": is_active,
        # An active person has not left, whatever date was typed.
        "left_on": None if is_active else left_on,
    }.items():
        setattr(person, name, value)
    with transaction.atomic():
        if is_new:
            person.set_unusable_password()
        person.save()
        person.groups.set(roles)
        person.__dict__.pop("role_names", None)
        if is_new and request is not None:
            # In the same transaction: the invitation goes to the outbox with the new account.
            person_invite(person=person, request=request)
    return person


def person_invite(*, person: User, request) -> None:
    """Email a person a link to choose their password (allauth's reset flow)."""
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm(data={"email": person.email})
    if form.is_valid():
        form.save(request)
