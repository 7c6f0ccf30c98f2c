"""Who holds each supplier rule, written out independently of the rule (DESIGN.md, roles).

suppliers/tests/test_restrict.py checks that restrict() agrees with suppliers/rules.py, and the
permission matrix reads the same rules: neither can see a rule that is wrong everywhere at once
(a rule that lets everyone in agrees with itself). These tables are the independent statement, as
compliance/tests/test_role_rules.py is for the role rules: a changed rule must change them too, on purpose.

Object rules are asked about an object that is *not* the person's (not their action, not their task,
not their evidence), so only the role part answers; what the object part adds is stated fact by fact below.
"""

import pytest
from django.utils import timezone

from compliance import roles
from suppliers import rules as r
from suppliers.models import CorrectiveActionEvent, ReviewTask, Supplier, SupplierDocument
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory
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
# Procurement keeps the register. The Lead also changes it and the Board, the Director and the admin
# read it: that is the code's compliance.rules.can_manage_suppliers / can_view_suppliers (encoded the
# same in compliance/tests/test_role_rules.py); DESIGN.md's roles table names only Procurement for suppliers.
REGISTER_MANAGERS = {PROC, LEAD}
REGISTER_READERS = {PROC, LEAD, BOARD, DIR, ADMIN}


def _document(supplier):
    return SupplierDocument.objects.create(
        supplier=supplier, file="suppliers/e.pdf", original_name="e.pdf", content_type="application/pdf", size=1
    )


def _review_task(supplier, assigned_to=None):
    return ReviewTask.objects.create(
        supplier=supplier, assigned_to=assigned_to, reason="Annual review", due_date=timezone.localdate()
    )


# Each case: the rule, and a function building an object that is nobody's in particular (an action
# owned by a stranger, an unassigned task, a file nobody attached as evidence).
OBJECTS = {
    "supplier": lambda: SupplierFactory(status=Supplier.Status.ACTIVE, is_recruitment_agency=False),
    "agency": lambda: SupplierFactory(status=Supplier.Status.ACTIVE, is_recruitment_agency=True),
    "terminated supplier": lambda: SupplierFactory(status=Supplier.Status.TERMINATED),
    "someone else's corrective action": lambda: CorrectiveActionFactory(),
    "event of someone else's action": lambda: CorrectiveActionEvent.objects.create(
        action=CorrectiveActionFactory(), kind="opened", message="Opened."
    ),
    "unassigned review task": lambda: _review_task(SupplierFactory()),
    "document nobody attached as evidence": lambda: _document(SupplierFactory()),
    "no object": lambda: None,
}

WHO = [
    # Register rows as a whole (audits, findings, assessments, questionnaires...).
    ("can_view_register_record", "no object", REGISTER_READERS),
    ("can_change_register_record", "no object", REGISTER_MANAGERS),
    # An import job holds a whole uploaded register file: its managers only.
    ("can_view_supplier_import", "no object", REGISTER_MANAGERS),
    # A supplier row: the register's readers; HR reads the agencies too, nothing else (DESIGN: HR, agencies).
    ("can_view_supplier", "supplier", REGISTER_READERS),
    ("can_view_supplier", "agency", REGISTER_READERS | {HR}),
    # HR reads agencies but changes none of them.
    ("can_change_supplier", "agency", REGISTER_MANAGERS),
    ("can_change_supplier", "supplier", REGISTER_MANAGERS),
    # A terminated supplier is read-only for everyone (only a decision to reinstate it changes it).
    ("can_change_supplier", "terminated supplier", set()),
    ("can_view_supplier", "terminated supplier", REGISTER_READERS),
    ("can_view_corrective_action", "someone else's corrective action", REGISTER_READERS),
    ("can_submit_corrective_action_evidence", "someone else's corrective action", REGISTER_MANAGERS),
    ("can_view_corrective_action_event", "event of someone else's action", REGISTER_READERS),
    ("can_view_review_task", "unassigned review task", REGISTER_READERS),
    ("can_complete_review_task", "unassigned review task", REGISTER_MANAGERS),
    ("can_view_document", "document nobody attached as evidence", REGISTER_READERS),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "thing", "expected"), WHO, ids=[f"{rule}-{thing}" for rule, thing, _ in WHO])
