"""Who may read or change supplier rows: the `restrict(user, action)` choke point of every supplier model.

The register is one scope: whoever may read it (procurement, the Lead, the
Board, directors, compliance admins) reads every supplier row, and only
procurement and the Lead change them. Two kinds of rows reach people outside
that scope, each through their own record: a contract owner's corrective
actions (and the evidence file they attached) and review tasks assigned to them.

The object predicates in suppliers/rules.py say the same per row; the parity
tests in suppliers/tests/test_restrict.py hold the two together.
"""

from __future__ import annotations

from django.db import models

from compliance import rules as role_rules
from compliance.querysets import RestrictedQuerySet


class Action:
    """The actions restrict() understands; any other answers nothing."""

    VIEW = "view"
    CHANGE = "change"
    # A contract owner may submit evidence for their own corrective action.
    SUBMIT_EVIDENCE = "submit_evidence"
    # A review task's assignee may complete it.
    COMPLETE = "complete"


class RegisterQuerySet(RestrictedQuerySet):
    """Rows that belong to the register as a whole: every row for its readers, changes for its managers."""

    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        predicate = {Action.VIEW: role_rules.can_view_suppliers, Action.CHANGE: role_rules.can_manage_suppliers}.get(
            action
        )
        if predicate is None or not predicate.test(user):
            return self.none()
        return self.all()


class ManagerOnlyQuerySet(RestrictedQuerySet):
    """Rows only the register's managers read: import jobs hold whole uploaded files."""

    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        if action not in (Action.VIEW, Action.CHANGE) or not role_rules.can_manage_suppliers.test(user):
            return self.none()
        return self.all()


def _own_rows(queryset: models.QuerySet, user, field: str) -> models.QuerySet:
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{field: user})


class OwnedByPersonQuerySet(RestrictedQuerySet):
    """Register rows that also reach the one person they are for (`person_field`), e.g. an action's owner."""

    person_field: str = ""
    # The action (besides view) the person may take on their own row, if any.
    person_action: str | None = None

    def restrict(self, user, action: str = Action.VIEW) -> models.QuerySet:
        if action == Action.VIEW:
            if role_rules.can_view_suppliers.test(user):
                return self.all()
            return _own_rows(self, user, self.person_field)
        if self.person_action is not None and action == self.person_action:
            if role_rules.can_manage_suppliers.test(user):
                return self.all()
            return _own_rows(self, user, self.person_field)
        if action == Action.CHANGE and role_rules.can_manage_suppliers.test(user):
            return self.all()
        return self.none()
