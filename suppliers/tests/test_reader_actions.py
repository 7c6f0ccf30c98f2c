"""A reader (Board, Director, Compliance admin) sees the register's pages but every action on them is 403.

One row per `require_action` in the supplier views: the mutation check (scripts/mutate_permissions.py)
deletes each in turn, and this test is what fails. The services refuse a reader too, so the
view's gate shows only before the form is read: an empty form from a reader is 403, not a page
of field errors (a reader is never walked through a form they may not submit). A complete form
is refused as well, and the row is read back unchanged.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from suppliers import risk_defaults
from suppliers.models import (
    CategoryRisk,
    CodeOfConduct,
    CorrectiveAction,
    CountryRisk,
    QuestionnaireTemplate,
    RiskAssessment,
    RiskWeight,
)
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory
from tests.formdata import browser_form_data

pytestmark = pytest.mark.django_db

READERS = [roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN]


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_rescore_a_supplier(role, client, login, make_user):
    supplier = SupplierFactory()
    before = RiskAssessment.objects.filter(supplier=supplier).count()
    login(make_user(role))
    assert client.post(reverse("suppliers:rescore", args=[supplier.pk])).status_code == 403
    assert RiskAssessment.objects.filter(supplier=supplier).count() == before


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_record_a_code_of_conduct_acceptance(role, client, login, make_user):
    supplier = SupplierFactory()
    code = CodeOfConduct.objects.create(
        version="r1", clauses="No fees.", effective_from="2026-01-01", published_at=timezone.now()
    )
    login(make_user(role))
    assert client.get(reverse("suppliers:conduct_accept", args=[supplier.pk])).status_code == 403
    data = {"code": code.pk, "accepted_on": timezone.localdate().isoformat(), "signed_by_name": "MD"}
    response = client.post(reverse("suppliers:conduct_accept", args=[supplier.pk]), data)
    assert response.status_code == 403
    assert not supplier.conduct_acceptances.exists()


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_publish_a_code_of_conduct(role, client, login, make_user):
    login(make_user(role))
    before = CodeOfConduct.objects.count()
    assert client.post(reverse("suppliers:conduct"), {}).status_code == 403
    response = client.post(
        reverse("suppliers:conduct"),
        {"version": "9", "title": "Code", "effective_from": "2026-01-01", "clauses": "Be fair."},
    )
    assert response.status_code == 403
    assert CodeOfConduct.objects.count() == before


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_change_a_questionnaire_template(role, client, login, make_user):
    template = QuestionnaireTemplate.objects.filter(is_active=True).first()
    login(make_user(role))
    assert client.post(reverse("suppliers:template_detail", args=[template.pk]), {}).status_code == 403
    response = client.post(reverse("suppliers:template_detail", args=[template.pk]), {"active": "0"})
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.is_active


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_submit_evidence_for_someone_elses_action(role, client, login, make_user):
    action = CorrectiveActionFactory()
    login(make_user(role))
    url = reverse("suppliers:action_detail", args=[action.pk])
    assert client.get(url).status_code == 200  # they see it
    assert client.post(url, {}).status_code == 403
    assert client.post(url, {"evidence-evidence": "Rota attached"}).status_code == 403
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_act_on_an_audit_or_verify_evidence(role, client, login, make_user):
    action = CorrectiveActionFactory()
    audit = action.finding.audit
    login(make_user(role))
    audit_url = reverse("suppliers:audit_detail", args=[audit.pk])
    assert client.get(audit_url).status_code == 200  # they see it
    assert client.post(audit_url, {}).status_code == 403
    action_url = reverse("suppliers:action_detail", args=[action.pk])
    assert client.post(action_url, {"verify-decision": ""}).status_code == 403
    assert client.post(action_url, {"verify-decision": "accept"}).status_code == 403
    audit.refresh_from_db()
    action.refresh_from_db()
    assert audit.status == audit.Status.PLANNED
    assert action.status == CorrectiveAction.Status.OPEN


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_change_the_risk_tables(role, client, login, make_user, procurement):
    # The seeded tables, made again if a transactional test elsewhere flushed them.
    risk_defaults.seed_tables(RiskWeight, CountryRisk, CategoryRisk)
    url = reverse("suppliers:risk_settings")
    login(procurement)
    data = browser_form_data(client.get(url).content.decode(), action="")
    weights = dict(RiskWeight.objects.values_list("key", "value"))
    changed = next(name for name in data if name.startswith("w-"))
    data[changed] = str(int(data[changed]) + 1)
    login(make_user(role))
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert client.post(url, data).status_code == 403
    assert dict(RiskWeight.objects.values_list("key", "value")) == weights