def test_each_rule_grants_exactly_the_roles_the_design_names(rule, thing, expected, make_user):
    predicate = getattr(r, rule)
    obj = OBJECTS[thing]()
    granted = roles_granted(predicate, make_user, obj)
    assert granted == expected
    # Nobody outside: not a visitor, and not an account that has been switched off (whatever its roles).
    assert_outsiders_refused(predicate, make_user, obj)


# What the object adds: a contract owner outside the register reaches their own corrective actions,
# the evidence they attached and the review tasks assigned to them (suppliers/rules.py docstring).


@pytest.fixture
def owner(make_user):
    """A contract owner with no register role: whatever they reach, their object gives them."""
    return make_user(S)


@pytest.mark.django_db
def test_a_contract_owner_sees_their_own_corrective_action(owner):
    assert r.can_view_corrective_action.test(owner, CorrectiveActionFactory(owner=owner))


@pytest.mark.django_db
def test_a_contract_owner_submits_evidence_for_their_own_corrective_action(owner):
    assert r.can_submit_corrective_action_evidence.test(owner, CorrectiveActionFactory(owner=owner))


@pytest.mark.django_db
def test_a_contract_owner_does_not_see_another_owners_corrective_action(owner):
    assert not r.can_view_corrective_action.test(owner, CorrectiveActionFactory())


@pytest.mark.django_db
def test_a_contract_owner_sees_the_history_of_their_own_action(owner):
    event = CorrectiveActionEvent.objects.create(
        action=CorrectiveActionFactory(owner=owner), kind="opened", message="Opened."
    )
    assert r.can_view_corrective_action_event.test(owner, event)


@pytest.mark.django_db
def test_the_assignee_sees_and_completes_their_review_task(owner):
    task = _review_task(SupplierFactory(), assigned_to=owner)
    assert r.can_view_review_task.test(owner, task)
    assert r.can_complete_review_task.test(owner, task)


@pytest.mark.django_db
def test_a_task_assigned_to_someone_else_is_not_theirs(owner, make_user):
    assert not r.can_view_review_task.test(owner, _review_task(SupplierFactory(), assigned_to=make_user(S)))


@pytest.mark.django_db
def test_a_contract_owner_sees_the_evidence_file_they_attached(owner):
    action = CorrectiveActionFactory(owner=owner)
    action.evidence_document = _document(action.supplier)
    action.save(update_fields=["evidence_document"])
    assert r.can_view_document.test(owner, action.evidence_document)


@pytest.mark.django_db
def test_other_files_of_their_own_supplier_stay_closed_to_a_contract_owner(owner):
    # Owning the supplier's contract is not reading the register: only the attached evidence is theirs.
    supplier = SupplierFactory(contract_owner=owner)
    assert not r.can_view_document.test(owner, _document(supplier))


@pytest.mark.django_db
def test_owning_a_suppliers_contract_does_not_open_the_supplier_row(owner):
    assert not r.can_view_supplier.test(owner, SupplierFactory(contract_owner=owner))


# The object predicates themselves, one fact each.


@pytest.mark.django_db
def test_an_agency_is_an_agency_by_flag_or_by_category():
    assert r.is_agency.test(None, SupplierFactory(is_recruitment_agency=True))
    assert r.is_agency.test(None, SupplierFactory(category=Supplier.Category.AGENCY_STAFFING))


@pytest.mark.django_db
def test_a_cleaning_contractor_is_not_an_agency():
    assert not r.is_agency.test(None, SupplierFactory(is_recruitment_agency=False))


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Supplier.Status.PROSPECTIVE, Supplier.Status.ACTIVE, Supplier.Status.SUSPENDED])
def test_only_termination_makes_a_supplier_read_only(status, make_user):
    # A suspended supplier is still worked on (findings, actions) until it is reinstated or terminated.
    assert r.can_change_supplier.test(make_user(PROC), SupplierFactory(status=status))
