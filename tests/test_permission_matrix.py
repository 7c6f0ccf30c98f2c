"""Walk every page for every role: nothing 500s, and each section is 404 outside its roles.

Routes are discovered from the URL configuration, so a new page is covered the
day it is added. Pages that take arguments are covered by their app's tests.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from compliance import roles

pytestmark = pytest.mark.django_db

# Section prefix -> roles that may open pages under it. Every other role gets 404.
SECTION_ROLES = {
    "/cases/": {roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM},
    "/suppliers/": {
        roles.PROCUREMENT,
        roles.MODERN_SLAVERY_LEAD,
        roles.BOARD_MEMBER,
        roles.DIRECTOR,
        roles.COMPLIANCE_ADMIN,
    },
    "/reporting/": {roles.MODERN_SLAVERY_LEAD, roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN},
    "/organisation/": {roles.COMPLIANCE_ADMIN},
    "/access-log/": {roles.MODERN_SLAVERY_LEAD, roles.COMPLIANCE_ADMIN},
}
# Pages inside a section that only some of its roles use; the others get 404 as outsiders do.
ROUTE_ROLES = {
    "/suppliers/new/": {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    "/suppliers/import/": {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    "/reporting/statements/registry.csv": {roles.MODERN_SLAVERY_LEAD, roles.DIRECTOR, roles.COMPLIANCE_ADMIN},
}
# Pages any visitor may open without an account.
# /i18n/ is the language switch: an anonymous reporter must be able to use it.
PUBLIC_PREFIXES = ("/report/", "/health/", "/accounts/", "/suppliers/q/", "/reporting/statement/", "/i18n/")
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/__")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            yield "/" + route.lstrip("^").rstrip("$")


def _plain_routes():
    routes = sorted(set(_walk(get_resolver())))
    return [r for r in routes if not r.startswith(SKIP_PREFIXES) and "\\" not in r]


ROUTES = _plain_routes()


def _allowed(route: str, role: str):
    # The most specific matching prefix wins (a public questionnaire link lives under /suppliers/).
    if route.startswith("/accounts/"):
        return None  # allauth decides (e.g. recovery codes 404 until MFA is set up)
    if route == "/suppliers/q/":
        return None  # the questionnaire page opens only for a session that came through an emailed link
    if route.startswith(PUBLIC_PREFIXES):
        return True
    if route in ROUTE_ROLES:
        return role in ROUTE_ROLES[route]
    for prefix in sorted(SECTION_ROLES, key=len, reverse=True):
        if route.startswith(prefix):
            return role in SECTION_ROLES[prefix]
    return None  # pages every signed-in user may open, or that decide per object


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_page_answers_each_role_without_error(client, make_user, role):
    client.force_login(make_user(role))
    failures = []
    for route in ROUTES:
        if route.startswith("/accounts/logout"):
            continue
        status = client.get(route).status_code
        allowed = _allowed(route, role)
        if status == 405 and allowed is False:
            # A POST-only action: the method is refused to everyone, so ask with POST.
            status = client.post(route).status_code
        if status >= 500:
            failures.append(f"{route}: {status}")
        elif allowed is False and status != 404:
            failures.append(f"{route}: {status}, expected 404 for {role}")
        elif allowed is True and status == 404:
            failures.append(f"{route}: 404, but {role} may use it")
    assert not failures, "\n".join(failures)


def test_anonymous_visitor_is_sent_to_sign_in_except_on_public_pages(client):
    failures = []
    for route in ROUTES:
        response = client.get(route)
        if route.startswith(PUBLIC_PREFIXES):
            if response.status_code >= 500:
                failures.append(f"{route}: {response.status_code}")
        elif response.status_code != 302 or "/accounts/login/" not in response.url:
            failures.append(f"{route}: {response.status_code} for an anonymous visitor")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_the_sections():
    assert any(r.startswith("/cases/") for r in ROUTES)
    assert any(r.startswith("/organisation/") for r in ROUTES)
