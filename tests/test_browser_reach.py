"""The reporting journey on a phone, zoomed and with wider text spacing; the report and the triage by keyboard only."""

import pytest
from playwright.sync_api import expect

from compliance import roles
from safeguarding.models import Concern, Status
from tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 1.4.12: the user may set these and nothing may be lost.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The elements that stick out on the right, to say what to fix.
WIDE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.outerHTML.slice(0, 80)).slice(-3);
}"""
# What the keyboard focus is on, and whether it can be seen (an outline or a ring).
FOCUS = """(selector) => {
  const el = document.activeElement;
  // A searchable select's focus is on a borderless input inside its control; the control
  // carries the ring, and it must be the house ring (an outline), not the library's faint glow.
  const control = el.closest('.ts-control');
  const style = getComputedStyle(control || el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = control ? outlined : outlined || style.boxShadow !== 'none';
  return {matches: el.matches(selector), visible: ring, what: el.outerHTML.slice(0, 120)};
}"""


def _no_horizontal_scroll(page, where, problems):
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{where}: {overflow}px wider than the screen: {page.evaluate(WIDE)}")
    style = page.add_style_tag(content=TEXT_SPACING)
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{where} with text spacing: {overflow}px wider than the screen: {page.evaluate(WIDE)}")
    style.evaluate("node => node.remove()")


@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 320, "height": 640},  # the narrowest phone
        {"width": 640, "height": 450},  # a 1280 px window at 200% zoom
    ],
    ids=["320px", "200pct-zoom"],
)
def test_the_reporting_journey_fits_the_screen_without_horizontal_scrolling(browser, live_server, viewport):
    # bypass_csp: the text-spacing sheet stands for the reader's own stylesheet, which no page policy blocks.
    context = browser.new_context(viewport=viewport, device_scale_factor=2, bypass_csp=True)
    page = context.new_page()
    problems = []
    page.goto(f"{live_server.url}/report/")
    _no_horizontal_scroll(page, "report form", problems)
    page.get_by_role("button", name="Send report").click()
    # The answer is a new page: measure it once it has come, not the one being left.
    expect(page.locator(".is-invalid").first).to_be_visible()
    _no_horizontal_scroll(page, "report form with errors", problems)
    page.get_by_label("A service user").check()
    page.get_by_label("What happened?").fill("Her 'cousin' answers every question for her.")
    page.get_by_role("button", name="Send report").click()
    code = page.get_by_test_id("receipt-code").inner_text()
    _no_horizontal_scroll(page, "thank-you page with the receipt code", problems)
    # One tap copies the whole code, dashes and all, and says so.
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the code").click()
    expect(page.locator("#receipt-code-copied")).to_have_text("Code copied")
    assert page.evaluate("navigator.clipboard.readText()") == code
    page.goto(f"{live_server.url}/report/status/")
    _no_horizontal_scroll(page, "receipt code entry", problems)
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Show my report").click()
    expect(page.get_by_test_id("reporter-status")).to_be_visible()
    _no_horizontal_scroll(page, "follow-up page", problems)
    page.goto(f"{live_server.url}/report/easy/")
    _no_horizontal_scroll(page, "easy read form", problems)
    context.close()
    assert not problems, "\n".join(problems)


def test_without_javascript_the_receipt_code_is_plain_text_and_no_dead_button(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/report/")
    page.get_by_label("A service user").check()
    page.get_by_label("What happened?").fill("She is never paid.")
    page.get_by_role("button", name="Send report").click()
    code = page.get_by_test_id("receipt-code").inner_text()
    assert len(code.replace("-", "")) == 24 and code.count("-") == 5
    expect(page.get_by_role("button", name="Copy the code")).to_have_count(0)  # hidden: not offered
    context.close()


def _tab_to(page, selector, *, limit=120):
    """Press Tab until the focus is on `selector`; every stop on the way must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS, selector)
        assert focus["visible"], f"the focus cannot be seen on {focus['what']}"
        if focus["matches"]:
            return
    raise AssertionError(f"{selector} was not reached by Tab in {limit} presses")


def test_a_report_and_its_triage_by_keyboard_only(browser, live_server, make_user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/report/")
    # The skip link comes first and moves past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    _tab_to(page, "input[name=subject_type]")
    # Arrow keys move within a radio group; Space chooses the one with the focus.
    for _ in range(6):
        if page.evaluate("document.activeElement.value") == "service_user":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    _tab_to(page, "input[name=indicators][value=injuries]")
    page.keyboard.press("Space")
    _tab_to(page, "textarea[name=narrative]")
    page.keyboard.type("Bruises on her arms again; her 'cousin' answers every question for her.")
    _tab_to(page, "button[type=submit]:not([name])")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    concern = Concern.objects.get()
    assert concern.subject_type == "service_user" and concern.indicators == ["injuries"]

    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}{concern.get_absolute_url()}")
    _tab_to(page, "select[name=triage-risk_level]")
    # A closed list chooses by typing the start of an option, as a keyboard user does.
    page.keyboard.type("High")
    _tab_to(page, "form[action$='/triage/'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_be_visible()
    concern.refresh_from_db()
    assert concern.status == Status.TRIAGED and concern.risk_level == "high"
    context.close()
