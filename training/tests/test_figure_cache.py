"""Completion figures come from the cache until something they count changes, and are then exact again."""

import datetime

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse

from compliance import roles
from compliance.tests.factories import DepartmentFactory
from training import imports, selectors, services
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def _live(**kwargs):
    """What completion_standings computes without the cache."""
    return selectors.completion_standings_live(
        dates=kwargs.get("dates", [TODAY]), group_by=kwargs.get("group_by", ("course",)), course_id=None
    )


@pytest.fixture
def overdue_pair(make_user):
    course = CourseFactory(code="ind", title="Induction", validity_months=None)
    ann = make_user(roles.STAFF, full_name="Ann Carer")
    bob = make_user(roles.STAFF, full_name="Bob Night")
    return {
        "ann": TrainingRecordFactory(user=ann, course=course, due_on=datetime.date(2026, 5, 1)),
        "bob": TrainingRecordFactory(user=bob, course=course, due_on=datetime.date(2026, 5, 1)),
        "course": course,
    }


@time_machine.travel(TODAY, tick=False)
def test_the_second_request_reads_the_cache_and_a_completion_shows_at_once(
    client, login, hr_user, overdue_pair, django_assert_max_num_queries
):
    login(hr_user)
    first = client.get(reverse("training:rates"))
    assert (first.context["total"].complete, first.context["total"].overdue) == (0, 2)
    # The aggregate is not run again: the page's other queries only (session, user, roles,
    # notifications, organisation, courses for the filter, session save with its savepoint).
    with django_assert_max_num_queries(10):
        again = client.get(reverse("training:rates"))
    assert again.context["total"].overdue == 2
    services.training_record_mark_complete(
        record=overdue_pair["ann"], actor=hr_user, completed_on=datetime.date(2026, 5, 20)
    )
    after = client.get(reverse("training:rates"))
    assert (after.context["total"].complete, after.context["total"].overdue) == (1, 1)
    assert selectors.completion_standings(dates=[TODAY]) == _live()


@time_machine.travel(TODAY, tick=False)
def test_leaving_moving_department_and_losing_the_staff_role_each_change_the_figures(make_user, overdue_pair):
    by_department = ("course", "department")
    assert selectors.completion_standings(dates=[TODAY], group_by=by_department) == _live(group_by=by_department)
    ann, bob = overdue_pair["ann"].user, overdue_pair["bob"].user
    ann.department = DepartmentFactory(name="Nights")
    ann.save(update_fields=["department"])
    assert selectors.completion_standings(dates=[TODAY], group_by=by_department) == _live(group_by=by_department)
    bob.left_on, bob.is_active = datetime.date(2026, 5, 31), False
    bob.save()
    assert selectors.completion_standings(dates=[TODAY]) == _live()
    ann.groups.clear()
    assert selectors.completion_standings(dates=[TODAY]) == _live()
    assert all(row["counts"] == [(0, 0, 0, 0)] for row in _live())
    # A sign-in (last_login only) leaves the cached figures alone.
    ann.save(update_fields=["last_login"])


@time_machine.travel(TODAY, tick=False)
def test_a_bulk_completions_import_changes_the_figures(hr_user, overdue_pair):
    assert selectors.completion_standings(dates=[TODAY])[0]["counts"][0][0] == 0
    content = f"Email,Course,Completed on,Score\n{overdue_pair['ann'].user.email},Induction,2026-05-15,90\n"
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = imports.import_check(kind="completions", filename="f.csv", content=content, actor=hr_user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        imports.import_confirm(batch=batch, actor=hr_user)
    batch.refresh_from_db()
    assert batch.status == "applied", batch.errors
    assert selectors.completion_standings(dates=[TODAY])[0]["counts"][0][0] == 1
    assert selectors.completion_standings(dates=[TODAY]) == _live()


@time_machine.travel(TODAY, tick=False)
def test_a_per_process_cache_is_not_used_for_figures_several_workers_would_disagree_on(settings, overdue_pair):
    from training.models import TrainingRecord

    settings.FIGURE_CACHE_IN_PROCESS = False  # locmem, as the quick start: each gunicorn worker its own
    assert selectors.completion_standings(dates=[TODAY])[0]["counts"][0][1] == 2
    # A write another worker made (no signal reaches this process) shows at once.
    TrainingRecord.objects.filter(pk=overdue_pair["ann"].pk).update(completed_on=datetime.date(2026, 5, 2))
    assert selectors.completion_standings(dates=[TODAY])[0]["counts"][0][1] == 1


@time_machine.travel(TODAY, tick=False)
def test_the_training_admin_page_counts_what_its_links_list_and_follows_a_completion(
    client, login, hr_user, overdue_pair
):
    login(hr_user)
    index = client.get(reverse("training:admin"))
    listed = client.get(reverse("training:record_list"), {"status": "overdue"}).context["page"].paginator.count
    assert index.context["overdue"] == listed == 2
    services.training_record_mark_complete(
        record=overdue_pair["bob"], actor=hr_user, completed_on=datetime.date(2026, 5, 20)
    )
    assert client.get(reverse("training:admin")).context["overdue"] == 1
