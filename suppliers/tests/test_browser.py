"""Real browser: supplier pages and the public questionnaire pass axe (WCAG 2.2 AA) checks."""

import pytest
from playwright.sync_api import expect

from suppliers.models import QuestionnaireTemplate
from suppliers.questionnaire_defaults import MSAT_NAME
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services
from suppliers.tests.factories import AuditFactory, SupplierFactory
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_and_detail_pages_are_accessible(page, live_server, procurement):
    supplier = SupplierFactory(
        name="Brightway Cleaning", category="cleaning", countries=["GB", "RO"], uses_agency_labour=True
    )
    register_services.risk_assess(supplier=supplier, reason="test")
    AuditFactory(supplier=supplier)
    sign_in_as(page, live_server, procurement)
    for path in (
        "/suppliers/",
        f"/suppliers/{supplier.pk}/",
        "/suppliers/audits/",
        "/suppliers/import/",
        "/suppliers/risk-settings/",
        "/suppliers/conduct/",
        "/suppliers/questionnaire-templates/",
        "/suppliers/actions/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).count() == 1
        violations = axe_violations(page)
        assert not violations, f"{path}: {format_violations(violations)}"


def test_supplier_contact_saves_and_submits_in_a_browser(page, live_server, procurement):
    supplier = SupplierFactory(name="Sparkle Cleaning")
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    _request, token = questionnaire_services.questionnaire_send(
        supplier=supplier, template=template, actor=procurement, contact_name="Kim", contact_email="kim@x.example"
    )
    page.goto(f"{live_server.url}/suppliers/q/{token}/")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_label("Which countries do your main goods or workers come from?").fill("UK and Poland")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible(timeout=15_000)
    expect(page.get_by_label("Which countries do your main goods or workers come from?")).to_have_value(
        "UK and Poland", timeout=15_000
    )
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Answer this question before you submit.").first).to_be_visible(timeout=15_000)


def test_register_filters_update_the_list_in_place(page, live_server, procurement):
    SupplierFactory(name="Acme Cleaning", category="cleaning")
    SupplierFactory(name="Byte Hardware", category="it_hardware")
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/")
    page.get_by_label("Search").fill("acme")
    expect(page.get_by_role("status")).to_have_text("1 supplier.", timeout=15_000)
    expect(page.get_by_role("link", name="Byte Hardware")).to_have_count(0)
    assert "q=acme" in page.url


def test_audit_action_and_review_pages_are_accessible(page, live_server, procurement):
    from suppliers.tests.factories import CorrectiveActionFactory

    action = CorrectiveActionFactory()
    template = QuestionnaireTemplate.objects.get(name=MSAT_NAME)
    request, _token = questionnaire_services.questionnaire_send(
        supplier=action.supplier, template=template, actor=procurement, contact_name="Kim", contact_email="k@x.example"
    )
    sign_in_as(page, live_server, procurement)
    for path in (
        f"/suppliers/audits/{action.finding.audit_id}/",
        f"/suppliers/actions/{action.pk}/",
        f"/suppliers/questionnaires/{request.pk}/",
        f"/suppliers/questionnaire-templates/{template.pk}/",
        f"/suppliers/{action.supplier_id}/enhanced-checks/",
        f"/suppliers/{action.supplier_id}/decision/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).count() == 1
        violations = axe_violations(page)
        assert not violations, f"{path}: {format_violations(violations)}"
