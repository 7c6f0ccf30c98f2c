from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.utils import is_mfa_enabled


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by the Compliance admin or the HR staff import;
        # people without an account report through the public form.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # First enrolment follows straight on from a password sign-in that our
        # middleware forced; asking for the password again there only gets in
        # the way. Changing or removing an existing second factor still asks.
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            if not is_mfa_enabled(request.user):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
