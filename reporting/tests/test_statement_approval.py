"""s.54(6) approval and s.54(7) publication: the approving body, dates, warnings, registry submission, reminders."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.models import Notification
from reporting import services
from reporting.models import GovernanceMeeting, Statement
from reporting.reminders import statement_deadline_remind
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]

# Financial year 2024/25 (ends 31 March 2025) is over; 2025/26 (ends 31 March 2026) is under way.
TODAY = datetime.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _messages(response) -> str:
    """Every message shown after the redirect, as text (field names are links on the page)."""
    return "\n".join(unescape(re.sub(r"<[^>]+>", "", str(m))) for m in get_messages(response.wsgi_request))


def _approve(client, statement, **data):
    return client.post(reverse("reporting:statement_approve", args=[statement.pk]), data)


# --- Who approves, and when -------------------------------------------------------------------


@pytest.mark.parametrize("body", [GovernanceMeeting.Body.COMMITTEE, GovernanceMeeting.Body.OTHER])
def test_only_a_meeting_of_the_approving_body_approves(client, login, lead, board, body):
    statement = StatementFactory(created_by=lead)
    committee = GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 10), body=body, title="Quality Committee")
    with pytest.raises(ValidationError, match="only the Board of directors can approve"):
        services.statement_approve(statement=statement, actor=board, meeting=committee)
    login(board)
    response = _approve(client, statement, meeting=committee.pk)
    # The form does not even offer it: only the approving body's meetings are choices.
    assert "Select a valid choice" in _messages(response)
    statement.refresh_from_db()
    assert (statement.status, statement.approved_meeting) == (Statement.Status.DRAFT, None)


def test_approval_date_is_the_meeting_date(client, login, lead, board):
    statement = StatementFactory(created_by=lead)
    meeting = GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 10))
    login(board)
    response = _approve(client, statement, meeting=meeting.pk, approved_on="2025-04-02")
    assert "The approval date must be the date of the meeting (10 June 2025)." in _messages(response)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.DRAFT
    # Left empty, the date is the meeting's.
    _approve(client, statement, meeting=meeting.pk, minute="B/25/14")
    statement.refresh_from_db()
    assert (statement.status, statement.approved_on) == (Statement.Status.APPROVED, datetime.date(2025, 6, 10))
    assert statement.events.get(action="approved").detail == (
        "Approved by the Board of directors on 10 June 2025 (Board meeting (10 June 2025), minute B/25/14)."
    )


def test_approval_needs_a_meeting_that_has_been_held(client, login, lead, board):
    statement = StatementFactory(created_by=lead)
    login(board)
    response = _approve(client, statement, minute="B/1")
    assert "Meeting that approved it: This field is required." in _messages(response)
    future = GovernanceMeetingFactory(held_on=datetime.date(2025, 7, 20))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.statement_approve(statement=statement, actor=board, meeting=future)
    with pytest.raises(ValidationError, match="Choose the meeting of the Board of directors"):
        services.statement_approve(statement=statement, actor=board, meeting=None, approved_on=TODAY, minute="B/1")
    statement.refresh_from_db()
    assert statement.status == Statement.Status.DRAFT


def test_approve_form_offers_only_held_meetings_of_the_approving_body(client, login, lead, board):
    statement = StatementFactory(created_by=lead)
    GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 10), title="Board June")
    GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 12), body="committee", title="Safeguarding Committee")
    GovernanceMeetingFactory(held_on=datetime.date(2025, 9, 1), title="Board September")
    login(board)
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "Board June" in html
    assert "Safeguarding Committee" not in html and "Board September" not in html
    assert "Only a meeting of the Board of directors can approve the statement" in html


def test_the_organisations_approving_body_and_signatory_label_are_used(
    client, login, lead, board, director, organisation
):
    organisation.approving_body = "Trust Board"
    organisation.signatory_label = "Chief Executive / Accountable Officer"
    organisation.save()
    statement = StatementFactory(created_by=lead, financial_year=2025)
    services.statement_approve(statement=statement, actor=board, meeting=GovernanceMeetingFactory(held_on=TODAY))
    assert Notification.objects.filter(
        recipient=director,
        subject="Statement 2024/25 approved: ready for a Chief Executive / Accountable Officer to sign",
    ).exists()
    login(director)
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "Sign as Chief Executive / Accountable Officer" in html
    assert "by the Trust Board on 1 July 2025" in html
    services.statement_sign(statement=statement, actor=director, signatory_title="Chief Executive", signed_on=TODAY)
    services.statement_publish(statement=statement, actor=lead, published_on=TODAY)
    public = client.get(reverse("reporting:public_statement", args=[2025])).content.decode()
    assert "was approved by the Trust Board on 1 July 2025" in public


# --- Warnings (never blocks) -------------------------------------------------------------------


def test_approving_and_publishing_before_the_year_ends_warns_but_goes_ahead(client, login, lead, board, director):
    # The 2025/26 statement, whose year ends on 31 March 2026, approved on 1 July 2025.
    statement = StatementFactory(created_by=lead, financial_year=2026)
    login(lead)
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "Warning:</strong> The financial year 2025/26 ends on 31 March 2026" in html
    login(board)
    response = _approve(client, statement, meeting=GovernanceMeetingFactory(held_on=TODAY).pk)
    warning = (
        "The financial year 2025/26 ends on 31 March 2026: a statement approved before then cannot describe the "
        "whole year (Modern Slavery Act 2015, s.54(4))."
    )
    assert warning in _messages(response)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED
    assert statement.events.get(action="approved").detail.endswith("Approved before the financial year ended.")
    services.statement_sign(statement=statement, actor=director, signatory_title="Chief executive", signed_on=TODAY)
    login(lead)
    response = client.post(
        reverse("reporting:statement_publish", args=[statement.pk]), {"published_on": "2025-07-01", "url": ""}
    )
    assert warning.replace("approved before", "published before") in _messages(response)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED


def test_no_warning_once_the_year_has_ended(client, login, lead, board):
    statement = StatementFactory(created_by=lead, financial_year=2025)
    login(board)
    response = _approve(client, statement, meeting=GovernanceMeetingFactory(held_on=TODAY).pk)
    assert "ends on" not in _messages(response)
    assert "Approved before" not in statement.events.get(action="approved").detail


# --- Publication record and registry submission (s.54(7)) ---------------------------------------


def _signed(lead, board, director, **kwargs):
    statement = StatementFactory(created_by=lead, **kwargs)
    services.statement_approve(statement=statement, actor=board, meeting=GovernanceMeetingFactory(held_on=TODAY))
    return services.statement_sign(statement=statement, actor=director, signatory_title="CEO", signed_on=TODAY)


def test_publication_records_website_homepage_check_and_registry_submission(client, login, lead, board, director):
    statement = _signed(lead, board, director)
    login(lead)
    client.post(
        reverse("reporting:statement_publish", args=[statement.pk]),
        {
            "published_on": "2025-07-01",
            "url": "https://care.example/modern-slavery-statement",
            "homepage_link_checked_on": "2025-07-01",
        },
    )
    statement.refresh_from_db()
    assert statement.published_url == "https://care.example/modern-slavery-statement"
    assert statement.homepage_link_checked_on == TODAY
    assert statement.registry_submitted_on is None
    url = reverse("reporting:statement_registry", args=[statement.pk])
    response = client.post(url, {"registry_submitted_on": "2025-06-30"})
    assert "The registry asks for the statement's web address: publish it first." in _messages(response)
    client.post(
        url,
        {
            "registry_submitted_on": "2025-07-01",
            "registry_summary_url": "https://modern-slavery-statement-registry.service.gov.uk/statement-summary/X/2025",
        },
    )
    statement.refresh_from_db()
    assert statement.registry_submitted_on == TODAY
    assert statement.registry_summary_url.endswith("/statement-summary/X/2025")
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "submitted to the registry" in html and "registry summary" in html


def test_homepage_check_cannot_precede_publication(lead, board, director):
    statement = _signed(lead, board, director)
    with pytest.raises(ValidationError, match="before the statement was published"):
        services.statement_publish(
            statement=statement,
            actor=lead,
            published_on=TODAY,
            homepage_link_checked_on=datetime.date(2025, 6, 30),
        )


def test_a_late_registry_submission_needs_its_reason(lead, board, director):
    statement = _signed(lead, board, director)
    services.statement_publish(statement=statement, actor=lead, published_on=TODAY)
    with time_machine.travel(datetime.datetime(2025, 10, 2, 10, tzinfo=datetime.UTC), tick=False):
        late = datetime.date(2025, 10, 2)
        with pytest.raises(ValidationError, match="Submitted after 30 September 2025"):
            services.statement_record_registry(statement=statement, actor=lead, registry_submitted_on=late)
        services.statement_record_registry(
            statement=statement, actor=lead, registry_submitted_on=late, late_submission_reason="Board met late."
        )
    statement.refresh_from_db()
    assert (statement.registry_submitted_on, statement.late_submission_reason) == (late, "Board met late.")


# --- Deadline reminders -------------------------------------------------------------------------


def test_reminders_continue_after_publication_and_stop_at_registry_submission(lead, board, director):
    statement = _signed(lead, board, director)
    services.statement_publish(statement=statement, actor=lead, published_on=TODAY)
    with time_machine.travel(datetime.datetime(2025, 9, 1, 9, tzinfo=datetime.UTC), tick=False):
        assert statement_deadline_remind() > 0
    reminder = Notification.objects.filter(recipient=lead, subject__startswith="Modern slavery statement").get()
    assert reminder.subject == "Modern slavery statement 2024/25 is due by 30 September 2025"
    # Guidance, not statute: the reminder says "should", never "must".
    assert "should be submitted" in reminder.body and "must" not in reminder.body
    assert "s.54 itself sets no date" in reminder.body
    with time_machine.travel(datetime.datetime(2025, 9, 2, 9, tzinfo=datetime.UTC), tick=False):
        services.statement_record_registry(
            statement=statement, actor=lead, registry_submitted_on=datetime.date(2025, 9, 2)
        )
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, tzinfo=datetime.UTC), tick=False):
        assert statement_deadline_remind() == 0


# --- Starting a statement ----------------------------------------------------------------------


def test_start_a_statement_defaults_to_the_financial_year_under_way(client, login, lead):
    login(lead)
    html = client.get(reverse("reporting:statement_list")).content.decode()
    # 1 July 2025 falls in the year April 2025 to March 2026, which ends in 2026.
    assert 'name="financial_year" value="2026"' in html
