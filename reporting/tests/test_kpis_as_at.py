"""Every KPI hand-counted for a past period (as at its end) and the current period (as at today, "to date").

Today is 1 July 2025. The past period is the financial year 1 April 2024 to
31 March 2025; the current one 1 April 2025 to 31 March 2026, which has not
ended, so its figures are as at 1 July 2025 and never as at 31 March 2026.
"""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from compliance import roles
from reporting import kpis, periods
from reporting.board_reports import board_report_context
from reporting.pdf import render_pdf
from reporting.tests.factories import RiskRegisterEntryFactory
from safeguarding.models import Channel, Referral
from safeguarding.tests.factories import ConcernFactory, ReferralFactory
from suppliers.models import CodeOfConduct, CodeOfConductAcceptance, CorrectiveAction, RiskAssessment, Supplier
from suppliers.selectors import register_summary
from suppliers.services.imports import COLUMNS, import_validate
from suppliers.services.register import Decision, supplier_decision_record
from suppliers.tests.factories import CorrectiveActionFactory, SupplierFactory
from training.models import AssignmentRule, RecruitmentCheck
from training.selectors import completion_rates
from training.tests.factories import CourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 7, 1)
LONG_AGO = D(2023, 1, 1)
ASSIGNED = D(2024, 1, 1)


def at(y, m, d, h=12):
    return datetime.datetime(y, m, d, h, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(2025, 7, 1), tick=False):
        yield


@pytest.fixture
def past(organisation):
    return periods.financial_year(organisation, 2025)


@pytest.fixture
def current(organisation):
    return periods.financial_year(organisation, 2026)


def test_as_at_dates_and_labels(past, current):
    assert kpis.as_of(past) == D(2025, 3, 31) and not kpis.is_to_date(past)
    assert kpis.as_of(current) == TODAY and kpis.is_to_date(current)
    assert kpis.as_at_label(past) == "at the period end (31 March 2025)"
    assert kpis.as_at_label(current).startswith("to date (as at 1 July 2025")
    figures = kpis.compute(current)
    assert (figures["as_of"], figures["to_date"]) == ("2025-07-01", True)


# --- Training: the population on a date ------------------------------------------------------


@pytest.fixture
def training_people(make_user):
    induction = CourseFactory(code="ind", title="Induction", validity_months=None)
    specialised = CourseFactory(code="spec", title="Specialised", validity_months=None)

    def person(*role_names, started=LONG_AGO, left=None):
        return make_user(*role_names, start_date=started, left_on=left, is_active=left is None or left > TODAY)

    def record(user, course, due, done=None, assigned=ASSIGNED):
        TrainingRecordFactory(user=user, course=course, assigned_on=assigned, due_on=due, completed_on=done)

    a = person(roles.STAFF)
    record(a, induction, D(2024, 2, 1), D(2024, 1, 20))  # complete throughout
    b = person(roles.STAFF)
    record(b, induction, D(2025, 1, 1), D(2025, 6, 1))  # overdue at 31 March, complete by today
    hr = person(roles.STAFF, roles.HR)
    record(hr, specialised, D(2024, 3, 1), D(2024, 2, 1))  # complete
    ex_hr = person(roles.STAFF)  # no longer holds the HR role that needs the specialised course
    record(ex_hr, specialised, D(2024, 3, 1))
    joiner = person(roles.STAFF, started=D(2025, 5, 1))
    record(joiner, induction, D(2025, 2, 1), assigned=D(2025, 1, 15))  # assigned before they started
    gone = person(roles.STAFF, left=D(2025, 2, 1))  # left before the year end
    record(gone, induction, D(2024, 6, 1))
    leaver = person(roles.STAFF, left=D(2025, 5, 1))  # left after the year end
    record(leaver, induction, D(2024, 6, 1))
    board = person(roles.BOARD_MEMBER)  # a non-executive: not staff
    record(board, induction, D(2024, 6, 1))
    # The rules come last: joining a role assigns courses by rule, and these records are the history.
    AssignmentRule.objects.create(course=induction)
    AssignmentRule.objects.create(course=specialised, role=Group.objects.get(name=roles.HR))


