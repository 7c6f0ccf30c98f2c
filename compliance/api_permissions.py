"""API-wide permission: the MFA rule of the web pages holds for the API too."""

from rest_framework import permissions

from compliance.middleware import needs_mfa_enrolment


class MFAEnrolledForPrivilegedRoles(permissions.BasePermission):
    """The API holds the same data as the pages, so the same MFA rule applies."""

    message = "Your role requires two-factor authentication: enrol in the web application first."

    def has_permission(self, request, view):
        return not needs_mfa_enrolment(request.user)
