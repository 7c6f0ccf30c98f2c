"""Supplier emails go through the outbox: a chaser never kills a working link; SMTP failure loses nothing."""

import datetime
import re
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from compliance.models import OutboxMessage
from compliance.outbox import outbox_deliver_due
from suppliers.models import QuestionnaireTemplate
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.services import questionnaire as questionnaire_services
from suppliers.tasks import questionnaire_chasers
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)


class DownBackend(LocmemBackend):
    """SMTP that refuses every connection while `down` is set."""

    down = False

    def send_messages(self, messages):
        if DownBackend.down:
            raise smtplib.SMTPConnectError(421, "Service not available")
        return super().send_messages(messages)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    DownBackend.down = False
    return DownBackend


def _opens(client, token: str) -> bool:
    """The link still works: it is exchanged for a session and the questionnaire page opens."""
    return client.get(reverse("suppliers:questionnaire_public", args=[token]), follow=True).status_code == 200


def _link_token(body: str) -> str:
    return re.search(r"/suppliers/q/([^/\s]+)/", body).group(1)


def test_chaser_during_an_smtp_outage_keeps_the_working_link(
    client, procurement, smtp, django_capture_on_commit_callbacks
):
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        request, token = questionnaire_services.questionnaire_send(
            supplier=SupplierFactory(),
            template=template,
            actor=procurement,
            contact_name="Kim",
            contact_email="kim@x.example",
        )
    assert _link_token(mail.outbox[0].body) == token

    # Day 8, SMTP down: the chaser is written to the outbox but cannot be delivered.
    smtp.down = True
    with time_machine.travel(START + datetime.timedelta(days=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert questionnaire_chasers()["chased"] == 1
        chaser = OutboxMessage.objects.get(subject__startswith="Reminder:")
        assert chaser.status == "pending" and "SMTPConnectError" in chaser.last_error
        # The link the supplier already has still works.
        assert _opens(client, token)

    # SMTP back: the reminder carries that same link.
    smtp.down = False
    with time_machine.travel(START + datetime.timedelta(days=8, minutes=5), tick=False):
        outbox_deliver_due()
        reminder = mail.outbox[-1]
        assert reminder.subject.startswith("Reminder:") and _link_token(reminder.body) == token
        assert _opens(client, token)


def test_chaser_for_a_request_without_a_seed_points_to_the_earlier_email(
    client, procurement, smtp, django_capture_on_commit_callbacks
):
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    with time_machine.travel(START, tick=False):
        request, token = questionnaire_services.questionnaire_send(
            supplier=SupplierFactory(), template=template, actor=procurement, contact_name="Kim", contact_email="k@x.ex"
        )
    # A request made before links had seeds: its link cannot be rebuilt, so it must not be replaced.
    type(request).objects.filter(pk=request.pk).update(token_seed="")
    with time_machine.travel(START + datetime.timedelta(days=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert questionnaire_chasers()["chased"] == 1
        reminder = mail.outbox[-1]
        assert "/suppliers/q/" not in reminder.body and "link in our earlier email" in reminder.body
        assert _opens(client, token)


def test_questionnaire_link_is_shown_and_kept_when_smtp_is_down(
    client, procurement, login, smtp, django_capture_on_commit_callbacks
):
    smtp.down = True
    supplier = SupplierFactory()
    login(procurement)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("suppliers:questionnaire_send", args=[supplier.pk]),
            {
                "template": QuestionnaireTemplate.objects.get(name=MSAT_NAME).pk,
                "contact_name": "Kim",
                "contact_email": "kim@x.example",
                "valid_days": 30,
            },
            follow=True,
        )
    assert response.status_code == 200
    shown = _link_token(response.content.decode())
    smtp.down = False
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        outbox_deliver_due()
    assert [m.to for m in mail.outbox] == [["kim@x.example"]]
    assert _link_token(mail.outbox[0].body) == shown


def test_code_of_conduct_emails_are_written_not_sent_by_the_request(
    client, procurement, login, django_capture_on_commit_callbacks
):
    SupplierFactory(status="active", contact_email="a@one.example")
    SupplierFactory(status="active", contact_email="b@two.example")
    login(procurement)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("suppliers:conduct"),
            {"version": "2026.2", "title": "Code", "effective_from": "2026-04-01", "clauses": "No fees."},
        )
    assert mail.outbox == []
    rows = OutboxMessage.objects.filter(kind="code of conduct")
    assert sorted(rows.values_list("to", flat=True)) == ["a@one.example", "b@two.example"]
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox if m.to[0].endswith(".example")) == ["a@one.example", "b@two.example"]
