"""Login, MFA enforcement, lockout and the role-based start page."""

import pytest
from django.core import mail
from django.urls import reverse

from compliance import roles
from compliance.models import OutboxMessage
from compliance.tests.factories import PASSWORD
from tests.support import current_totp_code, enrol_totp

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_staff_signs_in_with_email_and_password(client, make_user):
    user = make_user(roles.STAFF)
    response = _sign_in(client, user.email)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_gives_a_clear_message(client, make_user):
    user = make_user(roles.STAFF)
    response = _sign_in(client, user.email, "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_account_out(client, make_user):
    user = make_user(roles.STAFF)
    for _ in range(5):
        _sign_in(client, user.email, "wrong-password")
    # Even the right password is refused while locked out, with a message saying why.
    response = _sign_in(client, user.email)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", sorted(roles.PRIVILEGED_ROLES))
def test_privileged_role_without_mfa_is_sent_to_mfa_setup(client, make_user, role):
    user = make_user(role, mfa=False)
    _sign_in(client, user.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Only the enrolment page itself answers.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_privileged_role_enrols_with_a_real_totp_code_and_gets_in(client, make_user):
    user = make_user(roles.MODERN_SLAVERY_LEAD, mfa=False)
    _sign_in(client, user.email)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    bad = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert bad.status_code == 200
    assert "Incorrect code" in bad.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_enrolled_user_must_give_totp_code_at_sign_in(client, make_user):
    user = make_user(roles.DIRECTOR, mfa=False)
    secret = enrol_totp(user)
    response = _sign_in(client, user.email)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "Incorrect code" in wrong.content.decode()
    ok = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert ok.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_sends_email_and_expired_link_is_explained(
    client, make_user, django_capture_on_commit_callbacks
):
    user = make_user(roles.STAFF)
    # The email goes through the outbox and is sent after the commit, not by the request.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    response = client.get("/accounts/password/reset/key/zz-invalid-key/")
    assert response.status_code == 200
    assert "invalid" in response.content.decode().lower()


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()


def test_session_idles_out_after_thirty_minutes(client, make_user):
    import datetime

    import time_machine

    user = make_user(roles.STAFF)
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _sign_in(client, user.email)
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200  # activity renews the session
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url
