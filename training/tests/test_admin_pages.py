"""HR and Compliance admin pages: courses, rules, records, assignment; every page renders."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from tests.support import instances_built
from training.models import AssignmentRule, Course, ImportBatch, TrainingRecord
from training.tests.factories import (
    AssignmentRuleFactory,
    CourseFactory,
    PolicyVersionFactory,
    RecruitmentCheckFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def test_hr_adds_a_course_and_bad_input_is_kept(client, login, hr_user):
    login(hr_user)
    data = {"code": "ms induction", "title": "Modern slavery induction", "kind": "induction", "provider": "internal"}
    response = client.post(reverse("training:course_create"), data)
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert 'value="Modern slavery induction"' in html
    assert not Course.objects.exists()
    response = client.post(reverse("training:course_create"), {**data, "code": "ms-induction", "validity_months": ""})
    assert response.status_code == 302
    assert Course.objects.get().validity_months is None


@time_machine.travel(TODAY, tick=False)
def test_saving_a_rule_assigns_the_course_to_everyone_it_matches(client, login, hr_user, make_user):
    course = CourseFactory(code="ms-specialised", title="Specialised modern slavery training")
    buyer = make_user(roles.STAFF, roles.PROCUREMENT)
    carer = make_user(roles.STAFF)
    login(hr_user)
    response = client.post(
        reverse("training:rule_create"),
        {
            "course": course.pk,
            "role": Group.objects.get(name=roles.PROCUREMENT).pk,
            "due_within_days": "90",
            "is_active": "on",
        },
        follow=True,
    )
    assert "Rule saved; 1 new assignment." in response.content.decode()
    assert TrainingRecord.objects.get(course=course).user == buyer
    assert not TrainingRecord.objects.filter(user=carer).exists()

    rule = AssignmentRule.objects.get()
    client.post(reverse("training:rule_edit", args=[rule.pk]), {"action": "deactivate"})
    rule.refresh_from_db()
    assert rule.is_active is False
    # A switched-off rule no longer assigns to people joining the role.
    carer.groups.add(Group.objects.get(name=roles.PROCUREMENT))
    assert not TrainingRecord.objects.filter(user=carer).exists()


@time_machine.travel(TODAY, tick=False)
def test_hr_assigns_a_course_by_hand_and_the_person_is_told(client, login, hr_user, make_user):
    person = make_user(roles.STAFF)
    course = CourseFactory(title="Modern slavery induction")
    login(hr_user)
    data = {"user": person.pk, "course": course.pk, "due_on": "2026-04-01"}
    assert client.post(reverse("training:record_assign"), data).status_code == 302
    assert Notification.objects.filter(recipient=person, subject="Training assigned: Modern slavery induction").exists()
    response = client.post(reverse("training:record_assign"), data)
    assert "already has this course assigned" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_hr_records_a_completion_with_a_certificate(client, login, hr_user, make_user):
    record = TrainingRecordFactory(user=make_user(roles.STAFF), course=CourseFactory(validity_months=12))
    login(hr_user)
    response = client.post(
        reverse("training:record_detail", args=[record.pk]),
        {"action": "complete", "completed_on": "2026-02-27", "score": "88"},
        follow=True,
    )
    assert "Completion recorded." in response.content.decode()
    record.refresh_from_db()
    assert (record.completed_on, record.expires_on, record.score) == (
        datetime.date(2026, 2, 27),
        datetime.date(2027, 2, 27),
        88,
    )


@pytest.mark.parametrize("count", [1, 50])
@time_machine.travel(TODAY, tick=False)
def test_record_list_query_count_is_constant(client, login, hr_user, make_user, django_assert_max_num_queries, count):
    course = CourseFactory()
    for _ in range(count):
        TrainingRecordFactory(user=make_user(roles.STAFF), course=course, due_on=datetime.date(2026, 2, 1))
    login(hr_user)
    # Queries: session read, user, roles, notifications, organisation (base), count, one page of
    # records with people, departments and courses, the course filter, session save (3).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:record_list"), {"status": "overdue"})
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", [1, 50])
@time_machine.travel(TODAY, tick=False)
def test_recruitment_list_query_count_is_constant(
    client, login, hr_user, make_user, django_assert_max_num_queries, count
):
    for _ in range(count):
        RecruitmentCheckFactory(worker=make_user(roles.STAFF), dbs_outcome="clear", dbs_checked_on=TODAY)
    login(hr_user)
    # Queries: session read, user, roles, notifications, organisation (base), the Staff group's id,
    # count, one page of people with department, check and agency, the rate (count + checks),
    # access log, session save (3).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("training:recruitment_list"))
    assert response.status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_recruitment_list_figures_are_cached_but_follow_the_people(client, login, hr_user, make_user):
    login(hr_user)

    def seen():
        response = client.get(reverse("training:recruitment_list"))
        return response.context["page"].paginator.count, response.context["rate"]["total"]

    listed, staff = seen()
    worker = make_user(roles.STAFF)
    assert seen() == (listed + 1, staff + 1)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    assert seen() == (listed, staff)
    # A future starter is listed (their checks come first) but not yet counted in the rate.
    starter = make_user(roles.STAFF, start_date=TODAY + datetime.timedelta(days=10))
    assert seen() == (listed + 1, staff)
    starter.groups.clear()
    assert seen() == (listed, staff)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("role", [roles.HR, roles.COMPLIANCE_ADMIN])
def test_every_admin_page_renders(client, login, make_user, role):
    user = make_user(roles.STAFF, role)
    person = make_user(roles.STAFF, line_manager=user)
    course = CourseFactory()
    rule = AssignmentRuleFactory(course=course)
    record = TrainingRecordFactory(user=person, course=course)
    version = PolicyVersionFactory()
    batch = ImportBatch.objects.create(kind="roster", filename="x.csv", content="", uploaded_by=user)
    login(user)
    urls = [
        reverse("training:index"),
        reverse("training:team"),
        reverse("training:rates"),
        reverse("training:admin"),
        reverse("training:course_list"),
        reverse("training:course_create"),
        reverse("training:course_edit", args=[course.pk]),
        reverse("training:rule_list"),
        reverse("training:rule_create"),
        reverse("training:rule_edit", args=[rule.pk]),
        reverse("training:record_list"),
        reverse("training:record_assign"),
        reverse("training:record_detail", args=[record.pk]),
        reverse("training:person", args=[person.pk]),
        reverse("training:import_upload"),
        reverse("training:import_detail", args=[batch.pk]),
        reverse("training:recruitment_list"),
        reverse("training:recruitment_edit", args=[person.pk]),
        reverse("training:policy_list"),
        reverse("training:policy_create"),
        reverse("training:policy_detail", args=[version.policy_id]),
        reverse("training:policy_publish", args=[version.policy_id]),
        reverse("training:policy_version", args=[version.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<h1" in response.content.decode(), url


def test_record_list_pages_keep_the_filters(client, login, hr_user, make_user):
    course = CourseFactory()
    for _ in range(51):
        TrainingRecordFactory(user=make_user(roles.STAFF), course=course, due_on=datetime.date(2020, 1, 1))
    login(hr_user)
    html = client.get(reverse("training:record_list"), {"status": "overdue", "course": course.pk}).content.decode()
    # The one pager keeps exactly the query it was given (Django's {% querystring %}).
    assert f'href="?status=overdue&amp;course={course.pk}&amp;page=2"' in html


def test_record_list_count_is_cached_but_follows_every_change_it_counts(client, login, hr_user, make_user):
    course = CourseFactory()
    ann = make_user(roles.STAFF, full_name="Ann Carer")
    TrainingRecordFactory(user=ann, course=course, due_on=datetime.date(2020, 1, 1))
    login(hr_user)

    def count(**query):
        return client.get(reverse("training:record_list"), query).context["page"].paginator.count

    assert (count(), count(q="ann"), count(status="overdue")) == (1, 1, 1)
    bob = make_user(roles.STAFF, full_name="Bob Night")
    TrainingRecordFactory(user=bob, course=course, due_on=datetime.date(2099, 1, 1))
    assert (count(), count(q="ann"), count(status="overdue")) == (2, 1, 1)
    bob.full_name = "Ann Night"
    bob.save(update_fields=["full_name"])
    assert count(q="ann") == 2
    ann.is_active = False
    ann.save(update_fields=["is_active"])
    assert (count(), count(status="overdue")) == (1, 0)
    assert len(client.get(reverse("training:record_list")).context["page"].object_list) == 1


def test_record_list_finds_a_person_by_name_or_email(client, login, hr_user, make_user):
    course = CourseFactory()
    TrainingRecordFactory(user=make_user(roles.STAFF, full_name="Ann Carer", email="ann@example.org"), course=course)
    TrainingRecordFactory(user=make_user(roles.STAFF, full_name="Bob Night", email="bob@example.org"), course=course)
    login(hr_user)
    for query in ("carer", "ANN@"):
        page = client.get(reverse("training:record_list"), {"q": query}).context["page"]
        assert [r.user.full_name for r in page] == ["Ann Carer"]


def test_a_duplicate_rule_is_refused_with_a_message_and_the_input_kept(client, login, hr_user):
    course = CourseFactory(title="Modern slavery induction")
    role = Group.objects.get(name=roles.PROCUREMENT)
    AssignmentRuleFactory(course=course, role=role, due_within_days=30)
    login(hr_user)
    data = {"course": course.pk, "role": role.pk, "due_within_days": "60", "is_active": "on"}
    response = client.post(reverse("training:rule_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    assert "There is already a rule assigning Modern slavery induction to role Procurement" in html
    assert 'value="60"' in html
    assert AssignmentRule.objects.count() == 1
    # A different group of people is a different rule, and a switched-off rule is no obstacle.
    other = {**data, "role": Group.objects.get(name=roles.HR).pk}
    assert client.post(reverse("training:rule_create"), other).status_code == 302
    AssignmentRule.objects.filter(role=role).update(is_active=False)
    assert client.post(reverse("training:rule_create"), data).status_code == 302
    assert AssignmentRule.objects.filter(is_active=True).count() == 2


def test_the_service_refuses_a_duplicate_rule_and_lets_a_rule_be_saved_again(hr_user):
    from django.core.exceptions import ValidationError

    from training import services

    existing = AssignmentRuleFactory(employment_type="permanent")
    # Saving a rule again (an edit) is not a duplicate of itself.
    services.assignment_rule_save(rule=existing, actor=hr_user)
    copy = AssignmentRule(course=existing.course, employment_type="permanent", due_within_days=10)
    with pytest.raises(ValidationError) as refused:
        services.assignment_rule_save(rule=copy, actor=hr_user)
    assert "course" in refused.value.message_dict
    assert AssignmentRule.objects.count() == 1


def test_the_recruitment_form_reads_only_each_agencys_name_for_its_options(client, login, hr_user, make_user):
    """A large trust has hundreds of agencies: an option needs a name, not the supplier's whole row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from suppliers.models import Supplier
    from suppliers.tests.factories import SupplierFactory

    SupplierFactory(name="Shift Partners Ltd", category=Supplier.Category.AGENCY_STAFFING)
    person = make_user(roles.STAFF)
    login(hr_user)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("training:recruitment_edit", args=[person.pk])).content.decode()
    assert "Shift Partners Ltd" in html
    supplier_reads = [q["sql"] for q in captured.captured_queries if 'FROM "suppliers_supplier"' in q["sql"]]
    assert supplier_reads
    assert all('"countries"' not in sql and '"risk_score"' not in sql for sql in supplier_reads), supplier_reads


