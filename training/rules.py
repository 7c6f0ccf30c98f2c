"""Object rules for training records, recruitment checks and policies."""

import rules

from compliance import rules as compliance_rules


@rules.predicate
def is_record_owner(user, record):
    return record is not None and record.user_id == user.pk


@rules.predicate
def manages_record_owner(user, record):
    # Only direct reports: a manager's manager uses the HR view, not this one.
    return record is not None and compliance_rules.is_line_manager.test(user) and record.user.line_manager_id == user.pk


@rules.predicate
def is_active_course(user, course):
    return course is not None and course.is_active


# Everyone signed in sees the active courses (their own training); HR and the admin see all.
can_view_course = compliance_rules.can_manage_training | (compliance_rules.is_signed_in & is_active_course)
can_view_record = is_record_owner | manages_record_owner | compliance_rules.can_manage_training
# Nobody confirms their own self-declaration, not even HR.
can_confirm_record = (manages_record_owner | compliance_rules.can_manage_training) & ~is_record_owner
can_view_completion_rates = compliance_rules.can_manage_training | compliance_rules.can_view_reporting
# Recruitment checks hold DBS and right-to-work facts: HR and the Compliance admin only.
can_manage_recruitment_checks = compliance_rules.can_manage_training
can_manage_policies = compliance_rules.can_manage_policies

rules.add_perm("training.view_record", can_view_record)
rules.add_perm("training.confirm_record", can_confirm_record)
rules.add_perm("training.view_completion_rates", can_view_completion_rates)
rules.add_perm("training.manage_recruitment_checks", can_manage_recruitment_checks)
