"""Object rules for cases: who may see a case, work it, and see who reported it.

Each predicate has an SQL twin, `Concern.objects.restrict(user, action)` (and
the case records' `restrict`), for lists; the parity test
(safeguarding/tests/test_restrict.py) checks every role × case state against
`CASE_RULES` and `RECORD_RULES`, so the two never drift apart.
"""

import rules

from compliance import rules as role_rules
from safeguarding.models import CaseAction, SubjectType


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
can_view_case = role_rules.is_modern_slavery_lead | (
    role_rules.is_safeguarding_team & (is_case_assignee | involves_service_user)
)
can_work_case = can_view_case
# Triage, closing (the outcome feeds the KPIs and the Board), reopening and
# identity grants are the Lead's decisions.
can_triage_case = role_rules.is_modern_slavery_lead
can_close_case = role_rules.is_modern_slavery_lead
can_grant_identity = role_rules.is_modern_slavery_lead
can_see_reporter_identity = role_rules.is_modern_slavery_lead | (can_view_case & was_granted_reporter_identity)
can_follow_up_report = is_own_report
# Who has read a case (from the access log) is the Lead's oversight: the team does not see who else looked.
can_see_case_readers = role_rules.is_modern_slavery_lead

CASE_RULES = {
    CaseAction.VIEW: can_view_case,
    CaseAction.WORK: can_work_case,
    CaseAction.TRIAGE: can_triage_case,
    CaseAction.CLOSE: can_close_case,
    CaseAction.GRANT_IDENTITY: can_grant_identity,
    CaseAction.SEE_REPORTER: can_see_reporter_identity,
    CaseAction.FOLLOW_UP: can_follow_up_report,
}


def _on_case(case_predicate):
    """A record (timeline entry, referral, attachment, grant) follows its case's rule."""

    @rules.predicate(name=f"on_case:{case_predicate.name}")
    def predicate(user, record):
        return record is not None and case_predicate.test(user, record.concern)

    return predicate


# Timeline entries, referrals and attachments: `CaseRecordQuerySet.restrict(user, action)`.
RECORD_RULES = {action: _on_case(predicate) for action, predicate in CASE_RULES.items()}
can_view_case_record = RECORD_RULES[CaseAction.VIEW]
# Identity grants: `IdentityGrantQuerySet.restrict(user, action)`; seeing who else
# was told is part of knowing who reported.
IDENTITY_GRANT_RULES = {
    CaseAction.VIEW: _on_case(can_see_reporter_identity),
    CaseAction.GRANT_IDENTITY: _on_case(can_grant_identity),
}


# The organisations referrals go through: case workers choose from them, the Compliance admin keeps
# them (`FirstResponder.objects.restrict(user, action)` is the SQL twin).
FIRST_RESPONDER_RULES = {
    # Role rules: every responder is the same to a role (the list is the organisation's, not anyone's own).
    "view": role_rules.can_work_cases | role_rules.can_manage_organisation,
    "change": role_rules.can_manage_organisation,
}

rules.add_perm("safeguarding.view_case", can_view_case)
rules.add_perm("safeguarding.work_case", can_work_case)
rules.add_perm("safeguarding.triage_case", can_triage_case)
rules.add_perm("safeguarding.close_case", can_close_case)
rules.add_perm("safeguarding.see_reporter_identity", can_see_reporter_identity)
