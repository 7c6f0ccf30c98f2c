"""Playwright on Debian's Chromium (never a downloaded browser), plus axe-core from npm."""

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)), CHROMIUM)
    # Playwright's sync API runs an event loop; Django's ORM in the same thread
    # must be told that is fine for tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp only so axe-core can be injected; the app's CSP is tested separately.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Generous: the biggest pages (risk settings, 150-person lists) are slow when the machine is busy.
    page.set_default_timeout(30_000)
    yield page
    context.close()


# WCAG 2.2 AA: every A and AA rule axe has, from 2.0 to 2.2.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, *, impact: tuple[str, ...] | None = None) -> list[dict]:
    """Run axe-core's WCAG 2.2 A/AA rules on the page; its violations of every impact (or only those in `impact`)."""
    require_service("axe-core", AXE.exists(), "run npm ci")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    # resultTypes: only violations are needed, which spares axe describing every passing node (much faster).
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if impact is None or v["impact"] in impact
    ]


def format_violations(violations) -> str:
    return json.dumps(violations, indent=2)


def sign_in_as(page, live_server, user) -> None:
    """Put a signed-in session cookie into the browser (MFA counts as done)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
