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


# --- Wrong-code counting ------------------------------------------------------------


def _wrong_code_like(code: str) -> str:
    """A wrong code that starts like the real one (its first group) and differs after."""
    first, *rest = code.split("-")
    return "-".join([first] + ["A" * 4 if group != "A" * 4 else "B" * 4 for group in rest])


def test_a_right_code_does_not_reset_the_address_counter(client, anonymous_concern, settings):
    settings.RECEIPT_CODE_MAX_ATTEMPTS = 3
    for _ in range(2):
        assert "could not find" in _open(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF").content.decode()
        assert _open(client, anonymous_concern.receipt_code).status_code == 302  # the right code, in between
    _open(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    response = _open(client, anonymous_concern.receipt_code)
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()


def test_wrong_codes_around_one_prefix_are_limited_across_addresses(client, anonymous_concern, settings):
    settings.RECEIPT_CODE_MAX_ATTEMPTS = 100
    settings.RECEIPT_CODE_PREFIX_MAX_ATTEMPTS = 3
    code = anonymous_concern.receipt_code
    for i in range(3):
        client.post(
            reverse("safeguarding:report_status"), {"code": _wrong_code_like(code)}, REMOTE_ADDR=f"203.0.113.{i}"
        )
    response = client.post(reverse("safeguarding:report_status"), {"code": code}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    # Codes that start differently are still checked from that address.
    other = client.post(reverse("safeguarding:report_status"), {"code": "2222-3333-4444-5555-6666-7777"})
    assert "could not find" in other.content.decode()
