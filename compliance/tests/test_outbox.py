"""The outbox: every email is a row written with the change, retried with backoff, failed after a day, re-sendable."""

import datetime
import smtplib
import socket
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.celery import app
from compliance.models import Notification, OutboxMessage
from compliance.outbox import outbox_backoff, outbox_deliver_due
from compliance.services import notification_send

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


class FlakyBackend(LocmemBackend):
    """SMTP that fails its first `failures` sends, and always for addresses in `broken`, then delivers."""

    failures = 0
    broken: set[str] = set()
    refused: set[str] = set()
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        for message in messages:
            if set(message.to) & FlakyBackend.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 No such user")})
            if set(message.to) & FlakyBackend.broken:
                raise smtplib.SMTPDataError(451, b"4.3.0 Mailbox temporarily unavailable")
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.broken, FlakyBackend.refused, FlakyBackend.attempts = 0, set(), set(), 0
    return FlakyBackend


def _sweep(at):
    with time_machine.travel(at, tick=False):
        return outbox_deliver_due()


def test_email_is_written_with_the_change_and_rolled_back_with_it(make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            notification_send(recipients=[user], subject="Never happened")
            assert OutboxMessage.objects.filter(to=user.email).count() == 1
            raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_smtp_failing_then_recovering_delivers_every_message_once(flaky, make_user, django_capture_on_commit_callbacks):
    people = [make_user(roles.STAFF) for _ in range(3)]
    flaky.failures = 4
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=people, subject="Training due")
    # The after-commit delivery tried each one on its own: three failures, nothing lost.
    assert mail.outbox == []
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [(m.status, m.attempts) for m in rows] == [("pending", 1)] * 3
    assert "SMTPServerDisconnected" in rows[0].last_error
    assert rows[0].next_attempt_at == START + datetime.timedelta(minutes=1)

    # Not due yet: the sweeper leaves them alone.
    assert _sweep(START + datetime.timedelta(seconds=30)) == {"sent": 0, "retrying": 0, "failed": 0}
    # One more failure, then the server recovers: the other two go out in the same sweep.
    assert _sweep(START + datetime.timedelta(minutes=1)) == {"sent": 2, "retrying": 1, "failed": 0}
    assert _sweep(START + datetime.timedelta(minutes=2)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert _sweep(START + datetime.timedelta(minutes=3)) == {"sent": 1, "retrying": 0, "failed": 0}
    for minutes in (4, 60, 600):
        _sweep(START + datetime.timedelta(minutes=minutes))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all(n.emailed_at for n in Notification.objects.all())
    sent = OutboxMessage.objects.get(to=people[0].email)
    assert sent.status == "sent" and sent.body_text == ""  # the delivered body (links) is not kept


def test_backoff_grows_to_an_hour():
    assert [outbox_backoff(n).total_seconds() / 60 for n in (1, 2, 3, 6, 7, 12)] == [1, 2, 4, 32, 60, 60]


def test_failing_address_is_retried_for_a_day_then_failed_and_shown_to_the_compliance_admin(
    flaky, make_user, client, login, django_capture_on_commit_callbacks
):
    good, bad = make_user(roles.STAFF), make_user(roles.STAFF, email="nobody@broken.example")
    flaky.broken = {bad.email}
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[good, bad], subject="Policy to acknowledge")
    assert [m.to for m in mail.outbox] == [[good.email]]
    message = OutboxMessage.objects.get(to=bad.email)
    for hours in range(1, 24):
        _sweep(START + datetime.timedelta(hours=hours))
        message.refresh_from_db()
        assert message.status == "pending", f"gave up after {hours} h"
    _sweep(START + datetime.timedelta(hours=24, minutes=1))
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts >= 20
    assert "SMTPDataError" in message.last_error
    assert [m.to for m in mail.outbox] == [[good.email]]

    # /health/ stays up but says degraded, with the count.
    health = client.get(reverse("health")).json()
    assert health["status"] == "degraded" and health["outbox"]["failed"] == 1

    # Only the Compliance admin sees the page and may re-send; everyone else gets 404.
    for role in (roles.STAFF, roles.MODERN_SLAVERY_LEAD, roles.PROCUREMENT, roles.HR):
        login(make_user(role))
        assert client.get(reverse("outbox_failed")).status_code == 404
        assert client.post(reverse("outbox_resend", args=[message.pk])).status_code == 404
    login(make_user(roles.COMPLIANCE_ADMIN))
    page = client.get(reverse("outbox_failed")).content.decode()
    assert bad.email in page and "Policy to acknowledge" in page and "SMTPDataError" in page

    flaky.broken = set()  # the mailbox is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox_resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([good.email, bad.email])
    assert "No failed emails." in client.get(reverse("outbox_failed")).content.decode()
    assert client.get(reverse("health")).json()["status"] == "ok"


