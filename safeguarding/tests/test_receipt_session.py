"""The receipt-code follow-up session: short-lived, and gone when anybody signs in or out on the browser."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.tests.factories import PASSWORD
from safeguarding.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_concern(submit):
    return submit(reporter=None, channel=Channel.ANONYMOUS_FORM)


def _open(client, code):
    return client.post(reverse("safeguarding:report_status"), {"code": code})


def _shows_report(client, concern) -> bool:
    response = client.get(reverse("safeguarding:report_follow_up"))
    return response.status_code == 200 and concern.reference in response.content.decode()


def test_signing_in_on_the_same_browser_drops_the_anonymous_report(client, anonymous_concern, make_user):
    assert _open(client, anonymous_concern.receipt_code).status_code == 302
    assert _shows_report(client, anonymous_concern)
    colleague = make_user(roles.STAFF)
    response = client.post(reverse("account_login"), {"login": colleague.email, "password": PASSWORD})
    assert response.status_code == 302
    assert not _shows_report(client, anonymous_concern)


def test_signing_out_drops_the_anonymous_report(client, anonymous_concern, make_user, login):
    login(make_user(roles.STAFF))
    _open(client, anonymous_concern.receipt_code)
    assert _shows_report(client, anonymous_concern)
    client.post(reverse("account_logout"))
    assert not _shows_report(client, anonymous_concern)


def test_the_follow_up_session_idles_out_quickly(client, anonymous_concern, settings):
    settings.RECEIPT_SESSION_IDLE_SECONDS = 600
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _open(client, anonymous_concern.receipt_code)
        clock.shift(datetime.timedelta(minutes=9))
        assert _shows_report(client, anonymous_concern)  # reading extends it
        clock.shift(datetime.timedelta(minutes=9))
        assert _shows_report(client, anonymous_concern)
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        response = client.get(reverse("safeguarding:report_follow_up"))
    assert response.status_code == 302
    assert response.url == reverse("safeguarding:report_status")
