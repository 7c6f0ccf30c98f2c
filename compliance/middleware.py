"""Privileged roles (and admin staff) must enrol in MFA before they can use the application."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

# What a privileged user without MFA may still reach: the enrolment pages,
# the re-authentication allauth asks for before enrolment, logout, and the
# things that are not pages (static files, health, the API which checks MFA
# in its own permission class).
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/static/",
    "/health/",
    "/api/",
)


def needs_mfa_enrolment(user) -> bool:
    # Admin staff and superusers can read and change everything through the
    # Django admin, so they count as privileged whatever their roles.
    privileged = user.is_authenticated and (user.is_privileged or user.is_staff or user.is_superuser)
    return bool(privileged and not is_mfa_enabled(user))


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(_ALLOWED_PREFIXES):
            return self.get_response(request)
        needed = needs_mfa_enrolment(request.user)
        # Kept on the request, with whom it was asked of: every page's navigation asks too
        # (compliance.context_processors.platform).
        request.mfa_enrolment_checked = (request.user, needed)
        if needed:
            messages.warning(
                request,
                "Your role gives you access to confidential information, so you must set up "
                "two-factor authentication before you continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class RefuseTraceMiddleware:
    """TRACE (and TRACK) answer 405 everywhere: they echo a request back and serve no one here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"TRACE", "TRACK"}:
            return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
        return self.get_response(request)
