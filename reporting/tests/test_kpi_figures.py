"""Stored figures for ended periods and a short cache for the one under way: the same figures as a live computation."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.tests.factories import DepartmentFactory, UserFactory
from reporting import kpi_figures, kpis, periods
from reporting.models import KpiPeriodFigures
from reporting.tasks import kpi_figures_refresh
from reporting.tests.factories import GovernanceMeetingFactory, RiskRegisterEntryFactory
from safeguarding.models import Outcome, Status
from safeguarding.tests.factories import ConcernFactory, ReferralFactory
from suppliers.models import Audit, RiskAssessment
from suppliers.tests.factories import AuditFactory, SupplierFactory
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 7, 1)


def at(y, m, d):
    return datetime.datetime(y, m, d, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(2025, 7, 1), tick=False):
        yield


@pytest.fixture
def records(organisation):
    """Something in every section, spread over the last two financial years and this one."""
    course = CourseFactory(title="Modern slavery awareness", validity_months=12)
    for n, department in enumerate(["Care", "Kitchen", "Office"]):
        person = UserFactory(department=DepartmentFactory(name=department))
        TrainingRecordFactory(
            user=person,
            course=course,
            assigned_on=D(2024, 4, 1),
            due_on=D(2024, 5, 1),
            completed_on=D(2024, 4, 20) if n else None,
        )
    for month in range(1, 13):
        created = at(2024 + (month > 6), (month + 3) % 12 or 12, 5)
        closed = created + datetime.timedelta(days=10 + month) if month % 3 else None
        concern = ConcernFactory(
            created_at=created,
            closed_at=closed,
            status=Status.CLOSED if closed else Status.INVESTIGATING,
            outcome=Outcome.SUBSTANTIATED if closed else "",
            triaged_at=created + datetime.timedelta(hours=month),
        )
        if month % 4 == 0:
            ReferralFactory(concern=concern, made_on=created.date() + datetime.timedelta(days=2))
    supplier = SupplierFactory()
    RiskAssessment.objects.create(supplier=supplier, assessed_at=at(2024, 6, 1), score=70, band="high")
    AuditFactory(supplier=supplier, status=Audit.Status.COMPLETED, completed_date=D(2024, 9, 1), result="minor")
    GovernanceMeetingFactory(held_on=D(2024, 10, 1))
    RiskRegisterEntryFactory(review_due=D(2025, 1, 1))
    return {"course": course}


def test_stored_figures_for_every_ended_period_are_the_live_figures(organisation, records):
    stored = kpi_figures_refresh()
    ended = kpi_figures.standard_periods(TODAY)
    assert stored >= len(ended) > 30
    rows = {(r.period_start, r.period_end) for r in KpiPeriodFigures.objects.all()}
    assert {(p.start, p.end) for p in ended} <= rows
    live = kpis.compute_many(ended, TODAY)
    assert kpi_figures.figures_for(ended, TODAY) == live
    year = periods.financial_year(organisation, 2025)
    assert kpi_figures.compute(year) == kpis.compute(year)
    assert kpi_figures.compute(year)["concerns_received"] == 9


def test_a_page_reads_an_ended_period_from_one_stored_row_and_fills_a_missing_one_on_demand(
    client, make_user, login, organisation, records
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(make_user(roles.BOARD_MEMBER))
    query = {"period": "month", "on": "2025-02-10"}
    assert not KpiPeriodFigures.objects.exists()
    first = client.get(reverse("reporting:index"), query)
    assert first.status_code == 200
    # Asked on demand: the month and the month before it are now stored, and the page shows them.
    assert KpiPeriodFigures.objects.count() == 2
    live = kpis.period_comparison(periods.month(D(2025, 2, 10)), TODAY)
    assert first.context["figures"] == live["figures"] and first.context["rows"] == live["rows"]
    # The second request reads the two rows in one query instead of computing every KPI again.
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("reporting:index"), query)
    assert not any("safeguarding_concern" in q["sql"] for q in again.captured_queries)
    assert not any("training_trainingrecord" in q["sql"] for q in again.captured_queries)


def test_a_late_edit_into_an_ended_period_reaches_the_stored_figures_at_the_refresh(organisation, records):
    year = periods.financial_year(organisation, 2025)
    before = kpi_figures.compute(year)
    assert before["training_completion_pct"] == kpis.compute(year)["training_completion_pct"] == 66.7
    # HR record a completion late, dated inside the ended year.
    record = records["course"].records.get(completed_on__isnull=True)
    record.completed_on = D(2025, 1, 10)
    record.save()
    assert kpis.compute(year)["training_completion_pct"] == 100.0
    kpi_figures_refresh()
    assert kpi_figures.compute(year) == kpis.compute(year)


def test_the_period_under_way_is_cached_for_a_minute_only(organisation, records, settings):
    settings.KPI_OPEN_PERIOD_CACHE_SECONDS = 60
    this_year = periods.financial_year(organisation, 2026)
    assert kpi_figures.compute(this_year)["concerns_received"] == 0
    ConcernFactory(created_at=at(2025, 6, 30))
    assert kpi_figures.compute(this_year)["concerns_received"] == 0  # the cached figure, for up to a minute
    assert not KpiPeriodFigures.objects.filter(period_start=this_year.start).exists()  # never stored
    with time_machine.travel(at(2025, 7, 1) + datetime.timedelta(seconds=61), tick=False):
        assert kpi_figures.compute(this_year)["concerns_received"] == 1
    settings.KPI_OPEN_PERIOD_CACHE_SECONDS = 0
    ConcernFactory(created_at=at(2025, 6, 30))
    assert kpi_figures.compute(this_year)["concerns_received"] == 2


def test_a_damaged_stored_row_is_computed_again_not_a_500(organisation, records):
    year = periods.financial_year(organisation, 2025)
    KpiPeriodFigures.objects.create(period_start=year.start, period_end=year.end, figures_json="=HYPERLINK(1)")
    assert kpi_figures.compute(year) == kpis.compute(year)
    assert KpiPeriodFigures.objects.get(period_start=year.start).figures_json.startswith("{")
