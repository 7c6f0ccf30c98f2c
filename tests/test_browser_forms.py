"""In Chromium: every edit form with a stored date shows it, and saving it unchanged changes nothing.

Before the shared ISO widget, Chromium emptied every ``<input type="date" value="01/12/2026">``:
an unchanged supplier save set its contract dates to NULL and the Director could not sign.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from compliance import roles
from compliance.tests.factories import OrganisationFactory
from tests.browser import sign_in_as
from tests.test_edit_pages_round_trip import PAGES
from tests.test_form_round_trip import STORED, stored_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The edit pages whose form has a stored date (the others are checked without a browser).
WITH_DATES = ["Supplier", "User", "RecruitmentCheck", "GovernanceMeeting", "RiskRegisterEntry", "ActionPlanItem"]


def _submit(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def _dates_shown(form) -> dict[str, str]:
    inputs = form.locator("input[type=date]")
    return {inputs.nth(i).get_attribute("name"): inputs.nth(i).input_value() for i in range(inputs.count())}


@pytest.mark.parametrize("model", WITH_DATES)
def test_edit_form_saved_unchanged_in_chromium_changes_nothing(page, live_server, make_user, model):
    url_name, arg, role = PAGES[model]
    obj = STORED[model]()
    before = stored_row(obj)
    sign_in_as(page, live_server, make_user(roles.STAFF, role))
    url = f"{live_server.url}{reverse(url_name, args=[getattr(obj, arg)])}"

    page.goto(url)
    form = page.locator("main form:has(input[type=date])").first
    shown = _dates_shown(form)
    stored = {name: before[name] for name in shown if name in before}
    assert any(stored.values()), f"the record should have a stored date: {stored}"
    assert shown == {name: value.isoformat() if value else "" for name, value in stored.items()}
    _submit(page, form)

    expect(page).not_to_have_url(url)
    assert stored_row(obj) == before


def test_director_signs_and_lead_publishes_with_the_prefilled_dates(page, live_server, make_user):
    from reporting import services
    from reporting.models import Statement
    from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory

    OrganisationFactory(financial_year_end_day=31, financial_year_end_month=3)
    today = timezone.localdate()
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    board = make_user(roles.STAFF, roles.BOARD_MEMBER)
    director = make_user(roles.STAFF, roles.DIRECTOR, job_title="Chief executive")
    statement = StatementFactory(created_by=lead, financial_year=today.year)
    meeting = GovernanceMeetingFactory(held_on=today)  # a meeting of the approving body, held today
    services.statement_approve(statement=statement, actor=board, meeting=meeting, approved_on=today, minute="B/26/4")
    detail = f"{live_server.url}{reverse('reporting:statement_detail', args=[statement.pk])}"

    sign_in_as(page, live_server, director)
    page.goto(detail)
    form = page.locator("form", has=page.get_by_label("Date signed"))
    expect(page.get_by_label("Date signed")).to_have_value(today.isoformat())
    _submit(page, form)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.SIGNED, page.locator(".messages").inner_text()
    assert statement.signed_on == today

    page.context.clear_cookies()
    sign_in_as(page, live_server, lead)
    page.goto(detail)
    form = page.locator("form", has=page.get_by_label("Date published"))
    expect(page.get_by_label("Date published")).to_have_value(today.isoformat())
    _submit(page, form)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED, page.locator(".messages").inner_text()
    assert statement.published_on == today


def test_referral_is_recorded_with_the_prefilled_date(page, live_server, make_user):
    from safeguarding.models import Status
    from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory

    OrganisationFactory()
    # A live-server test runs on a flushed database: the seeded list is gone.
    FirstResponderFactory(name="Police (local force)", category="police")
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    concern = ConcernFactory(status=Status.TRIAGED, assignee=lead, risk_level="high")
    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}{reverse('safeguarding:case_detail', args=[concern.reference])}")

    page.get_by_text("Record a referral", exact=True).click()  # opens the <details>
    form = page.locator("form", has=page.get_by_label("Date of referral"))
    expect(page.get_by_label("Date of referral")).to_have_value(timezone.localdate().isoformat())
    form.get_by_label("Referred through").select_option(label="Police (local force)")
    form.get_by_label("What they were asked to do").select_option("police")
    form.get_by_label("Consent").select_option("given")
    _submit(page, form)

    referral = concern.referrals.get()
    assert referral.made_on == timezone.localdate()
    assert referral.age_group == "adult"  # the pre-chosen answer


def test_training_record_shows_its_due_date_and_keeps_it(page, live_server, make_user):
    from training.tests.factories import TrainingRecordFactory

    OrganisationFactory()
    due = timezone.localdate() + datetime.timedelta(days=20)
    record = TrainingRecordFactory(assigned_on=timezone.localdate(), due_on=due)
    before = stored_row(record)
    sign_in_as(page, live_server, make_user(roles.STAFF, roles.HR))
    page.goto(f"{live_server.url}{reverse('training:record_detail', args=[record.pk])}")

    form = page.locator("form", has=page.get_by_label("New due date")).first
    expect(form.get_by_label("New due date")).to_have_value(due.isoformat())
    form.get_by_label("Why").fill("Checking the date")
    _submit(page, form)

    assert stored_row(record) == before
    expect(page.get_by_text("nothing was changed")).to_be_visible()


def test_audit_and_corrective_action_keep_the_dates_typed(page, live_server, make_user):
    # These have no edit page: the date typed in Chromium's picker must be the date stored.
    from suppliers.models import Audit, CorrectiveAction
    from suppliers.tests.factories import FindingFactory, SupplierFactory

    OrganisationFactory()
    supplier = SupplierFactory()
    finding = FindingFactory(audit__supplier=supplier)
    sign_in_as(page, live_server, make_user(roles.STAFF, roles.PROCUREMENT))
    planned = timezone.localdate() + datetime.timedelta(days=40)
    due = timezone.localdate() + datetime.timedelta(days=25)

    page.goto(f"{live_server.url}{reverse('suppliers:audit_create', args=[supplier.pk])}")
    form = page.locator("main form")
    form.get_by_label("Planned date").fill(planned.isoformat())
    form.get_by_label("External auditor").fill("External Auditors LLP")
    form.get_by_label("Scope").fill("Pay records\nAgency use")
    _submit(page, form)
    assert Audit.objects.exclude(pk=finding.audit_id).get().planned_date == planned

    page.goto(f"{live_server.url}{reverse('suppliers:action_create', args=[finding.pk])}")
    form = page.locator("main form")
    form.get_by_label("Description").fill("Show the rota")
    form.get_by_label("Due date").fill(due.isoformat())
    _submit(page, form)
    assert CorrectiveAction.objects.get().due_date == due