def test_training_completion_counts_the_population_on_the_date(training_people, past, current, make_user):
    hr_user = make_user(roles.HR)  # no Staff role, no records: outside the population
    # 31 March 2025: complete a, hr; overdue b, leaver. Not counted: the joiner (not started), the one who
    # left in February, the Board member (not staff) and the former HR person (no role needing the course).
    past_figures, current_figures = kpis.compute_many([past, current])
    assert past_figures["training_completion_pct"] == 50.0
    # 1 July 2025 (not 31 March 2026): complete a, b, hr; overdue the joiner; the leaver has gone.
    assert current_figures["training_completion_pct"] == 75.0
    assert current_figures["training_by_course"] == {"Induction": pytest.approx(66.7), "Specialised": 100.0}
    # Parity: the training page shows the same figure for the same date, from the same rule.
    assert completion_rates(user=hr_user, as_of=D(2025, 3, 31))["total"].rate == 50.0
    assert completion_rates(user=hr_user)["total"].rate == 75.0


def test_recruitment_checks_count_staff_employed_on_the_date(make_user, past, current):
    def person(*role_names, started=LONG_AGO, left=None, done=None):
        user = make_user(*role_names, start_date=started, left_on=left, is_active=left is None or left > TODAY)
        if done:
            RecruitmentCheck.objects.create(
                worker=user,
                dbs_checked_on=done,
                dbs_outcome="clear",
                right_to_work_verified_on=done,
                right_to_work_document="share_code",
                contract_accessible_given_on=done,
            )
        return user

    person(roles.STAFF, done=D(2024, 1, 1))
    person(roles.STAFF, done=D(2025, 6, 1))  # completed after the year end
    person(roles.STAFF, started=D(2025, 5, 1), done=D(2025, 4, 20))  # joined after the year end
    person(roles.STAFF, left=D(2025, 5, 1), done=D(2024, 1, 1))  # left after the year end
    person(roles.STAFF, left=D(2025, 1, 1))  # left in the year: not counted at its end
    person(roles.BOARD_MEMBER)  # not staff
    past_figures, current_figures = kpis.compute_many([past, current])
    assert past_figures["recruitment_checks_complete_pct"] == 66.7  # 2 of 3
    assert current_figures["recruitment_checks_complete_pct"] == 100.0  # 3 of 3


# --- Concerns, channels, referrals ------------------------------------------------------------


def test_concerns_by_channel_audit_cases_referrals_and_medians(past, current):
    def case(channel, created, triage_hours=None, closed=None, outcome=""):
        return ConcernFactory(
            channel=channel,
            created_at=created,
            triaged_at=created + datetime.timedelta(hours=triage_hours) if triage_hours is not None else None,
            status="closed" if closed else "investigating",
            closed_at=closed,
            outcome=outcome,
        )

    staff = case(Channel.STAFF_FORM, at(2024, 5, 1), 2, at(2024, 5, 11), "substantiated")  # 10 days
    case(Channel.ANONYMOUS_FORM, at(2024, 6, 1), 4)
    case(Channel.PHONE, at(2024, 7, 1), 6, at(2024, 7, 21), "no_further_action")  # 20 days
    case(Channel.SUPPLIER_AUDIT, at(2024, 8, 1), 1)  # opened from an audit finding: not a concern received
    case(Channel.MANAGER_ON_BEHALF, at(2025, 4, 10), 3)  # the current year
    ReferralFactory(concern=staff, kind=Referral.Kind.NRM, made_on=D(2024, 6, 1))
    ReferralFactory(concern=staff, kind=Referral.Kind.POLICE, made_on=D(2024, 6, 2))
    ReferralFactory(concern=staff, kind=Referral.Kind.POLICE, made_on=D(2025, 3, 31))
    ReferralFactory(concern=staff, kind=Referral.Kind.SAFEGUARDING_ENQUIRY, made_on=D(2025, 4, 2))
    past_figures, current_figures = kpis.compute_many([past, current])
    assert (past_figures["concerns_received"], past_figures["cases_from_audits"]) == (3, 1)
    assert past_figures["cases_by_channel"] == {
        "Anonymous form": 1,
        "Phone": 1,
        "Staff form": 1,
        "Supplier audit finding": 1,
    }
    assert (past_figures["concerns_resolved"], past_figures["concerns_open"]) == (2, 2)
    assert past_figures["median_hours_to_triage"] == 3.0  # 1, 2, 4, 6 hours
    assert past_figures["median_days_to_resolve"] == 15.0
    assert past_figures["referrals_by_kind"] == {"National Referral Mechanism (NRM)": 1, "Police report": 2}
    assert past_figures["referrals_made"] == 3
    assert (current_figures["concerns_received"], current_figures["cases_from_audits"]) == (1, 0)
    assert current_figures["concerns_open"] == 3  # anonymous, audit, manager on behalf
    assert current_figures["referrals_by_kind"] == {"Safeguarding enquiry": 1}


# --- Suppliers ------------------------------------------------------------------------------


