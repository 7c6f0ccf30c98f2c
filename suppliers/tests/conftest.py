import pytest

from compliance import roles


@pytest.fixture
def procurement(make_user):
    return make_user(roles.STAFF, roles.PROCUREMENT)


@pytest.fixture
def lead(make_user):
    return make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)


@pytest.fixture
def board(make_user):
    return make_user(roles.BOARD_MEMBER)
