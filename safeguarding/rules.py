"""Object rules for cases: who may see a case, work it, and see who reported it."""

import rules

from compliance import rules as r
from safeguarding.models import SubjectType


@rules.predicate
def is_case_assignee(user, concern):
    return concern is not None and user.is_authenticated and concern.assignee_id == user.pk


@rules.predicate
def involves_service_user(user, concern):
    return concern is not None and concern.subject_type == SubjectType.SERVICE_USER


@rules.predicate
def was_granted_reporter_identity(user, concern):
    if concern is None or not user.is_authenticated:
        return False
    return concern.identity_grants.filter(user=user).exists()


@rules.predicate
def is_own_report(user, concern):
    return concern is not None and user.is_authenticated and concern.reporter_id == user.pk


# The Safeguarding team works what it is assigned and everything about service users.
can_view_case = r.is_modern_slavery_lead | (r.is_safeguarding_team & (is_case_assignee | involves_service_user))
can_work_case = can_view_case
# Triage, closing (the outcome feeds the KPIs and the Board), reopening and
# identity grants are the Lead's decisions.
can_triage_case = r.is_modern_slavery_lead
can_close_case = r.is_modern_slavery_lead
can_grant_identity = r.is_modern_slavery_lead
can_see_reporter_identity = r.is_modern_slavery_lead | (can_view_case & was_granted_reporter_identity)

rules.add_perm("safeguarding.view_case", can_view_case)
rules.add_perm("safeguarding.work_case", can_work_case)
rules.add_perm("safeguarding.triage_case", can_triage_case)
rules.add_perm("safeguarding.close_case", can_close_case)
rules.add_perm("safeguarding.see_reporter_identity", can_see_reporter_identity)
