"""Query-count guards for the remaining list pages and API lists, at 1 and at many rows."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from compliance import roles
from compliance.policy_models import Acknowledgement
from compliance.tests.factories import DepartmentFactory
from training.models import ImportBatch
from training.tests.factories import AssignmentRuleFactory, CourseFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

# Every page: session read, user, user's roles, unread notifications, organisation (base template),
# and the session save (3 with its savepoint) = 8, plus the page's own queries named below.
BASE = 8


def _build(count, hr_user, make_user):
    group = Group.objects.get(name=roles.LINE_MANAGER)
    for n in range(count):
        course = CourseFactory(code=f"course-{n}")
        AssignmentRuleFactory(course=course, role=group, department=DepartmentFactory(name=f"Dept {n}"))
        version = PolicyVersionFactory(policy__title=f"Policy {n}")
        Acknowledgement.objects.create(user=make_user(roles.STAFF), version=version)
        ImportBatch.objects.create(kind="roster", filename=f"{n}.csv", content="", uploaded_by=hr_user)


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(
    ("url_name", "own_queries"),
    [
        ("training:course_list", 1),  # courses
        ("training:rule_list", 1),  # rules with course, role and department
        ("training:import_upload", 1),  # recent imports with uploader
        ("training:policy_list", 1),  # current versions with the user's acknowledgement
    ],
)
def test_list_pages_keep_a_constant_number_of_queries(
    client, login, hr_user, make_user, django_assert_max_num_queries, count, url_name, own_queries
):
    _build(count, hr_user, make_user)
    login(hr_user)
    with django_assert_max_num_queries(BASE + own_queries):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_course_api_keeps_a_constant_number_of_queries(hr_user, make_user, django_assert_max_num_queries, count):
    _build(count, hr_user, make_user)
    client = APIClient()
    client.force_authenticate(hr_user)
    # Queries: user's roles, MFA check, the count, one page of courses.
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/training/courses/")
    assert response.json()["count"] == count


def test_policy_detail_with_many_staff_keeps_its_queries(
    client, login, hr_user, make_user, django_assert_max_num_queries
):
    version = PolicyVersionFactory(effective_date=datetime.date(2026, 1, 1))
    for _ in range(40):
        Acknowledgement.objects.create(user=make_user(roles.STAFF), version=version)
    make_user(roles.STAFF)
    login(hr_user)
    # Own queries: the policy, the Staff group's id and the staff count (both cached after this),
    # versions with acknowledgement counts, outstanding people.
    with django_assert_max_num_queries(BASE + 5):
        response = client.get(reverse("training:policy_detail", args=[version.policy_id]))
    assert response.context["rates"][0]["acknowledged"] == 40
    with django_assert_max_num_queries(BASE + 3):
        client.get(reverse("training:policy_detail", args=[version.policy_id]))
