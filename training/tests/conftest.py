import pytest

from compliance import roles


@pytest.fixture
def hr_user(make_user):
    return make_user(roles.STAFF, roles.HR)


@pytest.fixture
def manager_user(make_user):
    return make_user(roles.STAFF, roles.LINE_MANAGER)
