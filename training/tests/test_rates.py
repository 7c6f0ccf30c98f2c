"""Completion rate arithmetic, and constant query counts on the team and rates pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.tests.factories import DepartmentFactory
from tests.support import download_text
from training.selectors import completion_rates
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def people(make_user):
    care = DepartmentFactory(name="Care delivery")
    office = DepartmentFactory(name="Head office")
    induction = CourseFactory(code="ind", title="Induction", validity_months=None)
    refresher = CourseFactory(code="ref", title="Refresher", validity_months=12)
    complete = make_user(roles.STAFF, department=care, employment_type="permanent")
    overdue = make_user(roles.STAFF, department=care, employment_type="agency")
    expired = make_user(roles.STAFF, roles.LINE_MANAGER, department=office, employment_type="permanent")
    not_due = make_user(roles.STAFF, department=office, employment_type="volunteer")
    leaver = make_user(roles.STAFF, department=care, is_active=False, left_on=datetime.date(2026, 5, 1))
    d = datetime.date
    TrainingRecordFactory(user=complete, course=induction, due_on=d(2026, 2, 1), completed_on=d(2026, 1, 20))
    TrainingRecordFactory(
        user=complete, course=refresher, due_on=d(2026, 2, 1), completed_on=d(2026, 1, 20), expires_on=d(2027, 1, 20)
    )
    TrainingRecordFactory(user=overdue, course=induction, due_on=d(2026, 5, 1))
    TrainingRecordFactory(
        user=expired, course=refresher, due_on=d(2025, 3, 1), completed_on=d(2025, 2, 1), expires_on=d(2026, 2, 1)
    )
    TrainingRecordFactory(user=expired, course=induction, due_on=d(2025, 3, 1), completed_on=d(2025, 2, 1))
    TrainingRecordFactory(user=not_due, course=induction, due_on=d(2026, 6, 30))
    TrainingRecordFactory(user=leaver, course=induction, due_on=d(2026, 3, 1))  # overdue, but they left
    return {"care": care, "office": office, "induction": induction, "refresher": refresher}


@time_machine.travel(TODAY, tick=False)
def test_rate_counts_complete_over_due_excluding_leavers_and_not_yet_due(people, hr_user):
    result = completion_rates(user=hr_user)
    total = result["total"]
    assert (total.complete, total.overdue, total.expired, total.not_yet_due) == (3, 1, 1, 1)
    assert total.required == 5
    assert total.rate == 60.0
    by_course = {row.label: row for row in result["rows"]}
    assert (by_course["Induction"].complete, by_course["Induction"].overdue, by_course["Induction"].not_yet_due) == (
        2,
        1,
        1,
    )
    assert by_course["Induction"].rate == pytest.approx(66.7)
    assert by_course["Refresher"].rate == 50.0


@time_machine.travel(TODAY, tick=False)
def test_rates_by_department_role_and_employment_type(people, hr_user):
    by_department = {r.label: r.rate for r in completion_rates(user=hr_user, group_by="department")["rows"]}
    assert by_department == {"Care delivery": pytest.approx(66.7), "Head office": 50.0}
    by_type = {r.label: r.rate for r in completion_rates(user=hr_user, group_by="employment_type")["rows"]}
    assert by_type == {"Permanent": 75.0, "Agency worker": 0.0, "Volunteer": None}
    by_role = {r.label: (r.complete, r.required) for r in completion_rates(user=hr_user, group_by="role")["rows"]}
    assert by_role[roles.LINE_MANAGER] == (1, 2)
    assert by_role[roles.STAFF] == (3, 5)


@time_machine.travel(TODAY, tick=False)
def test_the_date_filter_shows_the_position_on_an_earlier_day(people, hr_user):
    # On 15 January 2026 the 2025 refresher was still valid, nothing was overdue yet and the 20 January
    # completions had not happened, so those four were not yet due; the leaver (left 1 May 2026) was
    # still employed then, so their assignment (due 1 March) was a fifth not yet due.
    result = completion_rates(user=hr_user, as_of=datetime.date(2026, 1, 15))
    total = result["total"]
    assert (total.complete, total.overdue, total.expired, total.not_yet_due) == (2, 0, 0, 5)
    assert total.rate == 100.0


@time_machine.travel(TODAY, tick=False)
def test_rates_page_shows_figures_to_hr_and_board_and_404_to_staff(people, client, login, make_user):
    login(make_user(roles.BOARD_MEMBER))
    html = client.get(reverse("training:rates"), {"group_by": "department"}).content.decode()
    assert "Care delivery" in html and "66.7%" in html
    login(make_user(roles.STAFF))
    assert client.get(reverse("training:rates")).status_code == 404


def test_rates_by_employment_type_heads_the_column_in_words(people, client, login, hr_user):
    login(hr_user)
    html = client.get(reverse("training:rates"), {"group_by": "employment_type"}).content.decode()
    assert '<th scope="col">Employment type</th>' in html
    assert "Employmenttype" not in html


def _staff_with_records(make_user, manager, count, course):
    for _ in range(count):
        person = make_user(roles.STAFF, line_manager=manager)
        TrainingRecordFactory(user=person, course=course, due_on=datetime.date(2026, 5, 1))
        TrainingRecordFactory(
            user=person,
            course=CourseFactory(code="ref"),
            due_on=datetime.date(2026, 5, 1),
            completed_on=datetime.date(2026, 4, 1),
        )


@pytest.mark.parametrize("count", [1, 50])
@time_machine.travel(TODAY, tick=False)
def test_team_page_query_count_is_constant(client, login, make_user, django_assert_max_num_queries, count):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    _staff_with_records(make_user, manager, count, CourseFactory(code="ind"))
    login(manager)
    # Queries: session read, user, user's roles, notification count, organisation name (base template),
    # the departments (filter), the people count, one page of people with departments, their records
    # with courses, the overdue count, session save (3 with its savepoint).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("training:team"))
    assert response.status_code == 200
    assert len(response.context["summaries"]) == count
    assert response.context["overdue_total"] == count


@pytest.mark.parametrize("count", [1, 50])
@time_machine.travel(TODAY, tick=False)
def test_rates_page_query_count_is_constant(client, login, make_user, hr_user, django_assert_max_num_queries, count):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    _staff_with_records(make_user, manager, count, CourseFactory(code="ind"))
    login(hr_user)
    # Queries: session read, user, roles, notifications, organisation (base), courses for the filter,
    # the records (one query), the role memberships (one query), session save (3 with its savepoint).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("training:rates"), {"group_by": "role"})
    assert response.status_code == 200
    assert response.context["total"].overdue == count


@time_machine.travel(TODAY, tick=False)
def test_rates_download_as_csv_is_logged_and_formula_safe(people, client, login, hr_user):
    from compliance.models import AccessLog, Department

    Department.objects.filter(name="Head office").update(name="=HYPERLINK(1)")
    login(hr_user)
    response = client.get(reverse("training:rates"), {"group_by": "department", "export": "csv"})
    body = download_text(response)
    assert response["Content-Type"].startswith("text/csv")
    assert "Care delivery,2,1,0,0,66.7" in body
    assert "'=HYPERLINK(1),1,0,1,1,50.0" in body
    assert AccessLog.objects.filter(user=hr_user, action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("count", [1, 40])
@time_machine.travel(TODAY, tick=False)
def test_my_training_query_count_is_constant(client, login, make_user, django_assert_max_num_queries, count):
    person = make_user(roles.STAFF)
    for n in range(count):
        TrainingRecordFactory(user=person, course=CourseFactory(code=f"c{n}"), due_on=datetime.date(2026, 7, 1))
    login(person)
    # Queries: session read, user, roles, notifications, organisation (base), the records with courses,
    # the policy versions with this person's acknowledgement, session save (3).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("training:index"))
    assert len(response.context["statuses"]) == count