@pytest.fixture
def supplier_data(make_user):
    buyer = make_user(roles.STAFF, roles.PROCUREMENT)

    def supplier(name, band="high"):
        s = SupplierFactory(name=name, status=Supplier.Status.ACTIVE)
        Supplier.objects.filter(pk=s.pk).update(created_at=at(2024, 1, 1))
        RiskAssessment.objects.create(supplier=s, assessed_at=at(2024, 2, 1), score=90, band=band)
        return Supplier.objects.get(pk=s.pk)

    by_service = supplier("Terminated Properly Ltd")
    suspended = supplier("Suspended Ltd", band="medium")
    by_import = supplier("Import Attempt Ltd")
    supplier("Still Here Ltd")
    with time_machine.travel(at(2024, 10, 1), tick=False):
        supplier_decision_record(supplier=by_service, actor=buyer, decision=Decision.TERMINATE, reason="Fees")
        supplier_decision_record(supplier=suspended, actor=buyer, decision=Decision.SUSPEND, reason="Audit")
    # The register import tries to terminate another supplier: refused, nothing changes.
    row = dict.fromkeys(COLUMNS, "") | {
        "name": by_import.name,
        "registration_number": by_import.registration_number,
        "category": by_import.category,
        "countries": "GB",
        "annual_spend": "10000",
        "status": "terminated",
    }
    row |= {c: "no" for c in COLUMNS if c.startswith(("uses_", "sub", "migrant", "on_site", "is_", "agency_"))}
    content = (",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n").encode()
    report = import_validate(filename="register.csv", content=content)
    assert [(e.line, e.field) for e in report.errors] == [(2, "status")]
    code = CodeOfConduct.objects.create(
        version="1", clauses="No fees.", effective_from=D(2024, 1, 1), published_at=at(2024, 1, 1)
    )
    for s, when in ((by_import, D(2024, 5, 1)), (suspended, D(2025, 5, 1))):
        CodeOfConductAcceptance.objects.create(supplier=s, code=code, accepted_on=when, signed_by_name="A")
    return {"by_service": by_service, "by_import": by_import}


def test_supplier_decisions_are_typed_dates_and_the_import_cannot_terminate(supplier_data, past, current):
    by_service = Supplier.objects.get(pk=supplier_data["by_service"].pk)
    assert by_service.status == "terminated" and by_service.terminated_at == at(2024, 10, 1)
    by_import = Supplier.objects.get(pk=supplier_data["by_import"].pk)
    assert by_import.status == "active" and by_import.terminated_at is None
    past_figures, current_figures = kpis.compute_many([past, current])
    # On the register at 31 March: suspended (medium), import attempt and still here (high); not the terminated one.
    assert past_figures["suppliers_by_band"] == {"High": 2, "Medium": 1}
    assert (past_figures["suppliers_suspended"], past_figures["suppliers_terminated"]) == (1, 1)
    assert (current_figures["suppliers_suspended"], current_figures["suppliers_terminated"]) == (0, 0)
    # Code of conduct: 1 of 3 had accepted by 31 March; 2 of 3 by today.
    assert (past_figures["code_of_conduct_accepted"], past_figures["code_of_conduct_suppliers"]) == (1, 3)
    assert past_figures["code_of_conduct_acceptance_pct"] == 33.3
    assert current_figures["code_of_conduct_acceptance_pct"] == 66.7


def test_overdue_corrective_actions_as_at_today_not_the_future_year_end(past, current):
    def action(due, status=CorrectiveAction.Status.OPEN, submitted=None, level=0):
        return CorrectiveActionFactory(
            created_at=at(2024, 6, 1),
            due_date=due,
            status=status,
            evidence_submitted_at=submitted,
            escalation_level=level,
        )

    action(D(2025, 2, 1))  # overdue at both dates
    action(D(2025, 9, 1), level=1)  # due after today: not overdue yet (was counted against 31 March 2026)
    action(D(2025, 5, 1), CorrectiveAction.Status.EVIDENCE_SUBMITTED, submitted=at(2025, 4, 20))  # waiting for us
    action(D(2025, 3, 1), CorrectiveAction.Status.EVIDENCE_SUBMITTED, submitted=at(2025, 4, 20))  # late evidence
    past_figures, current_figures = kpis.compute_many([past, current])
    assert (past_figures["corrective_actions_open"], past_figures["corrective_actions_overdue"]) == (4, 2)
    assert (current_figures["corrective_actions_open"], current_figures["corrective_actions_overdue"]) == (4, 1)


