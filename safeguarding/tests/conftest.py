"""People around a case: the Lead, two Safeguarding team members and the roles that must see nothing."""

import pytest

from compliance import roles


@pytest.fixture
def lead(make_user):
    return make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, full_name="Lee Lead")


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
    return make_user(roles.STAFF, roles.COMPLIANCE_ADMIN, full_name="Alex Admin")


@pytest.fixture
def submit(reporter):
    """Report a concern through the real service, as a member of staff by default."""
    from safeguarding.models import Channel, Indicator, SubjectType
    from safeguarding.services import concern_submit

    def _submit(**overrides):
        kwargs = {
            "reporter": reporter,
            "channel": Channel.STAFF_FORM,
            "subject_type": SubjectType.STAFF,
            "indicators": [Indicator.EXCESSIVE_HOURS, Indicator.NO_ID],
            "narrative": "A new night worker says the agency keeps his passport and he works 80 hours a week.",
        }
        kwargs.update(overrides)
        return concern_submit(**kwargs)

    return _submit
