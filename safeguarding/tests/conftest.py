"""People around a case: the Lead, two Safeguarding team members and the roles that must see nothing."""

import pytest


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
