"""Real browser: reporting on a phone-sized screen, receipt code follow-up, case page accessibility."""

import pytest
from playwright.sync_api import expect

from compliance import roles
from safeguarding.models import Concern, Status
from safeguarding.tests.factories import ConcernFactory
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_report_and_follow_up_on_a_phone(browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/report/")
    # The first thing read in the form is what to do in an emergency.
    assert page.get_by_role("alert").first.inner_text().startswith("Is anyone in immediate danger? Call 999 now.")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_label("A service user").check()
    page.get_by_label("Unexplained injuries or signs of abuse").check()
    page.get_by_label("What happened?").fill("Bruises on her arms again; her 'cousin' answers every question for her.")
    page.get_by_role("button", name="Send report").click()
    code = page.get_by_test_id("receipt-code").inner_text()
    reference = page.get_by_test_id("reference").inner_text()
    assert Concern.objects.get().reference == reference
    assert not axe_violations(page)

    page.goto(f"{live_server.url}/report/status/")
    page.get_by_label("Your receipt code").fill(code.lower())
    page.get_by_role("button", name="Show my report").click()
    expect(page.get_by_test_id("reporter-status")).to_have_text("Received: waiting to be looked at")
    page.get_by_label("Anything to add, or your answer").fill("It happened again on Sunday.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("It happened again on Sunday.")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    context.close()


def test_report_form_errors_are_announced_and_keep_input(page, live_server, make_user):
    sign_in_as(page, live_server, make_user(roles.STAFF))
    page.goto(f"{live_server.url}/concerns/new/")
    page.get_by_label("Where, if not one of our sites").fill("Bus stop outside")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Your report has not been sent yet.").first).to_be_visible()
    expect(page.get_by_label("Where, if not one of our sites")).to_have_value("Bus stop outside")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("path", ["/cases/", "case", "/my-reports/"])
def test_case_pages_are_accessible(page, live_server, make_user, path):
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    concern = ConcernFactory(status=Status.TRIAGED, risk_level="critical", reporter=lead, assignee=lead)
    ConcernFactory(status=Status.NEW)
    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}{concern.get_absolute_url() if path == 'case' else path}")
    assert page.get_by_role("heading", level=1).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_case_list_filters_update_in_place(page, live_server, make_user):
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    new = ConcernFactory(status=Status.NEW)
    closed = ConcernFactory(status=Status.CLOSED, risk_level="low", outcome="no_further_action")
    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("link", name=closed.reference)).to_be_visible()
    page.get_by_label("Status").select_option("new")
    expect(page.get_by_role("link", name=closed.reference)).to_have_count(0)
    expect(page.get_by_role("link", name=new.reference)).to_be_visible()
    assert "status=new" in page.url
