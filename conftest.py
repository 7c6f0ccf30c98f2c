"""Fixtures shared by every app's tests: people in each role, MFA, uploads."""

import pytest

from compliance import roles
from compliance.tests.factories import UserFactory
from tests.browser import browser, page  # noqa: F401  one shared Chromium for every app's browser tests
from tests.support import enrol_totp


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploads from one test never leak into another or into the real folder.
    settings.MEDIA_ROOT = tmp_path / "uploads"


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


@pytest.fixture
def staff_user(make_user):
    return make_user(roles.STAFF)


@pytest.fixture
def lead_user(make_user):
    return make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)


@pytest.fixture
def admin_user(make_user):
    return make_user(roles.STAFF, roles.COMPLIANCE_ADMIN)
