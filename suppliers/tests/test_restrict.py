"""restrict() on every supplier model agrees with the object rule in suppliers/rules.py.

One population holds every object state that changes who may see a row
(supplier status, action status and owner, task assignee, a document attached
as someone's evidence or not); every role, an outsider who owns records,
an inactive manager and an anonymous visitor are asked about every row.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from compliance import roles
from suppliers import rules as supplier_rules
from suppliers.models import (
    Action,
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CorrectiveActionEvent,
    CountryRisk,
    EnhancedDueDiligence,
    Finding,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    ReviewTask,
    RiskAssessment,
    RiskWeight,
    SubSupplier,
    Supplier,
    SupplierBulkSend,
    SupplierDocument,
    SupplierEvent,
    SupplierImport,
)
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.tests.factories import CorrectiveActionFactory, FindingFactory, SupplierFactory
from tests.support import assert_restrict_matches


@pytest.fixture
def population(make_user):
    owner = make_user(roles.STAFF)
    other_owner = make_user(roles.LINE_MANAGER)
    manager = make_user(roles.PROCUREMENT)
    code = CodeOfConduct.objects.create(version="1", clauses="No forced labour.", effective_from=timezone.localdate())
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    # Who may see a row never depends on the supplier's status: two statuses show it does not.
    for status in (Supplier.Status.ACTIVE, Supplier.Status.TERMINATED):
        # One is an agency (HR reads it), the other is not.
        supplier = SupplierFactory(
            status=status, contract_owner=owner, is_recruitment_agency=status == Supplier.Status.ACTIVE
        )
        finding = FindingFactory(audit__supplier=supplier, severity=Finding.Severity.MAJOR)
        for action_owner in (owner, other_owner):
            for action_status in CorrectiveAction.Status.values:
                evidence = SupplierDocument.objects.create(
                    supplier=supplier,
                    file="suppliers/e.pdf",
                    original_name="e.pdf",
                    content_type="application/pdf",
                    size=1,
                )
                action = CorrectiveActionFactory(
                    finding=finding,
                    owner=action_owner,
                    status=action_status,
                    evidence_document=evidence if action_status != CorrectiveAction.Status.OPEN else None,
                )
                CorrectiveActionEvent.objects.create(action=action, kind="opened", message="Opened.")
        SupplierDocument.objects.create(
            supplier=supplier, file="suppliers/f.pdf", original_name="f.pdf", content_type="application/pdf", size=1
        )
        for assignee in (owner, other_owner, None):
            for task_status in ReviewTask.Status.values:
                ReviewTask.objects.create(
                    supplier=supplier,
                    assigned_to=assignee,
                    reason="Annual review",
                    due_date=timezone.localdate(),
                    status=task_status,
                )
        SupplierEvent.objects.create(supplier=supplier, kind="created", message="Added.")
        RiskAssessment.objects.create(supplier=supplier, score=10, band="low")
        EnhancedDueDiligence.objects.create(supplier=supplier, summary="Seen.")
        SubSupplier.objects.create(supplier=supplier, name="Tier two", country="GB", category="other")
        SupplierBulkSend.objects.create(supplier=supplier, kind="code_of_conduct", to="c@supplier.example")
        CodeOfConductAcceptance.objects.create(
            supplier=supplier, code=code, accepted_on=timezone.localdate(), signed_by_name="A Signatory"
        )
        request = QuestionnaireRequest.objects.create(
            supplier=supplier,
            template=template,
            contact_name="C",
            contact_email="c@supplier.example",
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        question = template.sections.first().questions.first()
        QuestionnaireAnswer.objects.create(request=request, question=question, value="yes")
    SupplierImport.objects.create(filename="register.csv", content=b"", uploaded_by=manager)
    people = [make_user(role) for role in roles.ALL_ROLES]
    people += [owner, other_owner, make_user(roles.PROCUREMENT, is_active=False), AnonymousUser()]
    return people


REGISTER_MODELS = [
    Supplier,
    SupplierEvent,
    RiskAssessment,
    RiskWeight,
    CountryRisk,
    CategoryRisk,
    EnhancedDueDiligence,
    Audit,
    Finding,
    CodeOfConduct,
    CodeOfConductAcceptance,
    QuestionnaireTemplate,
    QuestionnaireRequest,
    QuestionnaireAnswer,
    SubSupplier,
    SupplierBulkSend,
]


def _check(model, action, predicate, users):
    assert model.objects.exists(), f"the population has no {model.__name__}"
    try:
        assert_restrict_matches(queryset=model.objects.all(), predicate=predicate, users=users, action=action)
    except AssertionError as exc:
        raise AssertionError(f"{model.__name__}.restrict(user, {action!r}): {exc}") from None


@pytest.mark.django_db
def test_register_records_restrict_matches_the_rule(population):
    for model in REGISTER_MODELS:
        # A supplier row also reaches HR when it is an agency; the rest of the register does not.
        view = supplier_rules.can_view_supplier if model is Supplier else supplier_rules.can_view_register_record
        _check(model, Action.VIEW, view, population)
        _check(model, Action.CHANGE, supplier_rules.can_change_register_record, population)


PERSONAL_RECORDS = [
    (CorrectiveAction, Action.VIEW, supplier_rules.can_view_corrective_action),
    (CorrectiveAction, Action.SUBMIT_EVIDENCE, supplier_rules.can_submit_corrective_action_evidence),
    (CorrectiveAction, Action.CHANGE, supplier_rules.can_change_register_record),
    (CorrectiveActionEvent, Action.VIEW, supplier_rules.can_view_corrective_action_event),
    (ReviewTask, Action.VIEW, supplier_rules.can_view_review_task),
    (ReviewTask, Action.COMPLETE, supplier_rules.can_complete_review_task),
    (ReviewTask, Action.CHANGE, supplier_rules.can_change_register_record),
    (SupplierDocument, Action.VIEW, supplier_rules.can_view_document),
    (SupplierDocument, Action.CHANGE, supplier_rules.can_change_register_record),
    (SupplierImport, Action.VIEW, supplier_rules.can_view_supplier_import),
    (SupplierImport, Action.CHANGE, supplier_rules.can_view_supplier_import),
]


@pytest.mark.django_db
def test_records_that_reach_their_owner_restrict_matches_the_rule(population):
    for model, action, predicate in PERSONAL_RECORDS:
        _check(model, action, predicate, population)


@pytest.mark.django_db
def test_an_owner_outside_the_register_sees_only_their_own_records(population):
    owner = population[len(roles.ALL_ROLES)]
    actions = CorrectiveAction.objects.restrict(owner)
    assert actions.exists() and not actions.exclude(owner=owner).exists()
    assert not Supplier.objects.restrict(owner).exists()
    documents = SupplierDocument.objects.restrict(owner)
    # Their evidence files (attached to the submitted and verified actions they own), no others.
    assert documents.count() == CorrectiveAction.objects.filter(owner=owner, evidence_document__isnull=False).count()


@pytest.mark.django_db
def test_an_unknown_action_answers_nothing(population):
    lead = next(u for u in population if getattr(u, "role_names", None) == {roles.MODERN_SLAVERY_LEAD})
    for model in [
        *REGISTER_MODELS,
        CorrectiveAction,
        CorrectiveActionEvent,
        ReviewTask,
        SupplierDocument,
        SupplierImport,
    ]:
        assert not model.objects.restrict(lead, "delete_everything").exists(), model.__name__


@pytest.mark.django_db
def test_hr_reads_only_the_agencies_and_changes_none(population):
    hr = next(u for u in population if getattr(u, "role_names", None) == {roles.HR})
    seen = Supplier.objects.restrict(hr)
    assert seen.exists() and all(s.agency_applies for s in seen)
    assert not Supplier.objects.restrict(hr, Action.CHANGE).exists()
    assert not Audit.objects.restrict(hr).exists()
