import datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.utils import timezone


class AccountAdapter(DefaultAccountAdapter):
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
