"""Risk register and reviews, governance meetings, action plan, and the reminders about them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, RiskRegisterReview, Statement
from reporting.reminders import risk_reviews_remind, statement_deadline_remind
from reporting.tests.factories import (
    ActionPlanItemFactory,
    GovernanceMeetingFactory,
    RiskRegisterEntryFactory,
    StatementFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


# --- Risk register -----------------------------------------------------------------------------


def test_lead_adds_a_risk_and_bad_input_is_kept(client, login, lead):
    login(lead)
    url = reverse("reporting:risk_new")
    data = {
        "title": "Agency workers charged fees",
        "area": "agency_staff",
        "likelihood": "7",
        "impact": "4",
        "owner": lead.pk,
        "mitigations": "Approved agencies only",
        "review_due": "2025-12-31",
        "status": "open",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Agency workers charged fees" in html
    assert "less than or equal to 5" in html
    response = client.post(url, {**data, "likelihood": "4"})
    entry = RiskRegisterEntry.objects.get()
    assert response.url == reverse("reporting:risk_detail", args=[entry.pk])
    assert (entry.score, entry.band) == (16, "critical")
    page = client.get(reverse("reporting:risk_list")).content.decode()
    assert "Critical" in page and "4 × 4 = 16" in page


def test_risk_review_records_who_what_changed_and_next_date(client, login, lead):
    entry = RiskRegisterEntryFactory(likelihood=4, impact=4)
    login(lead)
    response = client.post(
        reverse("reporting:risk_review", args=[entry.pk]),
        {"likelihood": 2, "impact": 4, "changes": "All agencies now audited", "next_review_due": "2026-01-31"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    review = entry.reviews.get()
    assert (review.reviewed_by, review.previous_likelihood, review.likelihood) == (lead, 4, 2)
    assert (entry.likelihood, entry.review_due) == (2, D(2026, 1, 31))
    html = client.get(reverse("reporting:risk_detail", args=[entry.pk])).content.decode()
    assert "All agencies now audited" in html and "4 × 4 → 2 × 4" in html
    # A next review in the past is refused, with the message on the form.
    response = client.post(
        reverse("reporting:risk_review", args=[entry.pk]),
        {"likelihood": 2, "impact": 4, "changes": "x", "next_review_due": "2025-06-01"},
    )
    assert "The next review must be after today." in response.content.decode()


def test_annual_review_of_the_register(client, login, lead):
    meeting = GovernanceMeetingFactory(held_on=D(2025, 6, 15))
    login(lead)
    response = client.post(
        reverse("reporting:register_review"),
        {
            "reviewed_on": "2025-06-15",
            "summary": "Two risks added",
            "meeting": meeting.pk,
            "next_review_due": "2026-06-15",
        },
    )
    assert response.status_code == 302
    review = RiskRegisterReview.objects.get()
    assert (review.reviewed_by, review.meeting) == (lead, meeting)
    assert "Two risks added" in client.get(reverse("reporting:risk_list")).content.decode()


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN])
def test_readers_see_governance_but_cannot_change_it(client, login, make_user, role):
    entry = RiskRegisterEntryFactory()
    item = ActionPlanItemFactory()
    login(make_user(role))
    for name in ("risk_list", "meeting_list", "action_list"):
        assert client.get(reverse(f"reporting:{name}")).status_code == 200
    assert client.get(reverse("reporting:risk_detail", args=[entry.pk])).status_code == 200
    assert client.get(reverse("reporting:risk_new")).status_code == 403
    assert client.get(reverse("reporting:meeting_new")).status_code == 403
    assert client.post(reverse("reporting:risk_review", args=[entry.pk]), {}).status_code == 403
    assert client.post(reverse("reporting:action_detail", args=[item.pk]), {"status": "done"}).status_code == 403
    item.refresh_from_db()
    assert item.status == ActionPlanItem.Status.NOT_STARTED


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.PROCUREMENT, roles.SAFEGUARDING_TEAM])
def test_governance_pages_are_404_outside_reporting(client, login, make_user, role):
    entry = RiskRegisterEntryFactory()
    login(make_user(role))
    for url in (
        reverse("reporting:risk_list"),
        reverse("reporting:risk_detail", args=[entry.pk]),
        reverse("reporting:risk_new"),
        reverse("reporting:meeting_list"),
        reverse("reporting:action_list"),
    ):
        assert client.get(url).status_code == 404, url


# --- Meetings and action plan ----------------------------------------------------------------


def test_lead_records_a_meeting(client, login, lead):
    login(lead)
    response = client.post(
        reverse("reporting:meeting_new"),
        {
            "held_on": "2025-06-10",
            "body": "committee",
            "title": "Quality and Safeguarding Committee",
            "minutes": "Reviewed two concerns (anonymised) and the supplier audit plan.",
            "decisions": "Audit the laundry supplier.",
            "actions": "Lead to arrange the audit.",
        },
    )
    assert response.status_code == 302
    meeting = GovernanceMeeting.objects.get()
    assert meeting.recorded_by == lead
    assert "Audit the laundry supplier." in client.get(reverse("reporting:meeting_list")).content.decode()


def test_action_progress_and_completion(client, login, lead):
    item = ActionPlanItemFactory(owner=lead)
    login(lead)
    url = reverse("reporting:action_detail", args=[item.pk])
    client.post(url, {"status": "in_progress", "note": "Supplier list drafted"})
    client.post(url, {"status": "done", "note": ""})
    item.refresh_from_db()
    assert (item.status, item.completed_on) == (ActionPlanItem.Status.DONE, D(2025, 7, 1))
    notes = [n.text for n in item.notes.all()]
    assert notes == ["Status: Not started → In progress. Supplier list drafted", "Status: In progress → Done."]


def test_last_years_plan_feeds_this_years_progress(lead, board, director):
    from reporting import services

    last = StatementFactory(financial_year=2024, created_by=lead, status=Statement.Status.PUBLISHED)
    ActionPlanItemFactory(title="Map tier 2 suppliers", financial_year=2025, status="done", source_statement=last)
    ActionPlanItemFactory(title="Train procurement staff", financial_year=2025, status="in_progress")
    statement = services.statement_create(actor=lead, financial_year=2025)
    assert "Against the plan in our 2023/24 statement:" in statement.progress
    assert "- Map tier 2 suppliers: done" in statement.progress
    assert "- Train procurement staff: in progress" in statement.progress


def test_governance_lists_keep_constant_queries(client, login, lead, django_assert_max_num_queries):
    login(lead)
    RiskRegisterEntryFactory()
    ActionPlanItemFactory()
    GovernanceMeetingFactory()
    counts = {}
    # Session, user, groups, organisation (base template), the pager's count, then one query
    # for the page (owners and statements joined), and the last register reviews.
    for name in ("risk_list", "action_list", "meeting_list"):
        with django_assert_max_num_queries(15) as one:
            client.get(reverse(f"reporting:{name}"))
        counts[name] = len(one.captured_queries)
    RiskRegisterEntryFactory.create_batch(49)
    ActionPlanItemFactory.create_batch(49, source_statement=StatementFactory())
    GovernanceMeetingFactory.create_batch(49)
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            client.get(reverse(f"reporting:{name}"))


# --- Reminders ----------------------------------------------------------------------------------


def test_risk_review_reminders_go_once_to_owner_and_lead(lead, make_user):
    owner = make_user(roles.STAFF)
    RiskRegisterEntryFactory(owner=owner, review_due=D(2025, 7, 10), title="Laundry agency")  # due soon
    RiskRegisterEntryFactory(owner=owner, review_due=D(2025, 9, 1))  # not yet
    RiskRegisterEntryFactory(owner=owner, review_due=D(2025, 6, 1), status="closed")  # closed
    risk_reviews_remind()
    risk_reviews_remind()
    subjects = list(Notification.objects.filter(recipient=owner).values_list("subject", flat=True))
    assert subjects == ["Risk review due: Laundry agency (10 July 2025)"]
    assert Notification.objects.filter(recipient=lead, subject__startswith="Risk review due").count() == 1
    # The register has never had its annual review: the Lead is told, once.
    assert Notification.objects.filter(recipient=lead, subject__startswith="Annual risk register review").count() == 1


def test_statement_deadline_reminders_at_set_intervals_once_each(lead, board, director, make_user):
    staff = make_user(roles.STAFF)
    # Year ending 31 March 2025: due by 30 September 2025; reminders from 31 August.
    with time_machine.travel(datetime.datetime(2025, 8, 30, 9, tzinfo=datetime.UTC), tick=False):
        assert statement_deadline_remind() == 0
    with time_machine.travel(datetime.datetime(2025, 8, 31, 9, tzinfo=datetime.UTC), tick=False):
        statement_deadline_remind()
        statement_deadline_remind()  # a rerun tells no one twice
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, tzinfo=datetime.UTC), tick=False):
        statement_deadline_remind()
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, tzinfo=datetime.UTC), tick=False):
        statement_deadline_remind()
    for person in (lead, board, director):
        subjects = list(Notification.objects.filter(recipient=person).order_by("pk").values_list("subject", flat=True))
        assert subjects == [
            "Modern slavery statement 2024/25 is due by 30 September 2025",
            "Modern slavery statement 2024/25 is due by 30 September 2025",
            "Modern slavery statement 2024/25 is 1 day overdue",
        ]
    assert not Notification.objects.filter(recipient=staff).exists()


def test_no_deadline_reminder_once_on_the_registry(lead, board, director):
    StatementFactory(
        financial_year=2025, status=Statement.Status.PUBLISHED, registry_submitted_on=datetime.date(2025, 9, 1)
    )
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, tzinfo=datetime.UTC), tick=False):
        assert statement_deadline_remind() == 0
    assert not Notification.objects.exists()


def test_register_filters_by_area_and_plan_by_year(client, login, board):
    RiskRegisterEntryFactory(title="Agency fees", area="agency_staff")
    RiskRegisterEntryFactory(title="Laundry subcontractors", area="suppliers")
    ActionPlanItemFactory(title="Audit agencies", financial_year=2025)
    ActionPlanItemFactory(title="Map tier 2", financial_year=2026)
    login(board)
    html = client.get(reverse("reporting:risk_list"), {"area": "suppliers"}).content.decode()
    assert "Laundry subcontractors" in html and "Agency fees" not in html
    html = client.get(reverse("reporting:action_list"), {"year": "2026"}).content.decode()
    assert "Map tier 2" in html and "Audit agencies" not in html
    assert '<option value="2026" selected>' in html
