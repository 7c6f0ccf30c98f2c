"""Every KPI against hand-counted factory data, for the financial year 1 April 2024 to 31 March 2025."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.policy_models import Acknowledgement
from compliance.tests.factories import DepartmentFactory, UserFactory
from reporting import kpis, periods
from reporting.models import KpiSnapshot
from reporting.services import kpi_snapshot_take
from reporting.tests.factories import ActionPlanItemFactory, GovernanceMeetingFactory, RiskRegisterEntryFactory
from safeguarding.models import Outcome, Status, SubjectType
from safeguarding.tests.factories import ConcernFactory
from suppliers.models import (
    Audit,
    CorrectiveAction,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RiskAssessment,
    Supplier,
    SupplierEvent,
)
from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory, FindingFactory, SupplierFactory
from tests.support import download_text
from training.models import RecruitmentCheck
from training.tests.factories import CourseFactory, PolicyFactory, PolicyVersionFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def at(y, m, d):
    return datetime.datetime(y, m, d, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(2025, 7, 1), tick=False):
        yield


@pytest.fixture
def year(organisation):
    return periods.financial_year(organisation, 2025)


def test_financial_year_and_previous_period(organisation, year):
    assert (year.start, year.end, year.label) == (D(2024, 4, 1), D(2025, 3, 31), "2024/25")
    previous = year.previous()
    assert (previous.start, previous.end) == (D(2023, 4, 1), D(2024, 3, 31))
    assert periods.financial_year_containing(organisation, D(2025, 3, 31)) == 2025
    assert periods.financial_year_containing(organisation, D(2025, 4, 1)) == 2026
    assert periods.quarter(D(2025, 5, 9)).previous().start == D(2025, 1, 1)


def test_no_data_gives_zeros_not_errors(year):
    figures = kpis.compute(year)
    for kpi in kpis.KPIS:
        assert figures[kpi.key] == 0, kpi.key
    assert figures["concerns_by_outcome"] == {} and figures["suppliers_by_band"] == {}


def test_concern_kpis_count_reopened_cases_as_open(year):
    def concern(created, closed=None, outcome="", subject=SubjectType.STAFF, status=None):
        return ConcernFactory(
            created_at=at(*created),
            closed_at=at(*closed) if closed else None,
            outcome=outcome,
            subject_type=subject,
            status=status or (Status.CLOSED if closed else Status.NEW),
        )

    concern((2024, 5, 1), (2024, 5, 11), Outcome.SUBSTANTIATED)  # resolved in 10 days
    concern((2024, 6, 1), (2024, 6, 21), Outcome.NOT_SUBSTANTIATED, SubjectType.SERVICE_USER)  # 20 days
    # Closed in July, then reopened: the case service clears closed_at and the outcome.
    concern((2024, 7, 1), None, subject=SubjectType.SUPPLIER_WORKER, status=Status.INVESTIGATING)
    # Received the year before, resolved in this one (126 days).
    concern((2023, 12, 1), (2024, 4, 5), Outcome.NO_FURTHER_ACTION, SubjectType.AGENCY_WORKER)
    concern((2025, 2, 1))  # still open
    concern((2025, 4, 5))  # after the year
    concern((2024, 1, 1), (2024, 2, 1), Outcome.REFERRED_ON)  # wholly before the year

    figures = kpis.concern_figures(year)
    assert figures["concerns_received"] == 4
    assert figures["concerns_resolved"] == 3
    assert figures["concerns_open"] == 2
    assert figures["median_days_to_resolve"] == 20
    assert figures["concerns_by_outcome"] == {"No further action": 1, "Not substantiated": 1, "Substantiated": 1}
    assert figures["concerns_by_subject"] == {
        "A service user": 1,
        "A staff member": 2,
        "A supplier's worker": 1,
    }


@pytest.fixture
def people():
    x, y, z = DepartmentFactory(name="Care"), DepartmentFactory(name="Kitchen"), DepartmentFactory(name="Office")
    return {
        "u1": UserFactory(department=x),
        "u2": UserFactory(department=y),
        # Left before the year end: not counted.
        "u3": UserFactory(department=x, is_active=False, left_on=D(2025, 1, 15)),
        # Left after the year end: still on the books at 31 March, so counted.
        "u4": UserFactory(department=z, is_active=False, left_on=D(2025, 6, 1)),
    }


def test_training_completion_excludes_leavers_and_not_yet_due(year, people):
    a, b = CourseFactory(title="Modern slavery awareness"), CourseFactory(title="Safer recruitment")
    u1, u2, u3, u4 = people["u1"], people["u2"], people["u3"], people["u4"]

    def record(user, course, assigned, due, done=None, expires=None):
        TrainingRecordFactory(
            user=user, course=course, assigned_on=assigned, due_on=due, completed_on=done, expires_on=expires
        )

    record(u1, a, D(2024, 5, 1), D(2024, 6, 1), D(2024, 5, 20), D(2025, 5, 20))  # complete
    record(u1, b, D(2025, 1, 1), D(2025, 2, 1))  # overdue
    record(u2, a, D(2023, 4, 1), D(2023, 5, 1), D(2023, 5, 1), D(2024, 5, 1))  # expired ...
    record(u2, a, D(2025, 3, 1), D(2025, 6, 30))  # ... renewal not yet due: still expired
    record(u2, b, D(2025, 3, 1), D(2025, 5, 1))  # not yet due: not counted
    record(u3, a, D(2024, 5, 1), D(2024, 6, 1))  # leaver before the year end: not counted
    record(u4, a, D(2024, 9, 1), D(2024, 10, 1), D(2024, 10, 1))  # complete, leaver after the year end
    record(u1, a, D(2025, 4, 2), D(2025, 5, 2))  # assigned after the year end: not counted

    figures = kpis.training_figures(year)
    assert figures["training_completion_pct"] == 50.0  # 2 of 4
    assert figures["training_by_course"] == {"Modern slavery awareness": 66.7, "Safer recruitment": 0.0}
    assert figures["training_by_department"] == {"Care": 50.0, "Kitchen": 0.0, "Office": 100.0}


def test_policy_acknowledgement_counts_the_version_in_force_and_people_employed(year, people):
    policy = PolicyFactory(requires_acknowledgement=True)
    v1 = PolicyVersionFactory(policy=policy, number=1, effective_date=D(2024, 1, 1), published_at=at(2024, 1, 1))
    v2 = PolicyVersionFactory(policy=policy, number=2, effective_date=D(2025, 1, 10), published_at=at(2025, 1, 10))
    PolicyVersionFactory(policy=policy, number=3, effective_date=D(2025, 5, 1), published_at=at(2025, 5, 1))
    other = PolicyFactory(requires_acknowledgement=False)
    PolicyVersionFactory(policy=other, number=1, effective_date=D(2024, 1, 1), published_at=at(2024, 1, 1))
    Acknowledgement.objects.create(user=people["u1"], version=v2, acknowledged_at=at(2025, 1, 15))
    Acknowledgement.objects.create(user=people["u2"], version=v1, acknowledged_at=at(2024, 2, 1))  # old version
    Acknowledgement.objects.create(user=people["u3"], version=v2, acknowledged_at=at(2025, 1, 12))  # leaver
    Acknowledgement.objects.create(user=people["u4"], version=v2, acknowledged_at=at(2025, 4, 10))  # too late
    # Employed at 31 March: u1, u2, u4; one of them acknowledged the version in force.
    assert kpis.training_figures(year)["policy_acknowledgement_pct"] == 33.3


def test_recruitment_checks_complete_at_the_year_end(year, people):
    done = {
        "dbs_checked_on": D(2024, 1, 1),
        "dbs_outcome": "clear",
        "right_to_work_verified_on": D(2024, 1, 1),
        "right_to_work_document": "share_code",
        "contract_accessible_given_on": D(2024, 1, 2),
    }
    RecruitmentCheck.objects.create(worker=people["u1"], **done)
    RecruitmentCheck.objects.create(worker=people["u2"], **done, right_to_work_expires_on=D(2025, 2, 1))
    RecruitmentCheck.objects.create(worker=people["u3"], **done)  # leaver
    RecruitmentCheck.objects.create(worker=people["u4"], **{**done, "contract_accessible_given_on": D(2025, 5, 1)})
    assert kpis.training_figures(year)["recruitment_checks_complete_pct"] == 33.3  # u1 of u1, u2, u4


def test_supplier_kpis_with_a_supplier_terminated_mid_year(year):
    def supplier(status=Supplier.Status.ACTIVE, created=(2024, 1, 1), bands=()):
        s = SupplierFactory(status=status)
        Supplier.objects.filter(pk=s.pk).update(created_at=at(*created))
        for when, band in bands:
            RiskAssessment.objects.create(supplier=s, assessed_at=at(*when), score=1, band=band)
        return s

    s6_dummy = supplier(bands=[((2024, 6, 1), "high")])  # High
    supplier(bands=[((2024, 6, 1), "low"), ((2025, 5, 1), "high")])  # Low at the year end
    # Termination is the typed date the decision service sets, not an event's wording.
    s3 = supplier(status=Supplier.Status.TERMINATED, bands=[((2024, 6, 1), "high")])
    Supplier.objects.filter(pk=s3.pk).update(terminated_at=at(2024, 10, 1))
    s4 = supplier(status=Supplier.Status.TERMINATED, bands=[((2024, 5, 1), "medium")])
    Supplier.objects.filter(pk=s4.pk).update(terminated_at=at(2025, 5, 1))
    # An event that merely reads "Terminated" (no decision made) changes nothing.
    SupplierEvent.objects.create(supplier=s6_dummy, kind="decision", message="Terminated. Reason: x", at=at(2024, 6, 1))
    supplier(created=(2025, 5, 1), bands=[((2025, 5, 1), "high")])  # joined after the year
    s6 = supplier()  # never assessed

    def audit(completed, result, status=Audit.Status.COMPLETED):
        return AuditFactory(
            supplier=s6, status=status, completed_date=completed, result=result, planned_date=D(2024, 1, 1)
        )

    audit(D(2024, 6, 1), "compliant")
    audit(D(2024, 7, 1), "minor")
    finding = FindingFactory(audit=audit(D(2024, 8, 1), "major"))
    audit(D(2025, 4, 10), "compliant")  # after the year
    audit(None, "", status=Audit.Status.PLANNED)

    def action(created, due, status=CorrectiveAction.Status.OPEN, verified=None):
        CorrectiveActionFactory(
            finding=finding,
            created_at=at(*created),
            due_date=due,
            status=status,
            verified_at=at(*verified) if verified else None,
        )

    action((2024, 7, 1), D(2024, 8, 1))  # open and overdue
    action((2024, 8, 1), D(2025, 6, 1), CorrectiveAction.Status.EVIDENCE_SUBMITTED)  # open
    action((2024, 8, 1), D(2024, 9, 1), CorrectiveAction.Status.VERIFIED, (2024, 12, 1))  # closed in the year
    action((2024, 9, 1), D(2025, 1, 1), CorrectiveAction.Status.VERIFIED, (2025, 5, 1))  # open and overdue at 31 March
    action((2025, 4, 20), D(2025, 5, 1))  # after the year

    template = QuestionnaireTemplate.objects.create(name="MSAT")

    def questionnaire(sent, submitted=None):
        QuestionnaireRequest.objects.create(
            supplier=s6,
            template=template,
            contact_name="C",
            contact_email="c@example.org",
            expires_at=at(2026, 1, 1),
            sent_at=at(*sent),
            submitted_at=at(*submitted) if submitted else None,
        )

    questionnaire((2024, 5, 1), (2024, 5, 20))
    questionnaire((2025, 3, 1))
    questionnaire((2024, 3, 1), (2024, 4, 10))

    figures = kpis.supplier_figures(year)
    assert (figures["audits_done"], figures["audits_passed"]) == (3, 2)
    assert (figures["corrective_actions_open"], figures["corrective_actions_overdue"]) == (3, 2)
    assert figures["suppliers_by_band"] == {"High": 1, "Medium": 1, "Low": 1, "Not assessed": 1}
    assert figures["high_risk_suppliers"] == 1
    assert (figures["questionnaires_sent"], figures["questionnaires_returned"]) == (2, 2)
    assert (figures["suppliers_terminated"], figures["suppliers_suspended"]) == (1, 0)  # s3 in the year


def test_governance_kpis(year):
    GovernanceMeetingFactory(held_on=D(2024, 6, 1))
    GovernanceMeetingFactory(held_on=D(2024, 11, 1))
    GovernanceMeetingFactory(held_on=D(2025, 5, 1))
    RiskRegisterEntryFactory(created_at=at(2024, 5, 1))
    RiskRegisterEntryFactory(created_at=at(2024, 5, 1), status="closed")
    RiskRegisterEntryFactory()  # added after the year
    ActionPlanItemFactory(status="done", completed_on=D(2024, 9, 1))
    ActionPlanItemFactory(status="done", completed_on=D(2025, 5, 1))
    ActionPlanItemFactory(status="in_progress")
    figures = kpis.governance_figures(year)
    assert (figures["governance_meetings"], figures["risks_open"], figures["actions_done"]) == (2, 1, 1)


def test_trend_says_better_or_worse_in_words():
    rows = {
        r["key"]: r
        for r in kpis.trend(
            {"concerns_open": 3, "training_completion_pct": 80.0}, {"concerns_open": 5, "training_completion_pct": 90.0}
        )
    }
    assert (rows["concerns_open"]["direction"], rows["concerns_open"]["verdict"]) == ("down", "better")
    assert (rows["training_completion_pct"]["change"], rows["training_completion_pct"]["verdict"]) == (-10.0, "worse")
    assert rows["audits_done"]["direction"] == "no change"


def test_monthly_snapshot_is_stored_once_and_survives_later_edits(organisation):
    ConcernFactory(created_at=at(2025, 6, 3))
    snapshot = kpi_snapshot_take(today=D(2025, 7, 1))
    assert (snapshot.period_start, snapshot.period_end) == (D(2025, 6, 1), D(2025, 6, 30))
    assert snapshot.figures["concerns_received"] == 1
    ConcernFactory(created_at=at(2025, 6, 4))
    again = kpi_snapshot_take(today=D(2025, 7, 2))
    assert again.pk == snapshot.pk and again.figures["concerns_received"] == 1
    assert KpiSnapshot.objects.count() == 1


# --- Dashboard ------------------------------------------------------------------------------


def test_dashboard_with_no_data_shows_zeros_and_charts(client, make_user, login, organisation):
    login(make_user(roles.BOARD_MEMBER))
    response = client.get(reverse("reporting:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-kpi="concerns_received"' in html
    rows = {r["key"]: r for r in response.context["rows"]}
    assert rows.pop("median_days_to_resolve")["value"] is None  # nothing resolved: no median
    assert rows.pop("median_hours_to_triage")["value"] is None  # nothing triaged: no median
    assert all(row["value"] == 0 for row in rows.values())
    # Charts are pygal SVG as data: URIs (CSP: img-src 'self' data:), with their figures in words.
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert "Concerns by outcome: No data for this period." in html
    assert "<script" not in "".join(chart.svg for chart in response.context["charts"])


def test_dashboard_period_filter_and_trend(client, make_user, login, organisation):
    ConcernFactory(created_at=at(2025, 6, 3))
    ConcernFactory(created_at=at(2025, 5, 3))
    ConcernFactory(created_at=at(2025, 5, 4))
    login(make_user(roles.MODERN_SLAVERY_LEAD))
    response = client.get(reverse("reporting:index"), {"period": "month", "on": "2025-06-15"})
    row = next(r for r in response.context["rows"] if r["key"] == "concerns_received")
    assert (row["value"], row["previous"], row["direction"]) == (1, 2, "down")
    assert "1 Jun 2025 to 30 Jun 2025" in response.content.decode()
    bad = client.get(reverse("reporting:index"), {"period": "custom", "start": "2025-06-01"})
    assert "Give both dates for a custom period." in bad.content.decode()


def test_median_days_to_resolve_says_none_resolved_instead_of_zero_days(client, make_user, login, organisation):
    ConcernFactory(
        created_at=at(2025, 6, 3),
        closed_at=at(2025, 6, 13),
        status=Status.CLOSED,
        outcome=Outcome.SUBSTANTIATED,
    )
    login(make_user(roles.BOARD_MEMBER))
    response = client.get(reverse("reporting:index"), {"period": "month", "on": "2025-06-15"})
    row = next(r for r in response.context["rows"] if r["key"] == "median_days_to_resolve")
    assert (row["value"], row["previous"], row["direction"]) == (10.0, None, "not comparable")
    html = response.content.decode()
    assert "no cases" in html and ">0 days<" not in html


def test_dashboard_warns_when_a_quarter_passes_without_a_meeting(client, make_user, login, organisation):
    # Today is 1 July 2025: the last four quarters are Jul-Sep 2024 to Apr-Jun 2025.
    for day in (D(2024, 8, 1), D(2024, 11, 1), D(2025, 5, 1)):
        GovernanceMeetingFactory(held_on=day)
    login(make_user(roles.BOARD_MEMBER))
    html = client.get(reverse("reporting:index")).content.decode()
    assert "no governance meeting with the modern slavery item was recorded in" in html
    assert "Jan 2025 to Mar 2025" in html
    assert "Oct 2024 to Dec 2024" not in html


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.HR, roles.PROCUREMENT, roles.SAFEGUARDING_TEAM, roles.LINE_MANAGER]
)
def test_dashboard_is_404_outside_reporting(client, make_user, login, role):
    login(make_user(role))
    assert client.get(reverse("reporting:index")).status_code == 404


def test_dashboard_keeps_constant_queries_as_data_grows(
    client, make_user, login, organisation, django_assert_max_num_queries
):
    login(make_user(roles.BOARD_MEMBER))
    ConcernFactory(created_at=at(2025, 5, 1))
    with django_assert_max_num_queries(60) as one:
        client.get(reverse("reporting:index"))
    # Each KPI section is a fixed set of aggregate queries, run for this and the previous
    # period, plus the snapshots, meetings, overdue risks and statements: none per row.
    for i in range(30):
        ConcernFactory(
            created_at=at(2024, 5, 1) + datetime.timedelta(days=i),
            closed_at=at(2025, 1, 1),
            status="closed",
            outcome="referred_on",
        )
        TrainingRecordFactory(assigned_on=D(2024, 5, 1), due_on=D(2024, 6, 1))
        GovernanceMeetingFactory(held_on=D(2024, 5, 1) + datetime.timedelta(days=i))
        RiskRegisterEntryFactory(review_due=D(2025, 1, 1))
    for month in range(1, 7):
        kpi_snapshot_take(today=D(2025, month, 2))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("reporting:index")).status_code == 200


def test_kpi_csv_for_the_chosen_period_is_logged(client, make_user, login, organisation):
    import csv
    import io

    from compliance.models import AccessLog

    ConcernFactory(created_at=at(2025, 6, 3), subject_type=SubjectType.SERVICE_USER)
    board = make_user(roles.BOARD_MEMBER)
    login(board)
    response = client.get(reverse("reporting:kpi_csv"), {"period": "month", "on": "2025-06-15"})
    rows = list(csv.reader(io.StringIO(download_text(response))))
    assert rows[0][3:5] == ["2025-06-01 to 2025-06-30", "2025-05-01 to 2025-05-31"]
    assert ["Concerns and cases", "Concerns received", "", "1", "0", "1", "neutral"] in rows
    assert ["Concerns by subject", "A service user", "", "1", "", "", ""] in rows
    assert AccessLog.objects.filter(user=board, action=AccessLog.Action.EXPORT).exists()
    login(make_user(roles.HR))
    assert client.get(reverse("reporting:kpi_csv")).status_code == 404
