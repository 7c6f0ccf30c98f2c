"""Account security: the admin behind allauth + MFA, hashed API tokens, encrypted TOTP secrets, fair lockout."""

import datetime
import io
import json

import pytest
import time_machine
from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from knox.models import AuthToken

from compliance import mfa_secrets, roles
from compliance.models import Notification
from compliance.tests.factories import PASSWORD
from tests.support import api_token, current_totp_code, enrol_totp

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
PROXY = "10.0.0.2"


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def superuser(make_user):
    return make_user(roles.STAFF, mfa=False, is_staff=True, is_superuser=True, email="root@example.org")


# --- The Django admin ---------------------------------------------------------------


def test_admin_login_page_sends_everyone_to_allauth(client, superuser):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    # Posting a password to the admin's own form signs nobody in.
    response = client.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not _signed_in(client)


def test_admin_sign_in_requires_totp(client, superuser):
    secret = enrol_totp(superuser)
    response = _sign_in(client, superuser.email)
    assert response.url == reverse("mfa_authenticate")
    # The right password alone opens nothing in the admin.
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_admin_staff_without_mfa_must_enrol_before_the_admin_opens(client, make_user, flags):
    user = make_user(roles.STAFF, mfa=False, **flags)
    _sign_in(client, user.email)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_admin_sign_in_locks_after_repeated_failures(client, superuser):
    enrol_totp(superuser)
    for _ in range(5):
        _sign_in(client, superuser.email, "wrong-password")
    response = _sign_in(client, superuser.email)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert response.status_code == 200  # no step towards the TOTP page
    assert client.get("/admin/").status_code == 302


# --- API tokens ----------------------------------------------------------------------


