from django.conf import settings

from compliance.middleware import needs_mfa_enrolment
from compliance.navigation import sections_for
from compliance.selectors import notification_unread_count, organisation_profile


def platform(request):
    """What every page needs: helpline, organisation name, nav and the bell."""
    user = getattr(request, "user", None)
    organisation = organisation_profile(request)
    signed_in = bool(user and user.is_authenticated)
    # Until a privileged user has enrolled in MFA every link would bounce back.
    # RequireMFAMiddleware has asked already for any page it lets through (for the same user:
    # a request that signs someone in has a new one).
    checked = getattr(request, "mfa_enrolment_checked", None)
    needs_mfa = checked[1] if checked is not None and checked[0] is user else needs_mfa_enrolment(user)
    show_nav = signed_in and not needs_mfa
    return {
        "organisation": organisation,
        "organisation_name": (organisation.trading_name or organisation.legal_name)
        if organisation
        else "Modern slavery compliance",
        "helpline_number": organisation.helpline_number if organisation else settings.MODERN_SLAVERY_HELPLINE,
        "nav_sections": sections_for(user) if show_nav else [],
        "unread_notifications": notification_unread_count(user=user) if signed_in else 0,
    }