def test_register_overdue_count_equals_the_rows_its_link_shows(client, login, make_user):
    procurement = make_user(roles.STAFF, roles.PROCUREMENT)
    never_escalated = [CorrectiveActionFactory(due_date=D(2025, 6, day)) for day in (1, 2)]  # overdue, level 0
    escalated = CorrectiveActionFactory(due_date=D(2025, 5, 1), escalation_level=2)  # overdue and escalated
    CorrectiveActionFactory(due_date=D(2025, 8, 1), escalation_level=1)  # escalated once, deadline since extended
    CorrectiveActionFactory(
        due_date=D(2025, 5, 1), status=CorrectiveAction.Status.EVIDENCE_SUBMITTED, evidence_submitted_at=at(2025, 6, 1)
    )
    assert register_summary(user=procurement)["overdue_actions"] == 3
    login(procurement)
    index = client.get(reverse("suppliers:index")).content.decode()
    assert "Overdue corrective actions: 3" in index
    listed = client.get(reverse("suppliers:actions") + "?overdue=true")
    assert {a.pk for a in listed.context["page"].object_list} == {a.pk for a in [*never_escalated, escalated]}


# --- Governance: risks around the period end --------------------------------------------------


def test_open_risks_and_key_risks_are_as_at_the_period(past, current, organisation):
    def risk(title, created, closed=None):
        entry = RiskRegisterEntryFactory(title=title, created_at=created)
        if closed:
            type(entry).objects.filter(pk=entry.pk).update(status="closed", closed_at=closed)

    risk("Closed just before the year end", at(2024, 5, 1), at(2025, 3, 30))
    risk("Closed just after the year end", at(2024, 5, 1), at(2025, 4, 2))
    risk("Opened just after the year end", at(2025, 4, 1))
    risk("Open all along", at(2024, 5, 1))
    risk("Opened in June", at(2025, 6, 1))
    past_figures, current_figures = kpis.compute_many([past, current])
    assert past_figures["risks_open"] == 2
    assert current_figures["risks_open"] == 3
    context = board_report_context(financial_year=2025)
    assert {r.title for r in context["risks"]} == {"Closed just after the year end", "Open all along"}


# --- The Board PDF ---------------------------------------------------------------------------


def test_board_pdf_shows_every_new_section_with_its_figures(supplier_data, organisation, make_user):  # noqa: ARG001 - supplier_data builds the suppliers
    staff = ConcernFactory(
        channel=Channel.STAFF_FORM,
        created_at=at(2024, 5, 1),
        triaged_at=at(2024, 5, 1, 14),
        status="closed",
        closed_at=at(2024, 5, 11),
        outcome="substantiated",
    )
    ConcernFactory(channel=Channel.SUPPLIER_AUDIT, created_at=at(2024, 8, 1), triaged_at=at(2024, 8, 1, 16))
    ReferralFactory(concern=staff, kind=Referral.Kind.NRM, made_on=D(2024, 6, 1))
    ReferralFactory(concern=staff, kind=Referral.Kind.POLICE, made_on=D(2024, 6, 2))
    RiskRegisterEntryFactory(title="Agency fees in the laundry chain", created_at=at(2024, 5, 1))
    pdf = render_pdf("reporting/pdf/board_report.html", board_report_context(financial_year=2025))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Figures at the period end (31 March 2025)" in text
    assert "1 concerns received from people; 1 case opened from supplier audit findings" in text
    assert "Median time to triage: 3.0 hours (2 triaged)" in text
    assert "Median time to close: 10.0 days (1 closed)" in text
    assert "Staff form 1" in text and "Supplier audit finding 1" in text
    assert "Referrals made (2)" in text and "National Referral Mechanism (NRM) 1" in text and "Police report 1" in text
    assert "1 suspended, 1 terminated in the year" in text
    assert "Code of conduct accepted by 1 of 3 suppliers on the register (33.3%)" in text
    assert "Policies: 0 in force, 0 past their review date" in text
    assert "1 open risk, 0 with an overdue review" in text
    assert "Registry status: No statement has been started for this financial year." in text
    assert "Key risks (as at 31 March 2025)" in text and "Agency fees in the laundry chain" in text


