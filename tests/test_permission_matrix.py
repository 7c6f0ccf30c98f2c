"""Walk every plain page for every role: the exact answer each role gets, sections from the navigation.

Routes are discovered from the URL configuration, so a new page is covered the day it is added.
Sections and who may use them come from `compliance.navigation.SECTIONS` (its url and its
predicate), so the nav bar and this matrix cannot disagree; a page under no section fails the
matrix until it is placed (in the navigation, or below as a page every signed-in user opens).
Pages that take arguments are covered by tests/test_object_permissions.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from compliance import roles
from compliance.navigation import SECTIONS

pytestmark = pytest.mark.django_db

# Pages inside a section that only some of its roles use; the others get 404 as outsiders do.
ROUTE_ROLES = {
    "/training/team/": {roles.LINE_MANAGER, roles.HR, roles.COMPLIANCE_ADMIN},
    "/training/rates/": {
        roles.HR,
        roles.COMPLIANCE_ADMIN,
        roles.MODERN_SLAVERY_LEAD,
        roles.BOARD_MEMBER,
        roles.DIRECTOR,
    },
    "/training/policies/new/": {roles.HR, roles.COMPLIANCE_ADMIN},
    "/cases/subject-access/": {roles.MODERN_SLAVERY_LEAD},
    "/suppliers/new/": {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    "/suppliers/bulk/": {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    "/suppliers/import/": {roles.PROCUREMENT, roles.MODERN_SLAVERY_LEAD},
    "/reporting/statements/registry.csv": {roles.MODERN_SLAVERY_LEAD, roles.DIRECTOR, roles.COMPLIANCE_ADMIN},
    "/reporting/statements/registry.xlsx": {roles.MODERN_SLAVERY_LEAD, roles.DIRECTOR, roles.COMPLIANCE_ADMIN},
}
# Pages in a section its other roles can see but not use: 403 (a forbidden action on a visible page).
GOVERNANCE_WRITERS = {roles.MODERN_SLAVERY_LEAD}
FORBIDDEN_UNLESS = {
    "/reporting/actions/new/": GOVERNANCE_WRITERS,
    "/reporting/meetings/new/": GOVERNANCE_WRITERS,
    "/reporting/risks/new/": GOVERNANCE_WRITERS,
    "/reporting/risks/annual-review/": GOVERNANCE_WRITERS,
}
# Pages any visitor may open without an account.
# /i18n/ is the language switch: an anonymous reporter must be able to use it.
PUBLIC_PREFIXES = (
    "/report/",
    "/health/",
    "/accounts/",
    "/suppliers/q/",
    "/suppliers/portal/",
    "/reporting/statement/",
    "/i18n/",
)
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/__")
# Pages every signed-in person opens, in no section of the navigation.
EVERY_SIGNED_IN = {
    "/",
    "/notifications/",
    "/notifications/read-all/",
    "/concerns/new/",
    "/account/api-token/",
    "/exports/",  # each person's own background exports
}
# The exact answer of an allowed page when it is not 200 (a POST-only action asked with GET, a
# page that sends on to where the work is). Anything else allowed must answer exactly 200.
ALLOWED_STATUS = {
    "/notifications/read-all/": 405,  # POST only
    "/reporting/statements/start/": 405,  # POST only
    "/report/status/forget/": 405,  # POST only
    "/report/status/view/": 302,  # to the receipt-code form when no case is open in the session
    "/i18n/setlang/": 302,  # back to the page
}


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


def _sections():
    """URL prefix -> the navigation's predicate for it, most specific prefix first."""
    by_prefix = {reverse(s.url_name): s.predicate for s in SECTIONS}
    return sorted(by_prefix.items(), key=lambda item: len(item[0]), reverse=True)


def _section_of(route: str):
    for prefix, predicate in _sections():
        # "/" would hold every page: the start page is a section of its own, not a prefix.
        if prefix != "/" and route.startswith(prefix):
            return predicate
    return None


def _public(route):
    return route.startswith(PUBLIC_PREFIXES)


def _allowed(route: str, user) -> bool | None:
    """Whether the user may open the page; None for pages whose answer allauth or a link decides."""
    if route.startswith("/accounts/") or route in ("/suppliers/q/", "/suppliers/portal/"):
        # allauth decides (recovery codes 404 until MFA); the questionnaire and the portal need their emailed link
        return None
    if _public(route) or route in EVERY_SIGNED_IN:
        return True
    if route in ROUTE_ROLES:
        return bool(set(user.role_names) & ROUTE_ROLES[route])
    section = _section_of(route)
    return None if section is None else section.test(user)  # unplaced: the test above fails


def test_every_page_is_in_a_section_of_the_navigation():
    unplaced = [r for r in ROUTES if not _public(r) and r not in EVERY_SIGNED_IN and _section_of(r) is None]
    assert not unplaced, f"add these to compliance/navigation.py SECTIONS or to EVERY_SIGNED_IN here: {unplaced}"


def test_the_matrix_has_a_section_for_each_part_of_the_app():
    prefixes = {prefix for prefix, _ in _sections()}
    for expected in ("/cases/", "/suppliers/", "/training/", "/training/team/", "/reporting/", "/organisation/"):
        assert expected in prefixes
        assert any(r.startswith(expected) for r in ROUTES), expected


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_page_answers_each_role_exactly(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    failures = []
    for route in ROUTES:
        if route.startswith("/accounts/logout"):
            continue
        allowed = _allowed(route, user)
        status = client.get(route).status_code
        if status == 405 and allowed is False:
            # A POST-only action: the method is refused to everyone, so ask with POST.
            status = client.post(route).status_code
        if allowed is None:
            if status >= 500:
                failures.append(f"{route}: {status}")
        elif allowed is False and status != 404:
            failures.append(f"{route}: {status}, expected 404 for {role}")
        elif allowed:
            want = ALLOWED_STATUS.get(route, 200)
            if route in FORBIDDEN_UNLESS and role not in FORBIDDEN_UNLESS[route]:
                want = 403
            if status != want:
                failures.append(f"{route}: {status}, expected {want} for {role}")
    assert not failures, "\n".join(failures)


def test_anonymous_visitor_is_sent_to_sign_in_except_on_public_pages(client):
    failures = []
    for route in ROUTES:
        response = client.get(route)
        if _public(route):
            if response.status_code >= 500:
                failures.append(f"{route}: {response.status_code}")
        elif response.status_code != 302 or "/accounts/login/" not in response.url:
            failures.append(f"{route}: {response.status_code} for an anonymous visitor")
    assert not failures, "\n".join(failures)
