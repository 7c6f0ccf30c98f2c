"""Each supplier selector reads through restrict(): the view's role check is not the only one.

Defense in depth: the views check the role first, so a selector that forgot its own
restrict() would still look right through every page. These tests call the selectors
directly, for a register reader (the Board), procurement, HR (agencies only), a contract
owner outside the register (their own corrective action, review task and evidence file) and
a member of staff who owns nothing, and say exactly which rows each gets.
"""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from compliance import roles
from suppliers import filters, selectors
from suppliers.models import (
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    EnhancedDueDiligence,
    Finding,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    ReviewTask,
    RiskAssessment,
    RiskBand,
    SubSupplier,
    SupplierCertificate,
    SupplierDocument,
    SupplierEvent,
    SupplierImport,
    SupplierPortalLink,
)
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, FindingFactory, SupplierFactory


def _document(supplier, name):
    return SupplierDocument.objects.create(
        supplier=supplier, file=f"suppliers/{name}", original_name=name, content_type="application/pdf", size=1
    )


@pytest.fixture
def register(make_user):
    """Two suppliers with one of every record a supplier's page shows, and the people asking."""
    people = {
        "board": make_user(roles.BOARD_MEMBER),
        "procurement": make_user(roles.PROCUREMENT),
        "hr": make_user(roles.HR),
        "owner": make_user(roles.STAFF),
        "staff": make_user(roles.STAFF),
    }
    today = timezone.localdate()
    cleaner = SupplierFactory(
        name="Acme Cleaning", contract_owner=people["owner"], risk_band=RiskBand.HIGH, is_recruitment_agency=False
    )
    agency = SupplierFactory(name="Brightstaff Recruitment", contract_owner=people["owner"], is_recruitment_agency=True)
    audit = AuditFactory(supplier=cleaner)
    finding = FindingFactory(audit=audit, severity=Finding.Severity.MAJOR)
    evidence = _document(cleaner, "rota.pdf")
    policy = _document(cleaner, "policy.pdf")
    # The contract owner's action, with the evidence they attached (waiting for procurement: not overdue).
    owned_action = CorrectiveActionFactory(
        finding=finding,
        owner=people["owner"],
        status=CorrectiveAction.Status.EVIDENCE_SUBMITTED,
        evidence_document=evidence,
        evidence_submitted_at=timezone.now(),
    )
    # Procurement's own action, open and past its due date: the one overdue action.
    overdue_action = CorrectiveActionFactory(
        finding=finding, owner=people["procurement"], due_date=today - datetime.timedelta(days=1)
    )
    owned_task = ReviewTask.objects.create(
        supplier=cleaner, assigned_to=people["owner"], reason="Annual review", due_date=today
    )
    unassigned_task = ReviewTask.objects.create(supplier=cleaner, reason="Annual review", due_date=today)
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    questionnaire = QuestionnaireRequest.objects.create(
        supplier=cleaner,
        template=template,
        contact_name="Chris Contact",
        contact_email="chris@acme.example",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    answer_finding = Finding.objects.create(
        supplier=cleaner,
        audit=None,
        source=Finding.Source.QUESTIONNAIRE,
        questionnaire=questionnaire,
        question=template.sections.first().questions.first(),
        severity=Finding.Severity.MINOR,
        description="No grievance line for agency workers",
    )
    code = CodeOfConduct.objects.create(version="1", clauses="No forced labour.", effective_from=today)
    link = SupplierPortalLink.objects.create(
        supplier=cleaner,
        contact_name="Chris Contact",
        contact_email="chris@acme.example",
        token_hash="a" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    records = {
        "cleaner": cleaner,
        "agency": agency,
        "audit": audit,
        "finding": finding,
        "answer_finding": answer_finding,
        "evidence": evidence,
        "policy": policy,
        "owned_action": owned_action,
        "overdue_action": overdue_action,
        "owned_task": owned_task,
        "unassigned_task": unassigned_task,
        "questionnaire": questionnaire,
        "template": template,
        "code": code,
        "link": link,
        "assessment": RiskAssessment.objects.create(supplier=cleaner, score=80, band=RiskBand.HIGH),
        "event": SupplierEvent.objects.create(supplier=cleaner, kind="created", message="Added."),
        "enhanced": EnhancedDueDiligence.objects.create(supplier=cleaner, summary="Workers interviewed."),
        "sub": SubSupplier.objects.create(supplier=cleaner, name="Tier two laundry", country="GB", category="other"),
        "acceptance": CodeOfConductAcceptance.objects.create(
            supplier=cleaner, code=code, accepted_on=today, signed_by_name="A Signatory"
        ),
        "certificate": SupplierCertificate.objects.create(
            supplier=cleaner, title="SMETA report", document=policy, uploaded_via=link
        ),
        "import": SupplierImport.objects.create(
            filename="register.csv", content=b"", uploaded_by=people["procurement"]
        ),
    }
    return people, records


def _rows(queryset):
    return set(queryset)


# Lists the register's readers read in full and nobody else reads at all (no owner part, no agency part):
# the selector, and the records the Board gets.
REGISTER_LISTS = {
    "risk assessments": (selectors.risk_assessment_list, {"assessment"}),
    "audits": (selectors.audit_list, {"audit"}),
    "findings": (selectors.finding_list, {"finding", "answer_finding"}),
    "questionnaires": (selectors.questionnaire_list, {"questionnaire"}),
    "code of conduct versions": (selectors.code_of_conduct_list, {"code"}),
    "certificates": (selectors.certificate_list, {"certificate"}),
    "code of conduct acceptances": (selectors.conduct_acceptance_list, {"acceptance"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", REGISTER_LISTS)
def test_a_register_list_is_its_readers_alone(register, name):
    people, records = register
    selector, board_reads = REGISTER_LISTS[name]
    assert _rows(selector(user=people["board"])) == {records[key] for key in board_reads}
    # HR reads agencies, not their records; the contract owner and other staff read none of these.
    for outsider in ("hr", "owner", "staff"):
        assert _rows(selector(user=people[outsider])) == set(), outsider


@pytest.mark.django_db
def test_the_register_reaches_hr_as_its_agencies_and_nobody_else_outside(register):
    people, records = register
    cleaner, agency = records["cleaner"], records["agency"]
    board, hr = people["board"], people["hr"]
    assert list(selectors.supplier_list(user=board)) == [cleaner, agency]
    assert list(selectors.supplier_list(user=hr)) == [agency]
    assert list(selectors.supplier_choices(user=board)) == [cleaner, agency]
    assert list(selectors.supplier_choices(user=hr)) == [agency]
    assert list(selectors.agency_list(user=board)) == [agency]
    assert list(selectors.agency_list(user=hr)) == [agency]
    assert list(selectors.supplier_search(user=board, text="acme")) == [cleaner]
    assert selectors.supplier_get(user=board, pk=cleaner.pk) == cleaner
    assert selectors.supplier_get(user=hr, pk=cleaner.pk) is None
    # The contract owner reads their actions, not the suppliers they own the contract of.
    for outsider in (people["owner"], people["staff"]):
        assert not selectors.supplier_list(user=outsider).exists()
        assert not selectors.supplier_choices(user=outsider).exists()
        assert not selectors.supplier_search(user=outsider, text="acme").exists()
        assert not selectors.agency_list(user=outsider).exists()
        assert selectors.supplier_get(user=outsider, pk=agency.pk) is None


@pytest.mark.django_db
def test_the_register_summary_counts_only_what_the_reader_may_see(register):
    people, _ = register
    board = selectors.register_summary(user=people["board"])
    assert (board["high"], board["overdue_actions"]) == (1, 1)
    nothing = {"high": 0, "medium": 0, "low": 0, "decisions": 0, "reviews_due": 0, "overdue_actions": 0}
    # HR's agency has no band; the overdue action is procurement's, not the owner's.
    for outsider in ("hr", "owner", "staff"):
        assert selectors.register_summary(user=people[outsider]) == nothing, outsider


@pytest.mark.django_db
def test_a_contract_owner_reads_their_own_action_task_and_evidence_only(register):
    people, records = register
    owner, staff, board = people["owner"], people["staff"], people["board"]
    assert _rows(selectors.corrective_action_list(user=board)) == {records["owned_action"], records["overdue_action"]}
    assert _rows(selectors.corrective_action_list(user=owner)) == {records["owned_action"]}
    assert _rows(selectors.corrective_action_list(user=staff)) == set()
    assert _rows(selectors.review_task_list(user=board)) == {records["owned_task"], records["unassigned_task"]}
    assert _rows(selectors.review_task_list(user=owner)) == {records["owned_task"]}
    assert _rows(selectors.review_task_list(user=staff)) == set()
    evidence, policy = records["evidence"], records["policy"]
    assert selectors.document_get(user=board, pk=policy.pk) == policy
    assert selectors.document_get(user=owner, pk=evidence.pk) == evidence
    assert selectors.document_get(user=owner, pk=policy.pk) is None
    assert selectors.document_get(user=staff, pk=evidence.pk) is None


@pytest.mark.django_db
def test_the_supplier_page_records_are_each_restricted(register):
    people, records = register
    cleaner = records["cleaner"]
    board = selectors.supplier_detail_records(user=people["board"], supplier=cleaner)
    assert board["latest"] == records["assessment"]
    assert list(board["assessments"]) == [records["assessment"]]
    assert list(board["events"]) == [records["event"]]
    assert list(board["audits"]) == [records["audit"]]
    assert list(board["questionnaire_findings"]) == [records["answer_finding"]]
    assert _rows(board["actions"]) == {records["owned_action"], records["overdue_action"]}
    assert list(board["questionnaires"]) == [records["questionnaire"]]
    assert board["acceptances"] == [records["acceptance"]]
    assert board["enhanced_checks"] == [records["enhanced"]]
    assert _rows(board["review_tasks"]) == {records["owned_task"], records["unassigned_task"]}
    assert _rows(board["documents"]) == {records["evidence"], records["policy"]}
    assert board["portal_links"] == [records["link"]]
    assert list(board["certificates"]) == [records["certificate"]]
    assert [risk.sub_supplier for risk in board["sub_suppliers"]] == [records["sub"]]

    # The contract owner (should they reach the page) gets their own action, task and evidence, nothing else.
    owner = selectors.supplier_detail_records(user=people["owner"], supplier=cleaner)
    assert owner["latest"] is None
    for key in ("assessments", "events", "audits", "questionnaire_findings", "questionnaires", "certificates"):
        assert list(owner[key]) == [], key
    for key in ("acceptances", "enhanced_checks", "portal_links", "sub_suppliers"):
        assert owner[key] == [], key
    assert list(owner["actions"]) == [records["owned_action"]]
    assert list(owner["review_tasks"]) == [records["owned_task"]]
    assert list(owner["documents"]) == [records["evidence"]]


@pytest.mark.django_db
def test_sub_suppliers_and_portal_links_are_the_registers(register):
    people, records = register
    cleaner, link = records["cleaner"], records["link"]
    assert list(selectors.sub_supplier_list(user=people["board"], supplier=cleaner)) == [records["sub"]]
    assert selectors.portal_link_get(user=people["board"], pk=link.pk) == link
    for outsider in ("hr", "owner", "staff"):
        assert not selectors.sub_supplier_list(user=people[outsider], supplier=cleaner).exists(), outsider
        assert selectors.portal_link_get(user=people[outsider], pk=link.pk) is None, outsider


@pytest.mark.django_db
def test_templates_and_risk_tables_are_for_register_readers(register):
    people, records = register
    assert records["template"] in selectors.questionnaire_template_list(user=people["board"])
    tables = selectors.risk_tables(user=people["board"])
    # Seeded by the data migration (suppliers/tests/conftest.py makes sure).
    assert all(tables[name].exists() for name in ("weights", "countries", "categories"))
    for outsider in ("hr", "owner", "staff"):
        assert not selectors.questionnaire_template_list(user=people[outsider]).exists(), outsider
        assert selectors.questionnaire_template_get(user=people[outsider], pk=records["template"].pk) is None
        tables = selectors.risk_tables(user=people[outsider])
        assert not any(tables[name].exists() for name in ("weights", "countries", "categories")), outsider


@pytest.mark.django_db
def test_register_imports_are_procurements_not_the_boards(register):
    people, records = register
    assert list(selectors.supplier_import_list(user=people["procurement"])) == [records["import"]]
    assert selectors.supplier_import_get(user=people["procurement"], pk=records["import"].pk) == records["import"]
    # The Board reads the register but not the uploaded files behind it.
    for reader in ("board", "hr", "owner", "staff"):
        assert not selectors.supplier_import_list(user=people[reader]).exists(), reader


@pytest.mark.django_db
def test_a_filter_offers_only_the_suppliers_and_audits_the_user_may_see(register):
    people, records = register

    def offered(user):
        request = RequestFactory().get("/")
        request.user = user
        form = filters.FindingFilter(data={}, queryset=Finding.objects.none(), request=request).form
        return _rows(form.fields["supplier"].queryset), _rows(form.fields["audit"].queryset)

    assert offered(people["board"]) == ({records["cleaner"], records["agency"]}, {records["audit"]})
    assert offered(people["hr"]) == ({records["agency"]}, set())
    assert offered(people["owner"]) == (set(), set())
