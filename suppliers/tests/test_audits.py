"""Audit -> finding -> corrective action -> escalation chain, with frozen time."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from suppliers.models import CorrectiveAction, Finding, Supplier
from suppliers.tasks import corrective_action_escalation
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_audit_to_termination_recommendation_timeline(
    client, make_user, procurement, lead, login, django_capture_on_commit_callbacks
):
    owner = make_user(roles.STAFF, full_name="Olive Owner")
    with time_machine.travel(START, tick=False):
        supplier = SupplierFactory(name="Shine Cleaning", contract_owner=owner, status="active")
        login(procurement)
        client.post(
            reverse("suppliers:audit_create", args=[supplier.pk]),
            {
                "kind": "spot_check",
                "method": "on_site",
                "planned_date": "2026-03-02",
                "auditor": procurement.pk,
                "scope": "Night shift at Oakwood",
            },
        )
        audit = supplier.audits.get()
        url = reverse("suppliers:audit_detail", args=[audit.pk])
        client.post(
            url, {"complete-result": "major", "complete-completed_date": "2026-03-02", "complete-summary": "Long hours"}
        )
        client.post(url, {"finding-severity": "major", "finding-description": "Cleaners work 70-hour weeks"})
        finding = Finding.objects.get(audit=audit)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("suppliers:action_create", args=[finding.pk]),
                {"description": "Cap hours at 48 and show rotas", "owner": owner.pk, "due_date": "2026-03-31"},
            )
        action = CorrectiveAction.objects.get(finding=finding)
        assert Notification.objects.filter(
            recipient=owner, subject__startswith="Corrective action for Shine Cleaning"
        ).exists()
        assert any(owner.email in m.to for m in mail.outbox)

    # Not overdue on the due date: nothing happens.
    with time_machine.travel(datetime.datetime(2026, 3, 31, 7, tzinfo=datetime.UTC), tick=False):
        assert corrective_action_escalation() == {"reminded": 0, "escalated": 0, "termination_recommended": 0}

    # Day 1 overdue: the owner is reminded, once however often the task runs.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 7, tzinfo=datetime.UTC), tick=False):
        assert corrective_action_escalation()["reminded"] == 1
        assert corrective_action_escalation()["reminded"] == 0
    action.refresh_from_db()
    assert action.escalation_level == CorrectiveAction.Escalation.REMINDED
    assert Notification.objects.filter(recipient=owner, subject__startswith="Overdue corrective action").count() == 1

    # 14 days overdue: escalated to procurement.
    with time_machine.travel(datetime.datetime(2026, 4, 14, 7, tzinfo=datetime.UTC), tick=False):
        assert corrective_action_escalation()["escalated"] == 1
        corrective_action_escalation()
    assert Notification.objects.filter(recipient=procurement, subject__startswith="Escalation:").count() == 1

    # 28 days overdue: termination recommended on the supplier for a decision.
    with time_machine.travel(datetime.datetime(2026, 4, 28, 7, tzinfo=datetime.UTC), tick=False):
        assert corrective_action_escalation()["termination_recommended"] == 1
        assert corrective_action_escalation()["termination_recommended"] == 0
        supplier.refresh_from_db()
        assert supplier.termination_recommended_at is not None
        assert Notification.objects.filter(recipient=lead, subject__startswith="Decision needed").count() == 1
        login(procurement)  # the session from March has expired
        page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
        assert "Termination recommended on 28 April 2026" in page
        timeline = client.get(reverse("suppliers:action_detail", args=[action.pk])).content.decode()
        for step in (
            "Opened, owner Olive Owner",
            "owner reminded",
            "escalated to procurement",
            "termination recommended",
        ):
            assert step in timeline

        # The decision: extend with a reason clears the recommendation and restarts the clock.
        client.post(
            reverse("suppliers:decision", args=[supplier.pk]),
            {"decision": "extend", "reason": "New manager started; rota plan agreed", "new_due_date": "2026-05-31"},
        )
    supplier.refresh_from_db()
    action.refresh_from_db()
    assert supplier.termination_recommended_at is None
    assert action.due_date == datetime.date(2026, 5, 31)
    assert action.escalation_level == 0
    assert "deadlines extended" in supplier.events.first().message


def test_decision_to_terminate_needs_a_reason(client, procurement, login):
    supplier = SupplierFactory(status="active", termination_recommended_at=START, termination_recommendation="x")
    login(procurement)
    response = client.post(reverse("suppliers:decision", args=[supplier.pk]), {"decision": "terminate", "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    client.post(
        reverse("suppliers:decision", args=[supplier.pk]),
        {"decision": "terminate", "reason": "Persistent excessive hours"},
    )
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.TERMINATED
    assert "Terminated. Reason: Persistent excessive hours" in supplier.events.first().message


def test_critical_finding_tells_the_lead_and_can_open_a_safeguarding_case(client, procurement, lead, login):
    audit = AuditFactory(supplier__name="Harvest Catering")
    login(procurement)
    client.post(
        reverse("suppliers:audit_detail", args=[audit.pk]),
        {
            "finding-severity": "critical",
            "finding-description": "Workers sleep on site and their passports are held by the supervisor",
            "finding-open_safeguarding_case": "on",
        },
    )
    finding = Finding.objects.get(audit=audit)
    assert Notification.objects.filter(recipient=lead, subject="Critical finding at supplier Harvest Catering").exists()
    # The case itself is safeguarding's (safeguarding/tests/test_supplier_finding_case.py): here, its reference.
    assert finding.safeguarding_reference
    assert finding.safeguarding_note == f"Safeguarding case {finding.safeguarding_reference} opened from this finding."
    # A critical open finding weighs on the score at once.
    audit.supplier.refresh_from_db()
    assert any(f["key"] == "finding_critical" for f in audit.supplier.risk_assessments.first().factors)


def test_owner_submits_evidence_and_procurement_verifies(client, make_user, procurement, login):
    owner = make_user(roles.STAFF)
    supplier = SupplierFactory(contract_owner=owner)
    audit = AuditFactory(supplier=supplier)
    from suppliers.services import audit as audit_services

    finding = audit_services.finding_record(
        audit=audit, actor=procurement, severity="minor", description="No grievance poster"
    )
    action = audit_services.corrective_action_open(
        finding=finding,
        actor=procurement,
        description="Put up the helpline poster",
        owner=owner,
        due_date=datetime.date.today() + datetime.timedelta(days=10),
    )
    other_staff = make_user(roles.STAFF)
    login(other_staff)
    assert client.get(reverse("suppliers:action_detail", args=[action.pk])).status_code == 404
    assert client.get(reverse("suppliers:actions")).status_code == 404

    login(owner)
    assert client.get(reverse("suppliers:actions")).status_code == 200
    assert client.get(reverse("suppliers:detail", args=[supplier.pk])).status_code == 404
    url = reverse("suppliers:action_detail", args=[action.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("poster.pdf", b"MZ\x90\x00\x03binary", content_type="application/pdf")
    response = client.post(url, {"evidence-evidence": "Photo attached", "evidence-evidence_file": bad})
    assert "This type of file is not accepted" in response.content.decode()
    good = SimpleUploadedFile("poster.pdf", b"%PDF-1.4 poster", content_type="application/pdf")
    client.post(url, {"evidence-evidence": "Photo attached", "evidence-evidence_file": good})
    action.refresh_from_db()
    assert action.status == "evidence_submitted"
    # The owner may download their own evidence; the download is access-logged.
    download = client.get(reverse("suppliers:document", args=[action.evidence_document_id]))
    assert download.status_code == 200
    from compliance.models import AccessLog

    assert AccessLog.objects.filter(user=owner, action="download").exists()
    # The owner cannot verify their own evidence.
    assert client.post(url, {"verify-decision": "accept"}).status_code == 403

    login(procurement)
    client.post(url, {"verify-decision": "accept", "verify-note": "Seen on visit"})
    action.refresh_from_db()
    finding.refresh_from_db()
    assert action.status == "verified"
    assert finding.status == "closed"


def test_actions_of_a_terminated_supplier_are_not_chased():
    action = CorrectiveActionFactory(due_date=datetime.date(2026, 1, 1), finding__audit__supplier__status="terminated")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 7, tzinfo=datetime.UTC), tick=False):
        assert corrective_action_escalation() == {"reminded": 0, "escalated": 0, "termination_recommended": 0}
    action.refresh_from_db()
    assert action.escalation_level == 0


def test_planned_audit_can_be_cancelled_with_a_reason(client, procurement, board, login):
    audit = AuditFactory()
    url = reverse("suppliers:audit_detail", args=[audit.pk])
    login(board)
    assert client.post(url, {"cancel": "1", "reason": "x"}).status_code == 403
    login(procurement)
    client.post(url, {"cancel": "1", "reason": "Supplier closed the site"})
    audit.refresh_from_db()
    assert audit.status == "cancelled"
    assert "cancelled: Supplier closed the site" in audit.supplier.events.first().message
