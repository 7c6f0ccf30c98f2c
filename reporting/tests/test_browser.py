"""Real browser: the pygal charts render under the app's Content Security Policy; pages pass axe."""

import pytest

from compliance import roles
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory
from safeguarding.tests.factories import ConcernFactory
from tests.browser import CHROMIUM, CHROMIUM_ARGS, axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(request):
    """Reuse a Chromium another app's fixture already started, else start one for this module.

    Playwright's sync API allows one instance per thread and several apps define a
    `browser` fixture; until one shared fixture lives in the root conftest, share
    whichever is running (the same workaround as suppliers/tests/test_browser.py).
    """
    all_defs = getattr(request._fixturemanager, "_get_all_fixture_defs", lambda: ())
    for fixturedef in all_defs():
        if fixturedef.argname != "browser":
            continue
        cached = getattr(fixturedef, "cached_result", None)
        if cached and cached[0] is not None:
            yield cached[0]
            return
    import os
    import shutil
    from pathlib import Path

    from tests.support import require_service

    require_service("Chromium", Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)), CHROMIUM)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # bypass_csp only so axe-core can be injected; the chart test below enforces the CSP.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


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
