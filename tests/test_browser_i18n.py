"""Real browser: an anonymous report in every language, RTL accessibility, the admin's wording, "Reported in"."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from compliance import roles
from safeguarding.models import Concern, SubjectType
from tests.browser import axe_violations, format_violations, sign_in_as
from tests.i18n_support import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
RTL = {"ar", "ur"}

# Every text node and every label a screen reader reads (hidden ones too).
TEXT_NODES = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !node.parentElement.closest('script, style') && node.textContent.trim()) {
      out.push(node.textContent);
    }
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      if (el.hasAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out;
}"""


def assert_page_in(page, code: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", "rtl" if code in RTL else "ltr")
    if code != settings.LANGUAGE_CODE:
        left = english_left(code, page.evaluate(TEXT_NODES))
        assert left == [], f"{code} {page.url}: English left: {left}"


def test_an_anonymous_report_in_each_language_leaves_no_english_on_the_journey(browser, live_server, settings):
    settings.ANONYMOUS_REPORTS_PER_HOUR = 100  # fifteen reports from one address in a minute
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    for code, _name in settings.LANGUAGES:
        # The cookie the switch sets; the switch itself is clicked in the wording test below.
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}])
        page.goto(f"{live_server.url}/report/")
        assert_page_in(page, code)
        page.check(f"input[name=subject_type][value={SubjectType.AGENCY_WORKER}]")
        page.fill("#id_narrative", f"The agency keeps his passport ({code}).")
        page.click("main form button[type=submit]")
        receipt_code = page.get_by_test_id("receipt-code").inner_text()
        assert_page_in(page, code)

        page.goto(f"{live_server.url}/report/status/")
        assert_page_in(page, code)
        page.fill("#id_code", receipt_code)
        page.click("main form button[type=submit]")
        expect(page.get_by_test_id("reporter-status")).to_be_visible()
        assert_page_in(page, code)
    context.close()
    assert sorted(Concern.objects.values_list("language", flat=True)) == sorted(c for c, _ in settings.LANGUAGES)


@pytest.mark.parametrize("code", sorted(RTL))
def test_the_right_to_left_form_passes_axe(browser, live_server, code, tmp_path):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/report/")
    assert page.evaluate("getComputedStyle(document.querySelector('main form')).direction") == "rtl"
    assert page.locator("link[href*='bootstrap.rtl.min.css']").count() == 1
    page.screenshot(path=str(tmp_path / f"report-form-{code}.png"), full_page=True)
    violations = axe_violations(page, impact=ALL_IMPACTS)
    assert not violations, format_violations(violations)
    # The easy read form's first screen, right to left too.
    page.goto(f"{live_server.url}/report/easy/")
    violations = axe_violations(page, impact=ALL_IMPACTS)
    assert not violations, format_violations(violations)
    context.close()


def test_the_admins_polish_wording_shows_on_the_form_and_the_lead_sees_reported_in_polski(
    browser, live_server, make_user
):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)

    admin_context = browser.new_context(bypass_csp=True)
    admin_page = admin_context.new_page()
    sign_in_as(admin_page, live_server, admin)
    admin_page.goto(f"{live_server.url}/organisation/wording/")
    admin_page.locator("#id_language").select_option("pl")
    admin_page.get_by_label("English string").select_option("Send report")
    admin_page.get_by_label("Wording to show").fill("Wyślij do koordynatora")
    admin_page.get_by_role("button", name="Save wording").click()
    expect(admin_page.get_by_test_id("wording-text")).to_have_text("Wyślij do koordynatora")
    admin_context.close()

    # A reporter arrives in English and picks Polish from the switch.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/report/")
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    page.get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    send = page.get_by_role("button", name="Wyślij do koordynatora")
    expect(send).to_be_visible()
    page.get_by_label("Pracownik agencji lub podwykonawcy").check()
    page.get_by_label("Co się stało?").fill("Agencja zabrała mu paszport.")
    send.click()
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    context.close()

    lead_context = browser.new_context(bypass_csp=True)
    lead_page = lead_context.new_page()
    sign_in_as(lead_page, live_server, lead)
    lead_page.goto(f"{live_server.url}{Concern.objects.get().get_absolute_url()}")
    expect(lead_page.get_by_test_id("reported-in")).to_contain_text("Polski")
    lead_context.close()
