"""The permission choke point on the QuerySet, as NetBox's RestrictedQuerySet does it.

Every model that people read through a page, the API, an export or a FilterSet
has a QuerySet with `restrict(user, action="view")`; selectors, views, API
viewsets and exports all start from it, so who may see a row is decided in one
place. The object predicate in the app's `rules.py` must agree with it: each
app has a parity test (tests.support.assert_restrict_matches) that generates
every role × object state and compares `restrict()` with the predicate.
"""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """Subclasses implement `restrict`; an unknown action must answer `none()`, never everything."""

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say who may {action} its rows")


class RoleRestrictedQuerySet(RestrictedQuerySet):
    """Rows a role sees whole or not at all: `ACTIONS` maps each action to the role predicate that allows it."""

    ACTIONS: dict = {}

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        predicate = self.ACTIONS.get(action)
        return self.all() if predicate is not None and predicate.test(user) else self.none()
