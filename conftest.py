"""Fixtures shared by every app's tests: people in each role, MFA, uploads."""

import pytest

from compliance import roles
from compliance.tests.factories import UserFactory
from tests.browser import browser, page  # noqa: F401  one shared Chromium for every app's browser tests
from tests.support import enrol_totp
from tests.workers import real_broker  # noqa: F401  Celery queues to Redis for real (worker tests)

# Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`) ungrouped tests are spread one
# by one over the workers. Two kinds must stay together on one worker, in file order:
# - browser tests: one Chromium at a time (two at once on a 2-core machine time out), and the
#   session-scoped browser is started once, not once per worker;
# - tests/test_demo.py: its module fixture holds the seeded demo in an open transaction until the
#   module's last test, so any other test run on that worker in between would see the demo data.
XDIST_GROUPS = {"tests/test_demo.py": "demo"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        group = XDIST_GROUPS.get(item.nodeid.split("::", 1)[0])
        if item.get_closest_marker("browser") or {"page", "browser", "live_server"} & set(item.fixturenames):
            group = "browser"
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploads from one test never leak into another or into the real folder.
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread: a test that
    # asked for Shona must not make the next test's service messages Shona.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def _make(*role_names, mfa: bool | None = None, **kwargs):
        user = UserFactory(roles=list(role_names) or [roles.STAFF], **kwargs)
        if mfa is None:
            mfa = bool(set(role_names) & roles.PRIVILEGED_ROLES)
        if mfa:
            enrol_totp(user)
        return user

    return _make


@pytest.fixture
def login(client):
    """Sign a user in with a session (their MFA, if any, counts as done)."""

    def _login(user, target_client=None):
        c = target_client or client
        c.force_login(user)
        return c

    return _login


# People in each role: the one set every app's tests use (no per-app copies). Names are fixed
# where tests read them on pages (e.g. "Dana Director" signs the statement).
@pytest.fixture
def staff_user(make_user):
    return make_user(roles.STAFF)


@pytest.fixture
def lead(make_user):
    return make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, full_name="Lee Lead")


@pytest.fixture
def lead_user(lead):
    """The same person as `lead` (older spelling)."""
    return lead


@pytest.fixture
def compliance_admin(make_user):
    return make_user(roles.STAFF, roles.COMPLIANCE_ADMIN)


@pytest.fixture
def admin_user(compliance_admin):
    """The same person as `compliance_admin` (older spelling)."""
    return compliance_admin


@pytest.fixture
def team_member(make_user):
    return make_user(roles.STAFF, roles.SAFEGUARDING_TEAM, full_name="Sasha Safeguarding")


@pytest.fixture
def other_team_member(make_user):
    return make_user(roles.STAFF, roles.SAFEGUARDING_TEAM, full_name="Robin Other")


@pytest.fixture
def reporter(make_user):
    return make_user(roles.STAFF, full_name="Rowan Reporter", email="rowan.reporter@example.org")


@pytest.fixture
def deputy(make_user):
    """The Lead's deputy for cases: a Compliance admin."""
    return make_user(roles.STAFF, roles.COMPLIANCE_ADMIN, full_name="Alex Admin")


@pytest.fixture
def procurement(make_user):
    return make_user(roles.STAFF, roles.PROCUREMENT)


@pytest.fixture
def board(make_user):
    return make_user(roles.BOARD_MEMBER, full_name="Blake Board")


@pytest.fixture
def director(make_user):
    return make_user(roles.BOARD_MEMBER, roles.DIRECTOR, full_name="Dana Director", job_title="Chief executive")


@pytest.fixture
def hr_user(make_user):
    return make_user(roles.STAFF, roles.HR)


@pytest.fixture
def manager_user(make_user):
    return make_user(roles.STAFF, roles.LINE_MANAGER)
