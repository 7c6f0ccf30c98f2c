"""Object rules for supplier records: who may see or act on one row.

The register is one scope (compliance.rules.can_view_suppliers / can_manage_suppliers);
a contract owner outside it reaches only their own corrective actions (and the
evidence file they attached) and the review tasks assigned to them. The
QuerySets' `restrict()` (suppliers/models/querysets.py) says the same for many
rows at once; suppliers/tests/test_restrict.py checks the two agree.
"""

import rules

from compliance import rules as role_rules
from suppliers.models import CorrectiveAction


@rules.predicate
def owns_corrective_action(user, action):
    return action is not None and user.is_authenticated and action.owner_id == user.pk


@rules.predicate
def owns_corrective_action_of_event(user, event):
    return event is not None and user.is_authenticated and event.action.owner_id == user.pk


@rules.predicate
def is_review_task_assignee(user, task):
    return task is not None and user.is_authenticated and task.assigned_to_id == user.pk


@rules.predicate
def attached_as_own_evidence(user, document):
    if document is None or not user.is_authenticated:
        return False
    return CorrectiveAction.objects.filter(owner=user, evidence_document=document).exists()


@rules.predicate
def is_agency(user, supplier):
    return supplier is not None and supplier.agency_applies


@rules.predicate
def is_not_terminated(user, supplier):
    return supplier is not None and supplier.status != supplier.Status.TERMINATED


# Rows of the register as a whole (suppliers, audits, findings, assessments, questionnaires...).
can_view_register_record = role_rules.can_view_suppliers
can_change_register_record = role_rules.can_manage_suppliers
# A terminated supplier is read-only (suppliers.services.register.supplier_open_check says the same in
# the services); only a decision to reinstate it changes it.
can_change_supplier = role_rules.can_manage_suppliers & is_not_terminated
# A supplier row itself: the register's readers, and HR for the agencies (read only).
can_view_supplier = can_view_register_record | (role_rules.is_hr & is_agency)

can_view_corrective_action = role_rules.can_view_suppliers | owns_corrective_action
can_submit_corrective_action_evidence = role_rules.can_manage_suppliers | owns_corrective_action
can_view_corrective_action_event = role_rules.can_view_suppliers | owns_corrective_action_of_event
can_view_review_task = role_rules.can_view_suppliers | is_review_task_assignee
can_complete_review_task = role_rules.can_manage_suppliers | is_review_task_assignee
can_view_document = role_rules.can_view_suppliers | attached_as_own_evidence
# An import job holds a whole uploaded register file: only the people who may change the register see it.
can_view_supplier_import = role_rules.can_manage_suppliers

rules.add_perm("suppliers.view_supplier", can_view_supplier)
rules.add_perm("suppliers.view_corrective_action", can_view_corrective_action)
rules.add_perm("suppliers.submit_corrective_action_evidence", can_submit_corrective_action_evidence)
rules.add_perm("suppliers.view_review_task", can_view_review_task)
rules.add_perm("suppliers.complete_review_task", can_complete_review_task)
rules.add_perm("suppliers.view_document", can_view_document)
