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


# Every account holder may report a concern and sees their own training.
is_signed_in = rules.is_authenticated & rules.is_active

can_work_cases = is_modern_slavery_lead | is_safeguarding_team
can_manage_suppliers = is_procurement | is_modern_slavery_lead
can_view_suppliers = can_manage_suppliers | is_board_member | is_director | is_compliance_admin
can_manage_training = is_hr | is_compliance_admin
# Agencies are part of HR's recruitment work (agency workers, their right-to-work checks): HR reads
# the agency part of the register, nothing else of it, and changes none of it.
can_view_agencies = can_view_suppliers | is_hr
can_view_team_training = is_line_manager | can_manage_training
can_view_reporting = is_modern_slavery_lead | is_board_member | is_director | is_compliance_admin
can_manage_organisation = is_compliance_admin
can_view_access_log = is_modern_slavery_lead | is_compliance_admin

# HR and the Compliance admin keep the policy documents (the models are compliance's, see policy_models).
can_manage_policies = can_manage_training


@rules.predicate
def is_published_policy_version(user, version):
    return version is not None and version.published_at is not None


@rules.predicate
def is_own_acknowledgement(user, acknowledgement):
    return acknowledgement is not None and acknowledgement.user_id == user.pk


@rules.predicate
def is_notification_recipient(user, notification):
    return notification is not None and notification.recipient_id == user.pk


@rules.predicate
def manages_person(user, person):
    # Direct reports only, as on the team training page.
    return person is not None and is_line_manager.test(user) and person.line_manager_id == user.pk


can_view_policy = is_signed_in
can_view_policy_version = can_manage_policies | (is_signed_in & is_published_policy_version)
can_view_acknowledgement = can_manage_policies | is_own_acknowledgement
# Whose training a person oversees: everyone's for HR and the admin, direct reports' for a line manager.
can_oversee_training_of = can_manage_training | manages_person

rules.add_perm("compliance.report_concern", is_signed_in)
rules.add_perm("compliance.manage_organisation", can_manage_organisation)
rules.add_perm("compliance.view_access_log", can_view_access_log)
rules.add_perm("compliance.manage_policies", can_manage_policies)
rules.add_perm("safeguarding.work_cases", can_work_cases)
rules.add_perm("suppliers.view_register", can_view_suppliers)
rules.add_perm("suppliers.manage_register", can_manage_suppliers)
rules.add_perm("training.manage", can_manage_training)
rules.add_perm("training.view_team", can_view_team_training)
rules.add_perm("reporting.view", can_view_reporting)
