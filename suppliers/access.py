"""The page-level gates every supplier views module shares (object scope is the selectors' restrict())."""

from django.core.exceptions import PermissionDenied

from compliance import rules as role_rules
from compliance.web import require


def require_manager_page(user) -> None:
    """A form only managers use does not exist for anyone else: 404, readers included (DESIGN: out of scope)."""
    require(role_rules.can_manage_suppliers, user)


def require_manager_action(user) -> None:
    """An action on a page readers can see: 404 outside the register, 403 for a reader."""
    require(role_rules.can_view_suppliers, user)
    if not role_rules.can_manage_suppliers.test(user):
        raise PermissionDenied
