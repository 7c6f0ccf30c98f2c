"""A case's status and risk badges, as tags: the same markup the included partials gave."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from safeguarding.models import Status
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db

# The partials the tags replaced, as they were (less their file's last new line).
STATUS_PARTIAL = (
    '<span class="badge text-bg-secondary status-{{ concern.status }}">{{ concern.get_status_display }}</span>'
    '{% if concern.is_overdue %} <span class="badge text-bg-danger">Overdue</span>{% endif %}'
)
RISK_PARTIAL = (
    '{% if concern.risk_level %}<span class="badge risk-{{ concern.risk_level }}">Risk: '
    "{{ concern.get_risk_level_display }}</span>{% else %}"
    '<span class="badge text-bg-light border">Risk: not assessed</span>{% endif %}'
)


def _both(tag: str, partial: str, concern) -> tuple[str, str]:
    ours = Template("{% load case_tags %}" + tag).render(Context({"concern": concern}))
    return ours, Template(partial).render(Context({"concern": concern}))


@pytest.mark.parametrize("overdue", [False, True])
@pytest.mark.parametrize("status", [Status.NEW, Status.TRIAGED, Status.CLOSED])
def test_case_status_badge_is_the_partials_markup(status, overdue):
    due = timezone.now() + datetime.timedelta(days=-1 if overdue else 1)
    concern = ConcernFactory(status=status, due_at=due)
    ours, partial = _both("{% case_status_badge concern %}", STATUS_PARTIAL, concern)
    assert ours == partial
    assert ("Overdue" in ours) == (overdue and status != Status.CLOSED)


@pytest.mark.parametrize("risk_level", ["", "low", "high", "critical"])
def test_case_risk_badge_is_the_partials_markup(risk_level):
    concern = ConcernFactory(risk_level=risk_level)
    ours, partial = _both("{% case_risk_badge concern %}", RISK_PARTIAL, concern)
    assert ours == partial