def test_an_address_the_server_refuses_fails_at_once(flaky, make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF, email="gone@example.org")
    flaky.refused = {user.email}
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[user], subject="Hello")
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 1 and "550" in message.last_error


def test_sweep_stops_early_while_smtp_is_down(flaky, make_user):
    with time_machine.travel(START, tick=False):
        notification_send(recipients=[make_user(roles.STAFF) for _ in range(8)], subject="Hello")
    flaky.failures = 100
    counts = _sweep(START + datetime.timedelta(seconds=1))
    # Five failures in a row: the rest keep their attempts for when the server is back.
    assert counts == {"sent": 0, "retrying": 5, "failed": 0}
    assert OutboxMessage.objects.filter(attempts=0).count() == 3


def test_allauth_invitation_goes_through_the_outbox(client, make_user, login, django_capture_on_commit_callbacks):
    login(make_user(roles.COMPLIANCE_ADMIN))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("person_create"),
            {"email": "new@example.org", "full_name": "New", "employment_type": "permanent", "is_active": "on"},
        )
    # The request wrote the email; nothing was sent by it.
    assert mail.outbox == []
    message = OutboxMessage.objects.get(to="new@example.org")
    assert message.kind == "account" and "/accounts/password/reset/key/" in message.body_text
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


class HangingSMTPServer:
    """A real local socket server that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        for conn in self.connections:
            conn.close()
        self.sock.close()


def test_a_hanging_smtp_server_blocks_no_web_request(
    client, make_user, login, settings, django_capture_on_commit_callbacks
):
    from suppliers.models import QuestionnaireTemplate
    from suppliers.tests.factories import SupplierFactory

    server = HangingSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    # Production: tasks go to a worker (here the broker is down too, the worst case for the request).
    app.conf.task_always_eager = False
    app.conf.broker_url, app._pool, app.amqp._producer_pool = "redis://127.0.0.1:1/0", None, None
    try:
        supplier = SupplierFactory()
        login(make_user(roles.PROCUREMENT))
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("suppliers:questionnaire_send", args=[supplier.pk]),
                {
                    "template": QuestionnaireTemplate.objects.filter(is_active=True).first().pk,
                    "contact_name": "Kim",
                    "contact_email": "kim@supplier.example",
                    "valid_days": 30,
                },
                follow=True,
            )
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        # The link is shown to procurement once, whatever the mail server does.
        assert "/suppliers/q/" in response.content.decode()
        assert elapsed < 2, f"the request took {elapsed:.1f}s"
        message = OutboxMessage.objects.get(to="kim@supplier.example")
        assert message.status == "pending" and message.attempts == 0

        # The worker's attempt is bounded by EMAIL_TIMEOUT and recorded for a retry.
        started = time.monotonic()
        outbox_deliver_due()
        assert time.monotonic() - started < 5
        message.refresh_from_db()
        assert message.status == "pending" and message.attempts == 1
        assert "timed out" in message.last_error.lower() or "timeout" in message.last_error.lower()
        assert message.next_attempt_at > timezone.now()
    finally:
        server.close()
        app.conf.task_always_eager = old_eager
        app.conf.broker_url, app._pool, app.amqp._producer_pool = old_url, None, None
