"""Who holds each role rule, written out as the design says it (DESIGN.md, roles).

Other tests check that pages, the navigation and restrict() agree with these rules; they cannot
see a rule that is wrong everywhere at once (a rule that lets everyone in agrees with itself).
This table is the independent statement: a changed rule must change it too, on purpose.
"""

import pytest

from compliance import roles
from compliance import rules as r
from tests.support import assert_outsiders_refused, roles_granted

S, LM, LEAD, SG, PROC, HR, BOARD, DIR, ADMIN = (
    roles.STAFF,
    roles.LINE_MANAGER,
    roles.MODERN_SLAVERY_LEAD,
    roles.SAFEGUARDING_TEAM,
    roles.PROCUREMENT,
    roles.HR,
    roles.BOARD_MEMBER,
    roles.DIRECTOR,
    roles.COMPLIANCE_ADMIN,
)
EVERY_ROLE = set(roles.ALL_ROLES)

WHO = {
    "is_signed_in": EVERY_ROLE,
    "can_work_cases": {LEAD, SG},
    "can_manage_suppliers": {PROC, LEAD},
    "can_view_suppliers": {PROC, LEAD, BOARD, DIR, ADMIN},
    "can_view_agencies": {PROC, LEAD, BOARD, DIR, ADMIN, HR},
    "can_manage_training": {HR, ADMIN},
    "can_view_team_training": {LM, HR, ADMIN},
    "can_view_reporting": {LEAD, BOARD, DIR, ADMIN},
    "can_manage_organisation": {ADMIN},
    "can_view_access_log": {LEAD, ADMIN},
    "can_manage_policies": {HR, ADMIN},
    "can_view_policy": EVERY_ROLE,
}


@pytest.mark.django_db
@pytest.mark.parametrize("rule", sorted(WHO))
def test_each_role_rule_grants_exactly_the_roles_the_design_names(rule, make_user):
    predicate = getattr(r, rule)
    granted = roles_granted(predicate, make_user)
    assert granted == WHO[rule]
    # Nobody outside: not a visitor, and not an account that has been switched off.
    assert_outsiders_refused(predicate, make_user)
