"""Real browser: sign in, MFA enrolment with a real TOTP code, navigation, accessibility."""

import re

import pytest
from playwright.sync_api import expect

from compliance import roles
from compliance.tests.factories import PASSWORD
from tests.browser import axe_violations, format_violations, sign_in_as
from tests.support import current_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_sign_in_page_is_accessible_and_shows_the_helpline(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert "08000 121 700" in page.content()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_staff_member_signs_in_and_sees_only_their_sections(page, live_server, make_user):
    user = make_user(roles.STAFF)
    _sign_in(page, live_server, user.email)
    expect(page).to_have_url(f"{live_server.url}/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="My training").count() == 1
    assert nav.get_by_role("link", name="Cases").count() == 0
    assert nav.get_by_role("link", name="Organisation").count() == 0
    # The skip link is the first thing a keyboard user reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_lead_must_enrol_in_mfa_with_a_real_authenticator_code(page, live_server, make_user):
    user = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, mfa=False)
    _sign_in(page, live_server, user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    assert "two-factor authentication" in page.content()
    secret = re.search(r"\b([A-Z2-7]{32})\b", page.content()).group(1)
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    # allauth shows the recovery codes once; after that the whole app is open.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/(recovery-codes/)?$"))
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").count() == 1


def test_app_pages_send_a_content_security_policy(client, make_user, login):
    login(make_user(roles.STAFF))
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # django-csp adds a real per-request nonce only when a page uses one; never the literal placeholder.
    assert "'nonce'" not in policy


@pytest.mark.parametrize("path", ["/organisation/", "/organisation/people/", "/notifications/", "/access-log/"])
def test_admin_pages_are_accessible(page, live_server, make_user, path):
    from compliance.tests.factories import OrganisationFactory

    OrganisationFactory()
    sign_in_as(page, live_server, make_user(roles.COMPLIANCE_ADMIN, roles.MODERN_SLAVERY_LEAD))
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_role("heading", level=1).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
