"""Reporting's lists page through the one shared pager (compliance.web.paginate + partials/pagination.html)."""

import pytest
from django.urls import reverse

from compliance.web import PAGE_SIZE
from reporting.models import BoardReport
from reporting.tests.factories import (
    ActionPlanItemFactory,
    GovernanceMeetingFactory,
    RiskRegisterEntryFactory,
    StatementFactory,
)


@pytest.mark.parametrize(
    ("route", "make"),
    [
        ("reporting:risk_list", lambda n, lead: RiskRegisterEntryFactory.create_batch(n, owner=lead)),
        ("reporting:action_list", lambda n, lead: ActionPlanItemFactory.create_batch(n, owner=lead)),
        ("reporting:meeting_list", lambda n, lead: GovernanceMeetingFactory.create_batch(n, recorded_by=lead)),
        (
            "reporting:board_report_list",
            lambda n, lead: BoardReport.objects.bulk_create(
                BoardReport(financial_year=2025, requested_by=lead) for _ in range(n)
            ),
        ),
    ],
)
def test_a_long_list_continues_on_the_next_page(route, make, client, login, lead, organisation):
    make(PAGE_SIZE + 1, lead)
    login(lead)
    first = client.get(reverse(route))
    second = client.get(reverse(route), {"page": 2})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert len(second.context["page"].object_list) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_statement_list_keeps_constant_queries(client, login, lead, organisation, django_assert_max_num_queries):
    login(lead)
    StatementFactory(financial_year=2000)
    # Session, user, groups, organisation, the pager's count, the page of statements with
    # their signatory, approving meeting and author joined.
    with django_assert_max_num_queries(15) as one:
        client.get(reverse("reporting:statement_list"))
    for year in range(2001, 2050):
        StatementFactory(financial_year=year)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("reporting:statement_list"))
