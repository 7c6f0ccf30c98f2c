"""Role predicates, the one place that says who holds which role.

Views, templates (`{% has_perm %}` or the `roles` context), the API and the
selectors of every app use these; no code compares group names by hand.
"""

import rules

from compliance import roles


def _has_role(role_name):
    @rules.predicate(name=f"has_role:{role_name}")
    def predicate(user):
        return bool(user and user.is_authenticated and user.is_active and role_name in user.role_names)

    return predicate


is_staff_member = _has_role(roles.STAFF)
is_line_manager = _has_role(roles.LINE_MANAGER)
is_modern_slavery_lead = _has_role(roles.MODERN_SLAVERY_LEAD)
is_safeguarding_team = _has_role(roles.SAFEGUARDING_TEAM)
is_procurement = _has_role(roles.PROCUREMENT)
is_hr = _has_role(roles.HR)
is_board_member = _has_role(roles.BOARD_MEMBER)
is_director = _has_role(roles.DIRECTOR)
is_compliance_admin = _has_role(roles.COMPLIANCE_ADMIN)


@rules.predicate
def is_privileged(user):
    return bool(user and user.is_authenticated and user.is_privileged)


# Every account holder may report a concern and sees their own training.
is_signed_in = rules.is_authenticated & rules.is_active

can_work_cases = is_modern_slavery_lead | is_safeguarding_team
can_manage_suppliers = is_procurement | is_modern_slavery_lead
can_view_suppliers = can_manage_suppliers | is_board_member | is_director | is_compliance_admin
can_manage_training = is_hr | is_compliance_admin
can_view_team_training = is_line_manager | can_manage_training
can_view_reporting = is_modern_slavery_lead | is_board_member | is_director | is_compliance_admin
can_manage_organisation = is_compliance_admin
can_view_access_log = is_modern_slavery_lead | is_compliance_admin

rules.add_perm("compliance.report_concern", is_signed_in)
rules.add_perm("compliance.manage_organisation", can_manage_organisation)
rules.add_perm("compliance.view_access_log", can_view_access_log)
rules.add_perm("safeguarding.work_cases", can_work_cases)
rules.add_perm("suppliers.view_register", can_view_suppliers)
rules.add_perm("suppliers.manage_register", can_manage_suppliers)
rules.add_perm("training.manage", can_manage_training)
rules.add_perm("training.view_team", can_view_team_training)
rules.add_perm("reporting.view", can_view_reporting)
