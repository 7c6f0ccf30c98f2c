"""The case list's rows, written by one tag (case_tags.case_row), are the markup the template cells wrote."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from compliance.tests.factories import SiteFactory
from safeguarding.models import RiskLevel, Status, SubjectType
from safeguarding.templatetags.case_tags import case_row
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db

# The row as _case_table.html wrote it, cell by cell, before the tag.
TEMPLATE_ROW = Template(
    """{% load case_tags %}<tr>
      <td><a href="{{ concern.get_absolute_url }}">{{ concern.reference }}</a>{% if concern.immediate_danger %} <span class="badge text-bg-danger">Immediate danger</span>{% endif %}</td>
      <td>{{ concern.created_at|date:"j M Y" }}</td>
      <td>{{ concern.get_subject_type_display }}</td>
      <td>{{ concern.site|default:concern.location_text|default:"—" }}</td>
      <td>{% case_status_badge concern %}</td>
      <td>{% case_risk_badge concern %}</td>
      <td>{{ concern.assignee|default:"—" }}</td>
      <td>{% if concern.due_at %}{{ concern.due_at|date:"j M Y H:i" }}{% else %}—{% endif %}</td>
    </tr>"""
)


@pytest.mark.parametrize("language", ["en-gb", "pl"])
def test_each_row_is_the_markup_the_template_cells_wrote(language, team_member):
    # Late evening in winter and summer: the local date differs from the UTC one in summer.
    evening = datetime.datetime(2026, 7, 3, 23, 30, tzinfo=datetime.UTC)
    concerns = [
        ConcernFactory(immediate_danger=True, created_at=evening, due_at=evening, assignee=team_member),
        ConcernFactory(site=None, location_text="Warehouse <B> & yard", subject_type=SubjectType.SERVICE_USER),
        ConcernFactory(site=None, due_at=None, status=Status.CLOSED, risk_level=RiskLevel.CRITICAL),
        ConcernFactory(
            site=SiteFactory(name="O'Brien & Sons"),
            status=Status.INVESTIGATING,
            risk_level=RiskLevel.LOW,
            due_at=timezone.now() - datetime.timedelta(hours=2),
            created_at=datetime.datetime(2026, 1, 9, 8, 5, tzinfo=datetime.UTC),
        ),
    ]
    with translation.override(language):
        for concern in concerns:
            assert case_row(concern) == TEMPLATE_ROW.render(Context({"concern": concern}))
