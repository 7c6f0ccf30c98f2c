import pytest

from compliance import roles
from compliance.tests.factories import OrganisationFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(legal_name="Test Care Ltd", financial_year_end_day=31, financial_year_end_month=3)


@pytest.fixture
def lead(make_user):
    return make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, full_name="Lee Lead")


@pytest.fixture
def board(make_user):
    return make_user(roles.BOARD_MEMBER, full_name="Blake Board")


@pytest.fixture
def director(make_user):
    return make_user(roles.BOARD_MEMBER, roles.DIRECTOR, full_name="Dana Director", job_title="Chief executive")


@pytest.fixture
def compliance_admin(make_user):
    return make_user(roles.STAFF, roles.COMPLIANCE_ADMIN)
