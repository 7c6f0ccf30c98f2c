"""Lifecycle consistency: a terminated supplier is read-only but for reinstatement; audit results match open findings."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from suppliers.models import (
    Audit,
    CodeOfConduct,
    CodeOfConductAcceptance,
    Finding,
    QuestionnaireTemplate,
    SubSupplier,
    Supplier,
    SupplierEvent,
)
from suppliers.services import audit as audit_services
from suppliers.services import procurement as procurement_services
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services
from suppliers.services import tiers as tier_services
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, FindingFactory, SupplierFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def terminated():
    return SupplierFactory(
        name="Ended Cleaning Ltd", status=Supplier.Status.TERMINATED, terminated_at=timezone.now(), agency_cleared=True
    )


def _code():
    return CodeOfConduct.objects.create(
        version="2026.1", clauses="No fees.", effective_from=TODAY, published_at=timezone.now()
    )


# Every service that writes to a supplier's record, called as a person would.
WRITES = {
    "edit": lambda s, a: register_services.supplier_update(supplier=s, actor=a, data={"name": "Renamed Ltd"}),
    "enhanced checks": lambda s, a: register_services.supplier_enhanced_checks_record(
        supplier=s, actor=a, data={"site_visit": True, "summary": "Visited"}
    ),
    "agency checks": lambda s, a: register_services.supplier_agency_checks_record(
        supplier=s,
        actor=a,
        fees_outcome="none_charged",
        fees_evidence="Clause 9",
        ids_outcome="not_retained",
        ids_evidence="Interviews",
    ),
    "code of conduct acceptance": lambda s, a: register_services.code_of_conduct_accept(
        supplier=s, code=_code(), actor=a, accepted_on=TODAY, signed_by_name="Director"
    ),
    "questionnaire": lambda s, a: questionnaire_services.questionnaire_send(
        supplier=s,
        template=QuestionnaireTemplate.objects.filter(is_active=True).first(),
        actor=a,
        contact_name="Chris",
        contact_email="chris@supplier.example",
    ),
    "audit plan": lambda s, a: audit_services.audit_plan(
        supplier=s, actor=a, data={"planned_date": TODAY, "scope": "Pay", "auditor_name": "Ext"}
    ),
    "audit result": lambda s, a: audit_services.audit_complete(
        audit=AuditFactory(supplier=s), actor=a, result=Audit.Result.COMPLIANT, completed_date=TODAY
    ),
    "audit cancel": lambda s, a: audit_services.audit_cancel(audit=AuditFactory(supplier=s), actor=a, reason="x"),
    "finding": lambda s, a: audit_services.finding_record(
        audit=AuditFactory(supplier=s), actor=a, severity=Finding.Severity.MINOR, description="Hours"
    ),
    "corrective action": lambda s, a: audit_services.corrective_action_open(
        finding=FindingFactory(audit=AuditFactory(supplier=s)),
        actor=a,
        description="Fix",
        owner=a,
        due_date=TODAY + datetime.timedelta(days=30),
    ),
    "procurement details": lambda s, a: procurement_services.supplier_procurement_update(
        supplier=s, actor=a, data={"framework_name": "NHS Workforce Alliance"}
    ),
    "supply chain": lambda s, a: tier_services.supplier_supply_chain_update(
        supplier=s, actor=a, rows=[{"name": "Tier Two Ltd", "country": "GB", "category": "other", "tier": 2}]
    ),
    "corrective action evidence": lambda s, a: audit_services.corrective_action_submit_evidence(
        action=CorrectiveActionFactory(finding=FindingFactory(audit=AuditFactory(supplier=s))), actor=a, evidence="Rota"
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_a_terminated_supplier_is_refused(terminated, procurement, write):
    events = SupplierEvent.objects.filter(supplier=terminated).count()
    with pytest.raises(PermissionDenied, match="terminated: its record is read-only"):
        WRITES[write](terminated, procurement)
    terminated.refresh_from_db()
    assert terminated.name == "Ended Cleaning Ltd" and terminated.status == Supplier.Status.TERMINATED
    assert SupplierEvent.objects.filter(supplier=terminated).count() == events
    assert not CodeOfConductAcceptance.objects.exists()
    assert terminated.framework_name == "" and not SubSupplier.objects.exists()


PAGES = [
    ("GET", "suppliers:edit"),
    ("GET", "suppliers:questionnaire_send"),
    ("GET", "suppliers:audit_create"),
    ("GET", "suppliers:conduct_accept"),
    ("GET", "suppliers:agency"),
    ("GET", "suppliers:enhanced_checks"),
    ("GET", "suppliers:procurement"),
    ("GET", "suppliers:supply_chain"),
    ("POST", "suppliers:rescore"),
]
# Form posts refused before the form is read (a reader never reaches them: 404 from the page's gate).
TERMINATED_POSTS = [("POST", "suppliers:procurement"), ("POST", "suppliers:supply_chain")]


@pytest.mark.parametrize(("method", "name"), PAGES + TERMINATED_POSTS)
def test_terminated_supplier_pages_refuse_with_403(client, procurement, login, terminated, method, name):
    login(procurement)
    url = reverse(name, args=[terminated.pk])
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == 403


def test_terminated_supplier_api_edit_and_audit_forms_are_refused(client, procurement, login, terminated):
    audit = AuditFactory(supplier=terminated)
    login(procurement)
    response = client.patch(
        f"/api/v1/suppliers/suppliers/{terminated.pk}/", {"name": "Renamed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "read-only" in str(response.json())
    page = client.get(reverse("suppliers:audit_detail", args=[audit.pk])).content.decode()
    assert "Record the result" not in page and "Add a finding" not in page
    response = client.post(
        reverse("suppliers:audit_detail", args=[audit.pk]), {"finding-severity": "minor", "finding-description": "x"}
    )
    assert response.status_code == 403


def test_terminated_supplier_page_offers_only_reinstatement_which_works(client, procurement, login, terminated):
    login(procurement)
    page = client.get(reverse("suppliers:detail", args=[terminated.pk])).content.decode()
    for button in (
        "Edit details",
        "Send a questionnaire",
        "Plan an audit",
        "Record code of conduct acceptance",
        ">Agency checks<",
        "Rescore now",
        "Suspend, terminate or extend",
    ):
        assert button not in page, button
    assert ">Reinstate</a>" in page

    decision = reverse("suppliers:decision", args=[terminated.pk])
    form = client.get(decision).content.decode()
    assert 'value="reinstate"' in form and 'value="suspend"' not in form
    # Any other decision is refused, whatever is posted.
    client.post(decision, {"decision": "extend", "reason": "x", "new_due_date": "2099-01-01"})
    terminated.refresh_from_db()
    assert terminated.status == Supplier.Status.TERMINATED

    response = client.post(decision, {"decision": "reinstate", "reason": "New owners; re-audited."})
    assert response.status_code == 302
    terminated.refresh_from_db()
    assert terminated.status == Supplier.Status.SUSPENDED and terminated.terminated_at is None
    assert client.get(reverse("suppliers:edit", args=[terminated.pk])).status_code == 200
    # Back through the gates: activation works once they pass (this agency's checks are current).
    client.post(reverse("suppliers:activate", args=[terminated.pk]))
    terminated.refresh_from_db()
    assert terminated.status == Supplier.Status.ACTIVE


def _audit_with_major_finding():
    audit = AuditFactory(supplier=SupplierFactory(countries=["GB"]))
    FindingFactory(audit=audit, severity=Finding.Severity.MAJOR, description="Passports held by the site manager")
    return audit


def test_audit_result_better_than_an_open_major_finding_needs_a_reason_on_the_page(client, procurement, login):
    audit = _audit_with_major_finding()
    login(procurement)
    url = reverse("suppliers:audit_detail", args=[audit.pk])
    form = {
        "complete-result": Audit.Result.MINOR,
        "complete-completed_date": TODAY.isoformat(),
        "complete-summary": "Mostly fine",
    }
    html = client.post(url, form).content.decode()
    assert "A major finding is open on this audit" in html and "Mostly fine" in html
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PLANNED

    client.post(url, {**form, "complete-override_reason": "The passports were returned during the visit."})
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COMPLETED and audit.result == Audit.Result.MINOR
    assert audit.result_override_reason == "The passports were returned during the visit."
    page = client.get(url).content.decode()
    assert "Result better than the open findings" in page
    assert "The passports were returned during the visit." in page


def test_audit_result_matching_its_findings_needs_no_reason_and_keeps_none(procurement):
    audit = _audit_with_major_finding()
    audit_services.audit_complete(
        audit=audit, actor=procurement, result=Audit.Result.MAJOR, completed_date=TODAY, override_reason="ignored"
    )
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COMPLETED and audit.result_override_reason == ""


def test_audit_result_against_open_findings_through_the_api(client, procurement, login):
    audit = _audit_with_major_finding()
    login(procurement)
    url = f"/api/v1/suppliers/audits/{audit.pk}/complete/"
    body = {"result": Audit.Result.COMPLIANT, "completed_date": TODAY.isoformat()}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "A major finding is open" in response.json()["override_reason"][0]
    response = client.post(
        url, {**body, "override_reason": "Finding raised in error."}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["result"] == "compliant"
    assert response.json()["result_override_reason"] == "Finding raised in error."


# A Board member reads the register but changes nothing: the write pages are not theirs (404,
# as for any page a role never uses) and the one action on a page they can see answers 403.
READER_REFUSALS = {"GET": 404, "POST": 403}
# Recording an acceptance is an action from the supplier page the reader sees: 403 there too.
READER_ACTION_PAGES = {"suppliers:conduct_accept"}


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_a_register_reader_cannot_change_a_supplier(client, board, login, method, name):
    supplier = SupplierFactory(name="Open Cleaning Ltd")
    login(board)
    url = reverse(name, args=[supplier.pk])
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == (403 if name in READER_ACTION_PAGES else READER_REFUSALS[method])
    assert client.get(reverse("suppliers:detail", args=[supplier.pk])).status_code == 200


def test_a_register_reader_cannot_record_a_finding_on_an_audit_they_read(client, board, login):
    audit = AuditFactory(supplier=SupplierFactory(name="Open Cleaning Ltd"))
    login(board)
    url = reverse("suppliers:audit_detail", args=[audit.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Add a finding" not in page.content.decode()
    # Refused before the form is read: an empty form gets 403 too, not the form's own errors.
    for data in ({"finding-severity": "minor", "finding-description": "Hours"}, {"finding-severity": ""}):
        assert client.post(url, data).status_code == 403
    assert not Finding.objects.filter(audit=audit).exists()


def test_a_terminated_suppliers_finding_offers_no_corrective_action_form(client, procurement, board, login, terminated):
    finding = FindingFactory(audit=AuditFactory(supplier=terminated))
    url = reverse("suppliers:action_create", args=[finding.pk])
    login(procurement)
    assert client.get(url).status_code == 403
    open_finding = FindingFactory(audit=AuditFactory(supplier=SupplierFactory(name="Open Cleaning Ltd")))
    assert client.get(reverse("suppliers:action_create", args=[open_finding.pk])).status_code == 200
    # A reader sees the finding on its audit but never the form: 404, as for every write page.
    login(board)
    assert client.get(reverse("suppliers:action_create", args=[open_finding.pk])).status_code == 404
