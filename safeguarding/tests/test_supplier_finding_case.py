"""A supplier audit finding that may show a person at risk opens a case here, through suppliers' signal."""

import pytest

from compliance import roles
from safeguarding.models import Channel, Concern, SubjectType
from suppliers.models import Finding
from suppliers.services import audit as audit_services
from suppliers.tests.factories import AuditFactory

pytestmark = pytest.mark.django_db


def test_a_finding_that_needs_a_case_opens_one_linked_to_the_supplier(make_user):
    procurement = make_user(roles.STAFF, roles.PROCUREMENT)
    audit = AuditFactory(supplier__name="Harvest Catering")
    finding = audit_services.finding_record(
        audit=audit,
        actor=procurement,
        severity=Finding.Severity.CRITICAL,
        description="Passports held by the supervisor",
        open_safeguarding_case=True,
    )
    concern = Concern.objects.get(linked_supplier=audit.supplier)
    assert concern.channel == Channel.SUPPLIER_AUDIT
    assert concern.subject_type == SubjectType.SUPPLIER_WORKER
    assert "Passports held by the supervisor" in concern.narrative
    finding.refresh_from_db()
    assert finding.safeguarding_reference == concern.reference


def test_a_finding_without_the_request_opens_no_case(make_user):
    procurement = make_user(roles.STAFF, roles.PROCUREMENT)
    audit = AuditFactory()
    audit_services.finding_record(audit=audit, actor=procurement, severity=Finding.Severity.CRITICAL, description="x")
    assert not Concern.objects.exists()
