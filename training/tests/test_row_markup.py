"""List rows written by tags (training_tags) are the markup the template cells wrote before them."""

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from compliance.tests.factories import DepartmentFactory, UserFactory
from suppliers.tests.factories import SupplierFactory
from training import selectors
from training.models import RecruitmentCheck, TrainingRecord
from training.templatetags.training_tags import record_row, recruitment_row, team_row, team_rows
from training.tests.factories import CourseFactory, RecruitmentCheckFactory, TrainingRecordFactory

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

# The recruitment checks list's row as training/admin/recruitment_list.html wrote it before recruitment_row.
RECRUITMENT_ROW = Template(
    """{% load links %}{% with c=row.check %}<tr>
    <th scope="row"><a href="{% pk_url 'training:recruitment_edit' row.person.pk %}">{{ row.person }}</a><br><small class="text-muted">{{ row.person.job_title|default:"" }}{% if row.person.department %}, {{ row.person.department }}{% endif %} · {{ row.person.get_employment_type_display }}</small></th>
    <td>{% if c.dbs_outcome %}{{ c.get_dbs_outcome_display }}, {{ c.dbs_checked_on|date:"j M Y" }}{% else %}Not recorded{% endif %}</td>
    <td>{% if c.right_to_work_verified_on %}Verified {{ c.right_to_work_verified_on|date:"j M Y" }}{% if c.right_to_work_expires_on %}; ends {{ c.right_to_work_expires_on|date:"j M Y" }}{% endif %}{% else %}Not recorded{% endif %}</td>
    <td>{% if c.contract_accessible_given_on %}Given {{ c.contract_accessible_given_on|date:"j M Y" }}{% else %}Not recorded{% endif %}</td>
    <td>{% if c.agency_used %}{{ c.agency|default:c.agency_name }}{% else %}–{% endif %}</td>
    <td>{% if row.complete %}<span class="badge risk-low">Complete</span>{% else %}<span class="badge risk-high">Incomplete</span>{% endif %}</td>
  </tr>{% endwith %}"""
)

# The team page's row as training/team.html wrote it before team_row.
TEAM_ROW = Template(
    """{% load links training_tags %}<tr>
    <th scope="row"><a href="{% pk_url 'training:person' s.person.pk %}">{{ s.person }}</a><br><small class="text-muted">{{ s.person.job_title }}</small></th>
    <td>{{ s.person.department|default:"–" }}</td>
    <td>{{ s.complete }} of {{ s.statuses|length }}</td>
    <td>{{ s.overdue }}</td>
    <td>{{ s.expired }}</td>
    <td>
      {% attention_list s.attention %}
    </td>
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


@pytest.mark.parametrize("language", ["en-gb", "pl"])
@time_machine.travel(TODAY, tick=False)
def test_each_recruitment_list_row_is_the_markup_the_template_cells_wrote(language):
    d = datetime.date
    bare = UserFactory(full_name="", job_title="", department=None, employment_type="temporary")
    named = UserFactory(full_name="Zoë <Z>", job_title="Carer & cook", department=DepartmentFactory(name="A&E"))
    full = RecruitmentCheckFactory(
        worker=UserFactory(),
        dbs_outcome=RecruitmentCheck.DbsOutcome.CLEAR,
        dbs_checked_on=d(2026, 3, 2),
        right_to_work_verified_on=d(2025, 9, 30),
        right_to_work_expires_on=d(2027, 1, 1),
        contract_accessible_given_on=d(2026, 5, 5),
        agency_used=True,
        agency=SupplierFactory(name="O'Neil & <Staff>"),
    )
    partial = RecruitmentCheckFactory(
        worker=named,
        dbs_outcome=RecruitmentCheck.DbsOutcome.NOT_CLEAR,
        dbs_checked_on=None,
        right_to_work_verified_on=d(2026, 1, 1),
        agency_used=True,
        agency_name="Off-register <agency>",
    )
    unused = RecruitmentCheckFactory(worker=UserFactory(), agency_used=False, agency_name="Ignored")
    rows = [
        {"person": bare, "check": None, "complete": False},
        {"person": full.worker, "check": full, "complete": True},
        {"person": named, "check": partial, "complete": False},
        {"person": unused.worker, "check": unused, "complete": False},
    ]
    with translation.override(language):
        for row in rows:
            assert recruitment_row(row) == RECRUITMENT_ROW.render(Context({"row": row}))


@time_machine.travel(TODAY, tick=False)
def test_each_team_row_is_the_markup_the_template_cells_wrote():
    d = datetime.date
    busy = UserFactory(full_name="Ann <Busy>", job_title="Nurse & carer", department=DepartmentFactory(name="A&E"))
    idle = UserFactory(full_name="", job_title="", department=None)
    courses = [CourseFactory(code=f"c{n}", title=f"Course {n} & <more>") for n in range(5)]
    TrainingRecordFactory(user=busy, course=courses[0], due_on=d(2026, 5, 1))  # overdue
    TrainingRecordFactory(user=busy, course=courses[1], completed_on=d(2026, 1, 1))  # complete
    TrainingRecordFactory(
        user=busy, course=courses[2], completed_on=d(2025, 1, 1), expires_on=d(2026, 1, 1), due_on=d(2024, 12, 1)
    )  # expired
    TrainingRecordFactory(user=busy, course=courses[3], due_on=d(2026, 6, 10))  # due soon
    TrainingRecordFactory(user=busy, course=courses[4], due_on=d(2026, 5, 1), declared_on=d(2026, 5, 20))
    summaries = selectors.team_summaries([busy, idle], TODAY)
    for summary in summaries:
        assert team_row(summary) == TEAM_ROW.render(Context({"s": summary}))
    # The page writes its rows with one tag: the same rows, one after another.
    assert team_rows(summaries) == "\n  ".join(team_row(summary) for summary in summaries)