def test_api_token_is_stored_hashed_and_what_is_stored_cannot_authenticate(client, make_user):
    user = make_user(roles.STAFF, roles.HR)
    token = api_token(user)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    row = AuthToken.objects.get(user=user)
    assert token not in (row.digest, row.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = [str(value) for value in cursor.fetchone()]
    assert not any(token in value for value in stored)
    for value in stored:
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {value}")
        assert response.status_code == 401, value


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token ", "Token a b", "Token \xff\xfe"])
def test_bad_api_token_gets_401_with_a_challenge(client, header):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_no_credentials_gets_401_with_a_challenge(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_api_token_expires(client, make_user, settings):
    user = make_user(roles.STAFF)
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        token = api_token(user)
        clock.shift(datetime.timedelta(days=89))
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
        clock.shift(datetime.timedelta(days=2))
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_api_token_page_shows_the_token_once_and_replaces_the_old_one(client, make_user, login):
    user = make_user(roles.STAFF)
    login(user)
    old = api_token(user)
    response = client.post(reverse("api_token"), {"action": "create"})
    new = response.context["new_key"]
    assert new in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuthToken.objects.filter(user=user).count() == 1
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200
    again = client.get(reverse("api_token")).content.decode()
    assert new not in again
    assert "You have a token" in again
    client.post(reverse("api_token"), {"action": "revoke"})
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_drops_the_plain_text_token_table():
    from importlib import import_module

    migration = import_module("compliance.migrations.0004_secrets_at_rest")
    with connection.schema_editor() as editor:
        editor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        editor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1)")
        migration.drop_plain_text_tokens(None, editor)
    assert "authtoken_token" not in connection.introspection.table_names()


# --- TOTP secrets at rest --------------------------------------------------------------


def test_totp_secret_column_is_not_the_secret(client, make_user):
    user = make_user(roles.DIRECTOR, mfa=False)
    secret = enrol_totp(user)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data
    assert secret not in json.dumps(stored)
    assert mfa_secrets.decrypt(stored["secret"]) == secret
    # ... and the encrypted secret still signs the person in.
    _sign_in(client, user.email)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200


def test_recovery_codes_seed_is_encrypted(make_user):
    user = make_user(roles.DIRECTOR)
    recovery = RecoveryCodes.activate(user)
    stored = Authenticator.objects.get(pk=recovery.instance.pk).data
    seed = mfa_secrets.decrypt(stored["seed"])
    assert seed not in json.dumps(stored)
    assert recovery.validate_code(recovery.get_unused_codes()[0])


def test_key_rotation_and_old_plain_text_secrets(make_user, settings):
    old_key, new_key = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE=", "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="
    settings.MFA_ENCRYPTION_KEYS = [old_key]
    rotated_user = make_user(roles.DIRECTOR, mfa=False)
    rotated_secret = enrol_totp(rotated_user)
    # A secret written before encryption existed (stored in clear by an older release).
    legacy_user = make_user(roles.DIRECTOR, mfa=False)
    legacy_secret = enrol_totp(legacy_user)
    legacy = Authenticator.objects.get(user=legacy_user, type=Authenticator.Type.TOTP)
    Authenticator.objects.filter(pk=legacy.pk).update(data={**legacy.data, "secret": legacy_secret})

    settings.MFA_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("mfa_encrypt_secrets", stdout=out)
    assert "2 authenticator" in out.getvalue()

    settings.MFA_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    for user, secret in [(rotated_user, rotated_secret), (legacy_user, legacy_secret)]:
        totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
        assert totp.validate_code(current_totp_code(secret))


def test_rotation_refuses_when_a_needed_key_is_missing(make_user, settings):
    from django.core.management import CommandError

    settings.MFA_ENCRYPTION_KEYS = ["b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE="]
    enrol_totp(make_user(roles.DIRECTOR, mfa=False))
    settings.MFA_ENCRYPTION_KEYS = ["bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="]
    with pytest.raises(CommandError, match="put the old key back"):
        call_command("mfa_encrypt_secrets", stdout=io.StringIO())


def test_production_refuses_to_start_without_an_mfa_key():
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "MFA_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "compliance.settings", "DJANGO_SECRET_KEY": "x" * 50}
    for extra, message in [({}, "MFA_ENCRYPTION_KEYS is not set"), ({"MFA_ENCRYPTION_KEYS": "short"}, "not a Fernet")]:
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=django_settings.BASE_DIR,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert message in result.stderr
        assert "Traceback" not in result.stderr


# --- Lockout that cannot be turned against the owner ------------------------------------


def test_lockout_from_one_address_does_not_lock_the_owner_out_elsewhere(client, make_user):
    user = make_user(roles.STAFF)
    for _ in range(5):
        _sign_in(client, user.email, "wrong-password", REMOTE_ADDR=ATTACKER)
    response = _sign_in(client, user.email, REMOTE_ADDR=ATTACKER)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not _signed_in(client)
    response = _sign_in(client, user.email, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert _signed_in(client)


def test_lockout_ends_after_the_documented_five_minutes(client, make_user):
    user = make_user(roles.STAFF)
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            _sign_in(client, user.email, "wrong-password")
        clock.shift(datetime.timedelta(minutes=4))
        assert "Too many failed" in _sign_in(client, user.email).content.decode()
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert _sign_in(client, user.email).status_code == 302


def test_allauth_reads_the_client_address_through_one_trusted_proxy(client, make_user, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {OWNER}")
    assert get_adapter().get_client_ip(request) == OWNER
    # Not through the proxy at all: the connection's own address, not a server error.
    assert get_adapter().get_client_ip(RequestFactory().get("/", REMOTE_ADDR=OWNER)) == OWNER

    # Behind the proxy, one attacker's failures do not lock out other clients of that proxy.
    user = make_user(roles.STAFF)
    for _ in range(10):
        _sign_in(client, user.email, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    response = _sign_in(client, user.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302


def test_allauth_proxy_count_comes_from_trusted_proxy_count():
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env |= {"DJANGO_SETTINGS_MODULE": "compliance.settings_test", "TRUSTED_PROXY_COUNT": "1"}
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "1", result.stderr


def test_password_reset_unlocks_the_account(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF)
    for _ in range(5):
        _sign_in(client, user.email, "wrong-password")
    assert "Too many failed" in _sign_in(client, user.email).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves through the outbox after commit
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_url = client.get(path).url  # allauth moves the key out of the URL first
    new_password = "a-brand-new-Passw0rd-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert _sign_in(client, user.email, new_password).status_code == 302
    assert _signed_in(client)


def test_owner_is_told_once_about_repeated_failures(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(roles.STAFF)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(12):
            _sign_in(client, user.email, "wrong-password", REMOTE_ADDR=f"203.0.113.{i}")
    told = [m for m in mail.outbox if m.to == [user.email]]
    assert len(told) == 1
    assert "failed attempts to sign in" in told[0].body
    assert "203.0.113.4" in told[0].body  # the address of the fifth failure
    assert "/accounts/password/reset/" in told[0].body
    assert Notification.objects.filter(recipient=user, subject__icontains="failed sign-in").count() == 1


def test_failures_for_an_unknown_address_tell_nobody(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            _sign_in(client, "nobody@example.org", "wrong-password")
    assert mail.outbox == []
