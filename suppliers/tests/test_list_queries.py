"""Query-count guards for the supplier lists that had none: the count is the same at 1 and at 50 rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from suppliers.models import CategoryRisk, CountryRisk, QuestionnaireRequest, QuestionnaireTemplate, ReviewTask
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# Every page: session read, user, user's roles, organisation, unread notifications and the
# session save (3 with its savepoint) = 8; each case below adds the page's own queries.
BASE = 8


def _actions(rows, user):
    CorrectiveActionFactory.create_batch(rows)


def _questionnaires(rows, user):
    template = QuestionnaireTemplate.objects.first()
    for n in range(rows):
        QuestionnaireRequest.objects.create(
            supplier=SupplierFactory(),
            template=template,
            contact_name=f"Contact {n}",
            contact_email=f"c{n}@supplier.example",
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )


def _review_tasks(rows, user):
    for _ in range(rows):
        ReviewTask.objects.create(
            supplier=SupplierFactory(), assigned_to=user, reason="Annual review", due_date=timezone.localdate()
        )


def _templates(rows, user):
    # The seeded templates count towards the rows; top up to the number asked for.
    for n in range(rows - QuestionnaireTemplate.objects.count()):
        QuestionnaireTemplate.objects.create(name=f"Template {n}")


def _risk_settings(rows, user):
    # One editable row per country and per category, however many there are.
    CountryRisk.objects.all().delete()
    for code, _name in list(countries)[:rows]:
        CountryRisk.objects.create(country=code, band="low", points=1)
    assert CategoryRisk.objects.exists()


def _agencies(rows, user):
    # Checked by someone, so the page names who checked (joined, not a query per row).
    SupplierFactory.create_batch(rows, agency_cleared=True, agency_fees_checked_by=user, agency_ids_checked_by=user)


CASES = [
    (
        "suppliers:actions",
        _actions,
        3,
    ),  # count, the page's keys (KeysFirstPaginator), its actions with supplier and owner
    ("suppliers:questionnaires", _questionnaires, 2),  # count, one page of requests with supplier and template
    ("suppliers:review_tasks", _review_tasks, 1),  # open tasks with supplier and assignee joined
    ("suppliers:templates", _templates, 1),  # templates with question and request counts annotated
    ("suppliers:risk_settings", _risk_settings, 3),  # weights, country rows, category rows
    ("suppliers:agencies", _agencies, 2),  # count, one page of agencies with owner and checkers joined
]


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(("url_name", "build", "own_queries"), CASES, ids=[c[0] for c in CASES])
def test_supplier_list_pages_keep_a_constant_number_of_queries(
    client, procurement, login, django_assert_max_num_queries, rows, url_name, build, own_queries
):
    build(rows, procurement)
    login(procurement)
    with django_assert_max_num_queries(BASE + own_queries):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    # The rows are on the page, so the guard measured a full list and not an empty one.
    marker = "Mark reviewed" if url_name == "suppliers:review_tasks" else "<tr"
    assert response.content.decode().count(marker) >= rows
