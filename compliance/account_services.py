"""Writes for account security: API tokens and failed sign-ins."""

from __future__ import annotations

import hashlib
import logging
import time

from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from knox.models import AuthToken

from compliance.models import User
from compliance.web import rate_hit

logger = logging.getLogger(__name__)

LOGIN_FAILURE_WINDOW_SECONDS = 3600


# --- API tokens -------------------------------------------------------------


def _api_token_audit(user: User, change: str) -> None:
    # On the person's change history (django-auditlog), never the token or its digest.
    LogEntry.objects.log_create(user, action=LogEntry.Action.UPDATE, actor=user, changes={"api_token": ["", change]})


def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """Replace the user's API token with a new one; the clear token is returned here and never again."""
    with transaction.atomic():
        replaced, _ = AuthToken.objects.filter(user=user).delete()
        # knox keeps only a SHA-512 digest (and a 15-character lookup prefix).
        token, key = AuthToken.objects.create(user=user)
        _api_token_audit(user, "replaced" if replaced else "created")
    return token, key


def api_token_revoke(*, user: User) -> int:
    """Delete the user's API tokens; returns how many there were."""
    with transaction.atomic():
        deleted, _ = AuthToken.objects.filter(user=user).delete()
        if deleted:
            _api_token_audit(user, "revoked")
    return deleted


# --- Failed sign-ins ----------------------------------------------------------


def login_failure_record(*, request, email: str) -> None:
    """Count a failed sign-in for an account (from any address); tell its holder once the count is reached."""
    from compliance.services import client_ip, notification_send

    email = (email or "").strip().lower()
    if not email:
        return
    key = "auth:login-failures:" + hashlib.sha256(email.encode()).hexdigest()
    try:
        count = rate_hit(key, window_seconds=LOGIN_FAILURE_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001  the cache being down must not turn a wrong password into a 500
        logger.warning("Could not count a failed sign-in: the cache is unavailable", exc_info=True)
        return
    if count != settings.LOGIN_FAILURE_NOTIFY_AFTER:
        return
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    window = int(time.time()) // LOGIN_FAILURE_WINDOW_SECONDS
    notification_send(
        recipients=[user],
        subject="Failed sign-in attempts on your account",
        template="compliance/email/login_failures.txt",
        context={"count": count, "ip_address": client_ip(request) or "an unknown address"},
        url=reverse("account_reset_password"),
        dedupe_key=f"login-failures:{window}",
    )