def test_board_pdf_for_the_current_year_says_to_date(organisation):
    pdf = render_pdf("reporting/pdf/board_report.html", board_report_context(financial_year=2026))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Figures to date (as at 1 July 2025" in text
    assert "Key risks (as at 1 July 2025)" in text


def test_registry_status_line_says_published_or_not(lead):
    from reporting.board_reports import registry_status
    from reporting.tests.factories import StatementFactory

    assert registry_status(None) == "No statement has been started for this financial year."
    draft = StatementFactory(financial_year=2025, created_by=lead)
    assert registry_status(draft).startswith("Not published (status: draft)")
    published = StatementFactory(financial_year=2025, version=2, status="published", created_by=lead)
    assert registry_status(published) == "Published; not yet submitted to the GOV.UK modern slavery statement registry."
    published.registry_submitted_on = D(2025, 6, 2)
    assert registry_status(published).endswith("registry on 2 June 2025.")


def test_policy_page_and_kpi_agree_on_acknowledgement_today(make_user, current):
    from compliance.policy_models import Acknowledgement
    from training.policy_selectors import acknowledgement_rates
    from training.tests.factories import PolicyFactory, PolicyVersionFactory

    policy = PolicyFactory(requires_acknowledgement=True)
    version = PolicyVersionFactory(policy=policy, effective_date=D(2025, 1, 1), published_at=at(2025, 1, 1))
    staff = [make_user(roles.STAFF, start_date=D(2024, 1, 1)) for _ in range(3)]
    board = make_user(roles.BOARD_MEMBER)  # not staff: neither page counts them
    hr = make_user(roles.STAFF, roles.HR, start_date=D(2024, 1, 1))
    for person in (staff[0], board, hr):
        Acknowledgement.objects.create(user=person, version=version, acknowledged_at=at(2025, 2, 1))
    page = acknowledgement_rates(user=hr, policy=policy)[0]
    assert (page["acknowledged"], page["staff"], page["rate"]) == (2, 4, 50.0)
    assert kpis.compute(current)["policy_acknowledgement_pct"] == page["rate"]


def test_audits_meetings_actions_and_reviews_in_both_periods(past, current, lead):
    from reporting.models import RiskRegisterReview
    from reporting.tests.factories import ActionPlanItemFactory, GovernanceMeetingFactory
    from suppliers.tests.factories import AuditFactory
    from training.tests.factories import PolicyVersionFactory

    for day, result in ((D(2024, 9, 1), "compliant"), (D(2025, 3, 31), "major"), (D(2025, 4, 1), "minor")):
        AuditFactory(status="completed", completed_date=day, result=result, planned_date=day)
    for day in (D(2024, 6, 1), D(2025, 3, 31), D(2025, 4, 1), D(2025, 6, 30)):
        GovernanceMeetingFactory(held_on=day, recorded_by=lead)
    ActionPlanItemFactory(status="done", completed_on=D(2025, 3, 31), owner=lead)
    ActionPlanItemFactory(status="done", completed_on=D(2025, 5, 1), owner=lead)
    # Open risks whose review fell due: before the year end, and between it and today.
    RiskRegisterEntryFactory(created_at=at(2024, 5, 1), review_due=D(2025, 3, 1), owner=lead)
    RiskRegisterEntryFactory(created_at=at(2024, 5, 1), review_due=D(2025, 6, 1), owner=lead)
    RiskRegisterReview.objects.create(
        reviewed_on=D(2024, 7, 1), reviewed_by=lead, summary="All reviewed", next_review_due=D(2025, 7, 1)
    )
    # A policy version in force from January 2024, due for review in January 2025.
    PolicyVersionFactory(effective_date=D(2024, 1, 1), next_review_date=D(2025, 1, 1), published_at=at(2024, 1, 1))
    past_figures, current_figures = kpis.compute_many([past, current])
    assert (past_figures["audits_done"], past_figures["audits_passed"]) == (2, 1)
    assert (current_figures["audits_done"], current_figures["audits_passed"]) == (1, 1)
    assert (past_figures["governance_meetings"], current_figures["governance_meetings"]) == (2, 2)
    assert (past_figures["actions_done"], current_figures["actions_done"]) == (1, 1)
    # The review date is the register's current one, so only the position against it moves with the date.
    assert (past_figures["risk_reviews_overdue"], current_figures["risk_reviews_overdue"]) == (1, 2)
    assert past_figures["register_reviewed_on"] == "2024-07-01" and past_figures["register_review_due"] == "2025-07-01"
    assert (past_figures["policies_in_force"], past_figures["policies_review_overdue"]) == (1, 1)


def test_statement_prefill_says_which_date_its_figures_are_as_at(organisation, past, current):
    from reporting.prefill import statement_fields

    draft = statement_fields(organisation=organisation, period=current, figures=kpis.compute(current), previous=None)
    assert "open to date (as at 1 July 2025" in draft["due_diligence"]
    assert draft["effectiveness"].startswith("Figures to date (as at 1 July 2025")
    final = statement_fields(organisation=organisation, period=past, figures=kpis.compute(past), previous=None)
    assert "open at the period end (31 March 2025)" in final["due_diligence"]