def test_the_recruitment_forms_agency_options_build_no_supplier_and_keep_the_saved_choice(
    client, login, hr_user, make_user
):
    """Each option is read as (key, name): no Supplier built for each of hundreds of agencies."""

    from suppliers.models import Supplier
    from suppliers.tests.factories import SupplierFactory
    from training.tests.factories import RecruitmentCheckFactory

    agencies = [
        SupplierFactory(name=f"Shift {n} & <Partners>", category=Supplier.Category.AGENCY_STAFFING) for n in range(3)
    ]
    # A saved agency no longer in the agency list stays offered (and chosen).
    former = SupplierFactory(name="Formerly an agency", category=Supplier.Category.PROFESSIONAL)
    check = RecruitmentCheckFactory(worker=make_user(roles.STAFF), agency_used=True, agency=former)
    login(hr_user)
    with instances_built(Supplier) as built:
        html = client.get(reverse("training:recruitment_edit", args=[check.worker_id])).content.decode()
    assert len(built) <= 1  # the saved check's own agency, if read; never one per option
    for agency in agencies:
        assert f'<option value="{agency.pk}">Shift {agency.name[6]} &amp; &lt;Partners&gt;</option>' in html
    assert f'<option value="{former.pk}" selected>Formerly an agency</option>' in html


@time_machine.travel(TODAY, tick=False)
def test_recruitment_pages_tile_the_order_and_the_last_reads_its_keys_from_the_end(client, login, hr_user, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.models import User

    for n in range(105):
        make_user(roles.STAFF, full_name=f"Worker {n % 4}")  # shared names: email, then key, decide
    login(hr_user)
    seen = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("training:recruitment_list"), {"page": number}).context["page"]
        seen += [person.pk for person in page.object_list]
    staff = User.objects.filter(groups__name=roles.STAFF, is_active=True)
    assert seen == list(staff.order_by("full_name", "email", "pk").values_list("pk", flat=True))
    # The last page's keys are read backwards from the name index's end (it ends with the key).
    keys = [q["sql"] for q in captured if q["sql"].startswith('SELECT "compliance_user"."id" AS "pk"')]
    assert len(keys) == 1 and '"compliance_user"."full_name" DESC' in keys[0]
