"""The Compliance admin manages people and roles; nobody else can."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from compliance import roles
from compliance.models import User
from compliance.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.MODERN_SLAVERY_LEAD, roles.BOARD_MEMBER])
def test_people_pages_are_404_for_other_roles(client, make_user, login, role):
    other = UserFactory()
    login(make_user(role))
    assert client.get(reverse("people")).status_code == 404
    assert client.get(reverse("person_edit", args=[other.pk])).status_code == 404


def test_admin_adds_a_person_who_is_invited_by_email(client, make_user, login, django_capture_on_commit_callbacks):
    login(make_user(roles.COMPLIANCE_ADMIN))
    hr = Group.objects.get(name=roles.HR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("person_create"),
            {
                "email": "New.Person@Example.org",
                "full_name": "New Person",
                "employment_type": "permanent",
                "is_active": "on",
                "roles": [hr.pk],
            },
        )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert person.role_names == {roles.HR}
    assert not person.has_usable_password()
    assert mail.outbox and mail.outbox[0].to == ["new.person@example.org"]


def test_admin_form_keeps_input_and_explains_a_leaver_needs_a_date(client, make_user, login):
    login(make_user(roles.COMPLIANCE_ADMIN))
    person = UserFactory(full_name="Leaving Soon")
    response = client.post(
        reverse("person_edit", args=[person.pk]),
        {"email": person.email, "full_name": "Leaving Soon (edited)", "employment_type": "permanent"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the date the person left." in html
    assert "Leaving Soon (edited)" in html
    person.refresh_from_db()
    assert person.is_active and person.full_name == "Leaving Soon"


def test_duplicate_email_is_refused(client, make_user, login):
    login(make_user(roles.COMPLIANCE_ADMIN))
    existing = UserFactory()
    response = client.post(
        reverse("person_create"),
        {"email": existing.email.upper(), "full_name": "Copy", "employment_type": "permanent", "is_active": "on"},
    )
    assert "already has this email" in response.content.decode()


def test_people_list_has_constant_queries(client, make_user, login, django_assert_max_num_queries):
    login(make_user(roles.COMPLIANCE_ADMIN))
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("people"))
    UserFactory.create_batch(40, roles=[roles.STAFF, roles.LINE_MANAGER])
    # session, user, groups, organisation, unread count, count, page, prefetch groups, filter choices
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("people"))
    assert response.status_code == 200


def test_people_pages_tile_the_order_and_deep_pages_read_their_keys_first(client, make_user, login):
    """From the sixth page the list reads a page's keys first (one query more, the same at every depth)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user(roles.COMPLIANCE_ADMIN)
    # Shared names: the email, then the key, decide between them, so nobody is on two pages.
    User.objects.bulk_create(User(email=f"p{i:03d}@example.org", full_name=f"Person {i % 7}") for i in range(320))
    login(admin)
    seen, queries = [], {}
    for number in range(1, 8):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("people"), {"page": number}).context["page"]
        seen += [person.pk for person in page.object_list]
        queries[number] = len(captured)
    assert seen == list(User.objects.order_by("full_name", "email", "pk").values_list("pk", flat=True))
    assert queries[6] == queries[7] == queries[2] + 1


def test_people_list_links_each_person_without_a_reverse_per_row(client, make_user, login, monkeypatch):
    # {% url %} walks the resolver for each of the page's 50 rows; pk_url joins parts worked out once.
    import django.urls

    login(make_user(roles.COMPLIANCE_ADMIN))
    people = UserFactory.create_batch(30)
    expected = {person.pk: reverse("person_edit", args=[person.pk]) for person in people}
    reversed_names = []
    real_reverse = django.urls.reverse
    monkeypatch.setattr(
        django.urls, "reverse", lambda name, *a, **kw: reversed_names.append(name) or real_reverse(name, *a, **kw)
    )
    html = client.get(reverse("people")).content.decode()
    assert reversed_names.count("person_edit") <= 1, reversed_names  # at most once, for the route's parts
    for url in expected.values():
        assert f'<a href="{url}">' in html


def test_people_list_reads_role_names_not_group_rows(client, make_user, login):
    # A prefetch of the Group rows cost 2 ms a page to build and attach; the page shows only names.
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(make_user(roles.COMPLIANCE_ADMIN))
    person = UserFactory(full_name="Aaron Early", roles=[roles.LINE_MANAGER, roles.STAFF])
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("people")).content.decode()
    assert not [q for q in captured if "_prefetch_related_val" in q["sql"]]
    in_order = ", ".join(Group.objects.filter(user=person).order_by("pk").values_list("name", flat=True))
    assert f"<td>{in_order}</td>" in html


# The row as compliance/people.html wrote it, cell by cell, before person_row.
PERSON_ROW_AS_BEFORE = """{% load links %}<tr>
    <td><a href="{% pk_url 'person_edit' person.pk %}">{{ person.full_name|default:person.email }}</a></td>
    <td>{{ person.email }}</td>
    <td>{{ person.department|default:"" }}</td>
    <td>{{ person.site|default:"" }}</td>
    <td>{{ person.line_manager|default:"" }}</td>
    <td>{{ person.role_names|join:", " }}</td>
    <td>{% if person.is_active %}Active{% else %}Left {{ person.left_on|date:"j M Y" }}{% endif %}</td>
  </tr>"""


@pytest.mark.parametrize("language", ["en-gb", "pl", "uk"])
def test_each_people_list_row_is_the_markup_the_template_cells_wrote(make_user, language):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    from compliance import selectors
    from compliance.tests.factories import DepartmentFactory, SiteFactory

    manager = UserFactory(full_name="Mo <Manager> & co")
    UserFactory(
        full_name="O'Brien <Ann>",
        department=DepartmentFactory(name="Nights & Days"),
        site=SiteFactory(name='"Leeds" <north>'),
        line_manager=manager,
        roles=[roles.LINE_MANAGER, roles.STAFF],
    )
    UserFactory(full_name="", email="no.name@example.org", is_active=False, left_on=datetime.date(2026, 3, 9))
    UserFactory(full_name="Left Undated", is_active=False, left_on=None, roles=[])
    admin = make_user(roles.COMPLIANCE_ADMIN)
    people = selectors.people_with_role_names(selectors.people_list_for_admin(user=admin))
    assert len(people) == 5
    with translation.override(language):
        for person in people:
            context = Context({"person": person})
            assert Template("{% load people_tags %}{% person_row person %}").render(context) == Template(
                PERSON_ROW_AS_BEFORE
            ).render(context)


def test_people_list_without_parameters_shows_the_active_people_as_its_other_pages_do(client, make_user, login):
    # django-filter filters only a bound form: unbound, the first page listed leavers too (and
    # counted them), while ?page=2 did not.
    login(make_user(roles.COMPLIANCE_ADMIN))
    UserFactory(full_name="Lee Leaver", is_active=False)
    html = client.get(reverse("people")).content.decode()
    assert "Lee Leaver" not in html
    assert "Lee Leaver" in client.get(reverse("people"), {"status": "left"}).content.decode()
    assert f"<caption>{User.objects.filter(is_active=True).count()} people</caption>" in html
