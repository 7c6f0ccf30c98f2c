"""List rows written by tags (training_tags) are the markup the template cells wrote before them."""

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from compliance.tests.factories import DepartmentFactory, UserFactory
from training.models import TrainingRecord
from training.templatetags.training_tags import record_row
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)

# HR's records list row as training/admin/record_list.html wrote it, cell by cell, before record_row.
RECORD_ROW = Template(
    """{% load links training_tags %}<tr>
    <th scope="row"><a href="{% pk_url 'training:person' record.user_id %}">{{ record.user }}</a></th>
    <td>{{ record.user.department|default:"–" }}</td>
    <td><a href="{% pk_url 'training:record_detail' record.pk %}">{{ record.course.title }}</a></td>
    <td>{{ record.status|status_badge }}</td>
    <td>{{ record.due_on|date:"j M Y" }}</td>
    <td>{{ record.completed_on|date:"j M Y"|default:"–" }}</td>
    <td>{{ record.expires_on|date:"j M Y"|default:"–" }}</td>
    <td>{{ record.get_source_display }}</td>
  </tr>"""
)


@pytest.mark.parametrize("language", ["en-gb", "pl", "uk"])
@time_machine.travel(TODAY, tick=False)
def test_each_records_list_row_is_the_markup_the_template_cells_wrote(language):
    course = CourseFactory(code="fire", title="Fire & <safety>")
    named = UserFactory(full_name="O'Brien <Ann>", department=DepartmentFactory(name="Nights & Days"))
    unnamed = UserFactory(full_name="", department=None)
    records = [
        TrainingRecordFactory(user=named, course=course, due_on=datetime.date(2026, 5, 1)),
        TrainingRecordFactory(
            user=unnamed,
            course=CourseFactory(code="hand"),
            due_on=datetime.date(2026, 12, 31),
            completed_on=datetime.date(2026, 2, 9),
            expires_on=datetime.date(2027, 2, 9),
            source=TrainingRecord.Source.CSV_IMPORT,
        ),
        TrainingRecordFactory(
            user=named,
            course=CourseFactory(code="ms"),
            due_on=datetime.date(2026, 6, 10),
            declared_on=datetime.date(2026, 5, 30),
            source=TrainingRecord.Source.SELF_DECLARED,
        ),
        TrainingRecordFactory(
            user=unnamed,
            course=CourseFactory(code="gdpr"),
            due_on=datetime.date(2025, 1, 1),
            completed_on=datetime.date(2025, 3, 1),
            expires_on=datetime.date(2026, 3, 1),
            source=TrainingRecord.Source.RULE,
        ),
    ]
    with translation.override(language):
        for record in records:
            assert record_row(record) == RECORD_ROW.render(Context({"record": record}))
