"""Real browser: the pygal charts render under the app's Content Security Policy; pages pass axe.

The `browser` and `page` fixtures come from the root conftest (one shared Chromium);
`page` bypasses the CSP so axe can be injected, so the chart test opens its own context.
"""

import pytest

from compliance import roles
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory
from safeguarding.tests.factories import ConcernFactory
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_render_under_the_csp(browser, live_server, make_user, organisation):
    ConcernFactory(status="closed", outcome="referred_on")
    GovernanceMeetingFactory()
    user = make_user(roles.BOARD_MEMBER)
    # A context that enforces the CSP (the shared page fixture bypasses it for axe).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    violations = []
    # Only what the policy blocked ("Refused to ..."), not warnings about the header itself.
    tab.on("console", lambda m: violations.append(m.text) if m.text.startswith("Refused") else None)
    sign_in_as(tab, live_server, user)
    tab.goto(f"{live_server.url}/reporting/")
    images = tab.locator("figure.chart img")
    assert images.count() == 4
    tab.wait_for_load_state("load")
    widths = tab.evaluate("Array.from(document.querySelectorAll('figure.chart img')).map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), widths
    assert not violations, violations
    context.close()


@pytest.mark.parametrize(
    "path", ["/reporting/", "/reporting/statements/", "/reporting/risks/", "/reporting/board-reports/"]
)
def test_reporting_pages_are_accessible(page, live_server, make_user, organisation, path):
    StatementFactory()
    sign_in_as(page, live_server, make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD))
    page.goto(f"{live_server.url}{path}")
    found = axe_violations(page)
    assert not found, format_violations(found)


def test_public_statement_is_accessible(page, live_server, organisation):
    StatementFactory(
        status="published",
        published_on="2025-06-30",
        approved_on="2025-06-20",
        signatory_name="Dana Director",
        signed_on="2025-06-25",
    )
    page.goto(f"{live_server.url}/reporting/statement/2025/")
    assert "Dana Director" in page.content()
    found = axe_violations(page)
    assert not found, format_violations(found)


def test_statement_pages_and_forms_are_accessible(page, live_server, make_user, organisation):
    statement = StatementFactory()
    sign_in_as(page, live_server, make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD))
    for path in (
        f"/reporting/statements/{statement.pk}/",
        f"/reporting/statements/{statement.pk}/edit/",
        "/reporting/risks/new/",
        "/reporting/meetings/new/",
        "/reporting/actions/new/",
    ):
        page.goto(f"{live_server.url}{path}")
        found = axe_violations(page)
        assert not found, path + "\n" + format_violations(found)
