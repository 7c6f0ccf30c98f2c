# Browser fixtures for the cross-app suites (Playwright on Debian's Chromium).
from tests.browser import browser, page  # noqa: F401
