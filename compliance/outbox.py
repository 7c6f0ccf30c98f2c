"""Outgoing email: written to the outbox inside the transaction, delivered after it.

No web request talks to SMTP. A service writes an OutboxMessage in the same
transaction as the change that causes it; after the commit a Celery task is
asked to deliver it (if the broker is down that request is only logged), and a
beat task every minute delivers whatever is due, so nothing depends on the first
``.delay()`` or the first SMTP attempt succeeding. Each message is sent on its
own, retried with backoff until its give-up time (24 hours by default), then
marked failed for the Compliance admin to see and re-send.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import threading
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from compliance.models import Notification, OutboxMessage, User

logger = logging.getLogger(__name__)

# A sweep stops early when this many messages in a row fail (SMTP is down: trying
# the rest now only burns their attempts) or when its time budget is used up
# (a hanging server costs EMAIL_TIMEOUT per message); the next sweep carries on.
SWEEP_STOP_AFTER_FAILURES = 5
SWEEP_BATCH = 200


def _retry_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EMAIL_RETRY_HOURS)


def outbox_backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try: 1, 2, 4 ... minutes after each failure, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# When queueing failed a moment ago in this thread, later kicks in the same burst
# skip the broker: a code of conduct sent to 500 suppliers during a broker outage
# must cost one failed publish, not 500. The sweeper sends what was skipped.
_BROKER_BACKOFF_SECONDS = 5.0
_last_failure = threading.local()


def _kick(ids: list[int]) -> None:
    from compliance.jobs import enqueue
    from compliance.tasks import outbox_deliver

    conf = outbox_deliver.app.conf
    failed = getattr(_last_failure, "key", None)
    if (
        not conf.task_always_eager
        and failed is not None
        and failed[0] == conf.broker_url
        and time.monotonic() - failed[1] < _BROKER_BACKOFF_SECONDS
    ):
        logger.info("Broker unavailable a moment ago: email %s left for the sweeper", ids)
        return
    _last_failure.key = None if enqueue(outbox_deliver, ids) else (conf.broker_url, time.monotonic())


def _kick_after_commit(pk: int) -> None:
    transaction.on_commit(lambda: _kick([pk]))


def outbox_enqueue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
    from_email: str = "",
    notification: Notification | None = None,
) -> OutboxMessage:
    """Write one email for one address to the outbox; it is delivered after the transaction commits."""
    now = timezone.now()
    message = OutboxMessage.objects.create(
        to=to,
        subject=" ".join(subject.splitlines())[:255],
        body_text=body_text,
        body_html=body_html,
        kind=kind[:40],
        from_email=from_email or "",
        notification=notification,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + _retry_window(),
    )
    _kick_after_commit(message.pk)
    return message


def outbox_enqueue_many(*, messages: list[dict], kind: str = "") -> list[OutboxMessage]:
    """Write many emails (each a dict of to, subject, body_text) in one statement; one delivery request after commit.

    For bulk actions: the cost stays the same whether 1 or 500 suppliers are written to.
    """
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                to=m["to"],
                subject=" ".join(m["subject"].splitlines())[:255],
                body_text=m["body_text"],
                kind=kind[:40],
                created_at=now,
                next_attempt_at=now,
                give_up_at=now + _retry_window(),
            )
            for m in messages
        ]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _kick(ids))
    return rows


def outbox_enqueue_email(*, email: EmailMessage, kind: str = "") -> list[OutboxMessage]:
    """Put an already rendered Django email (e.g. allauth's) in the outbox, one row per recipient."""
    html = ""
    for content, mimetype in getattr(email, "alternatives", None) or []:
        if mimetype == "text/html":
            html = content
    if getattr(email, "content_subtype", "plain") == "html":
        html, text = email.body, ""
    else:
        text = email.body
    return [
        outbox_enqueue(
            to=address,
            subject=email.subject,
            body_text=text,
            body_html=html,
            kind=kind,
            from_email=email.from_email or "",
        )
        for address in email.recipients()
    ]


def _is_permanent(exc: Exception) -> bool:
    """The server refused the address itself (5xx): trying again tomorrow will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return False


def outbox_message_deliver(*, message_id: int, now: datetime.datetime | None = None) -> str | None:
    """Try to send one due message once; returns its new status, or None if it was not due or is being sent."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: two workers (the after-commit task and the sweeper) never send the same message twice.
        # A message never tried yet is due whatever the clocks say: the worker's
        # clock may run a little behind the web server's that wrote it.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .filter(Q(next_attempt_at__lte=now) | Q(attempts=0))
            .first()
        )
        if message is None:
            return None
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=message.from_email or None,
            to=[message.to],
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if _is_permanent(exc) or now >= message.give_up_at:
                message.status = OutboxMessage.Status.FAILED
                logger.error("Email %s to %s failed for good: %s", message.pk, message.to, message.last_error)
            else:
                message.next_attempt_at = now + outbox_backoff(message.attempts)
                logger.warning(
                    "Email %s to %s failed (attempt %s), retrying at %s: %s",
                    message.pk,
                    message.to,
                    message.attempts,
                    message.next_attempt_at.isoformat(),
                    message.last_error,
                )
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.last_error = ""
            # The body may carry a set-your-password or questionnaire link: once it
            # is delivered the row keeps who, what and when, not the link.
            message.body_text = message.body_html = ""
            if message.notification_id:
                Notification.objects.filter(pk=message.notification_id, emailed_at__isnull=True).update(emailed_at=now)
        message.save()
        return message.status


def outbox_deliver(*, message_ids: list[int]) -> int:
    """Deliver the given messages if they are due, each on its own; returns how many were sent."""
    sent = 0
    for pk in message_ids:
        if outbox_message_deliver(message_id=pk) == OutboxMessage.Status.SENT:
            sent += 1
    return sent


def outbox_deliver_due(*, budget_seconds: float = 45.0) -> dict[str, int]:
    """The sweeper: send every message that is due (never queued, lost, or waiting to retry)."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    started = time.monotonic()
    failures_in_a_row = 0
    due = list(OutboxMessage.objects.due().order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for pk in due:
        if time.monotonic() - started > budget_seconds or failures_in_a_row >= SWEEP_STOP_AFTER_FAILURES:
            logger.warning("Outbox sweep stopped early; the next sweep carries on")
            break
        status = outbox_message_deliver(message_id=pk)
        if status == OutboxMessage.Status.SENT:
            counts["sent"] += 1
            failures_in_a_row = 0
        elif status == OutboxMessage.Status.PENDING:
            counts["retrying"] += 1
            failures_in_a_row += 1
        elif status == OutboxMessage.Status.FAILED:
            counts["failed"] += 1
            failures_in_a_row += 1
    return counts


def outbox_message_resend(*, actor: User, message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue for another full retry window (Compliance admin)."""
    from compliance import rules as compliance_rules

    if not compliance_rules.can_manage_organisation.test(actor):
        raise PermissionDenied("Only the Compliance admin re-sends failed messages.")
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != OutboxMessage.Status.FAILED:
            raise ValidationError("Only a failed message can be re-sent.")
        now = timezone.now()
        message.status = OutboxMessage.Status.PENDING
        message.next_attempt_at = now
        message.give_up_at = now + _retry_window()
        message.save(update_fields=["status", "next_attempt_at", "give_up_at"])
        logger.info("Email %s to %s re-sent by %s", message.pk, message.to, actor.pk)
        _kick_after_commit(message.pk)
    return message
