"""Real browser: a returning anonymous reporter reaches their report from the start page with the receipt code."""

import pytest
from playwright.sync_api import expect

from safeguarding.models import Channel, SubjectType
from safeguarding.services import concern_acknowledge, concern_submit
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_returning_anonymous_reporter_reaches_their_report_from_the_start_page(page, live_server, lead):
    concern = concern_submit(
        reporter=None,
        channel=Channel.ANONYMOUS_FORM,
        subject_type=SubjectType.AGENCY_WORKER,
        indicators=[],
        narrative="The new agency cleaner is collected by a man who keeps her wages.",
    )
    concern_acknowledge(concern=concern, actor=lead)
    # Days later, on another device: the site's address, not the one-time thank-you page.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()  # "/" sends visitors to sign in
    box = page.get_by_test_id("receipt-code-box")
    expect(box.get_by_role("heading", name="Reported a concern before?")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    box.get_by_label("Your receipt code").fill(concern.receipt_code.lower())
    box.get_by_role("button", name="Show my report").click()
    expect(page.get_by_role("heading", name=f"Your report {concern.reference}")).to_be_visible()
    expect(page.get_by_test_id("own-narrative")).to_have_text(
        "The new agency cleaner is collected by a man who keeps her wages."
    )
    expect(page.get_by_test_id("acknowledge-date")).to_contain_text("We confirmed that we received your report on")
    expect(page.get_by_test_id("feedback-date")).to_contain_text("We will tell you what we have done about it by")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_the_signed_in_start_page_has_the_receipt_code_box_too(page, live_server, staff_user):
    concern = concern_submit(
        reporter=None,
        channel=Channel.ANONYMOUS_FORM,
        subject_type=SubjectType.PUBLIC,
        indicators=[],
        narrative="A man sleeps in the car park van every night.",
    )
    sign_in_as(page, live_server, staff_user)
    page.goto(f"{live_server.url}/")
    box = page.get_by_test_id("receipt-code-box")
    box.get_by_label("Your receipt code").fill(concern.receipt_code)
    box.get_by_role("button", name="Show my report").click()
    expect(page.get_by_test_id("own-narrative")).to_have_text("A man sleeps in the car park van every night.")
