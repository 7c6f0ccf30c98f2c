import datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.internal.ratelimit import truncate_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from compliance import mfa_secrets
from compliance.models import OutboxMessage


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts for this account from this connection. Wait five minutes, "
            "or reset your password to sign in straight away."
        ),
    }

    def is_open_for_signup(self, request):
        # Accounts are created by the Compliance admin or the HR staff import;
        # people without an account report through the public form.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Enrolment follows straight on from the password sign-in our middleware
        # forced, and the recovery codes are shown straight after it: asking for
        # the password again in between only gets in the way. Changing or
        # removing a second factor later still asks.
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            cutoff = timezone.now() - datetime.timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT)
            authenticators = Authenticator.objects.filter(user=request.user)
            if not authenticators.exists() or not authenticators.filter(created_at__lt=cutoff).exists():
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_client_ip(self, request) -> str:
        # allauth believes X-Forwarded-For for ALLAUTH_TRUSTED_PROXY_COUNT hops; a
        # request that reached us with fewer hops (not through the proxy) is judged
        # by its own address instead of failing with a server error.
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            return request.META.get("REMOTE_ADDR") or "unknown"

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The "key" of allauth's login_failed limit is the account *and* the
        # address: a stranger's wrong passwords lock the account only where the
        # stranger is, never for its owner elsewhere. (IPv6 counts per /64, as
        # allauth's own per-address limit does.) A password reset clears the key
        # for the address it is done from (allauth calls this with the request).
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{truncate_ip(self.get_client_ip(request))}"

    def authentication_failed(self, request, **credentials) -> None:
        from compliance.account_services import login_failure_record

        login_failure_record(request=request, email=credentials.get("email") or "")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Invitations, password resets and security notices go through the
        # outbox like every other email: no web request talks to SMTP.
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from compliance.outbox import outbox_enqueue_email

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        outbox_enqueue_email(email=self.render_mail(template_prefix, email, ctx), kind=OutboxMessage.Kind.ACCOUNT)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (keys: MFA_ENCRYPTION_KEYS)."""

    def encrypt(self, text: str) -> str:
        return mfa_secrets.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secrets.decrypt(encrypted_text)
