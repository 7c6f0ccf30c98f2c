"""Reporting's lists page through the one shared pager (compliance.web.paginate + partials/pagination.html)."""

import pytest
from django.urls import reverse

from compliance.web import PAGE_SIZE
from reporting.models import BoardReport
from reporting.tests.factories import ActionPlanItemFactory, GovernanceMeetingFactory, RiskRegisterEntryFactory


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
