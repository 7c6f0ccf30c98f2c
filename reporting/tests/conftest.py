import pytest

from compliance.tests.factories import OrganisationFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(legal_name="Test Care Ltd", financial_year_end_day=31, financial_year_end_month=3)
