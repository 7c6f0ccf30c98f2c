"""Reporter care: acknowledgement and feedback deadlines, shown to the reporter and the handler, reminded once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance.models import Notification, OutboxMessage
from compliance.tests.factories import OrganisationFactory
from safeguarding.models import Channel, SubjectType, TimelineEntry
from safeguarding.services import (
    concern_acknowledge,
    concern_feedback_give,
    concern_submit,
    concern_triage,
    reporter_care_remind,
)

pytestmark = pytest.mark.django_db

ARRIVED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def anonymous_concern(submit):
    with time_machine.travel(ARRIVED, tick=False):
        return submit(reporter=None, channel=Channel.ANONYMOUS_FORM)


def _open(client, code):
    return client.post(reverse("safeguarding:report_status"), {"code": code}, follow=True)


def test_a_report_gets_seven_days_and_three_months_by_default(anonymous_concern):
    local = timezone.localtime(ARRIVED)
    assert anonymous_concern.acknowledge_due_at == local + datetime.timedelta(days=7)
    assert timezone.localtime(anonymous_concern.feedback_due_at).date() == datetime.date(2026, 6, 2)
    assert anonymous_concern.acknowledged_at is None and anonymous_concern.feedback_given_at is None


def test_the_organisation_profile_sets_the_deadlines(submit):
    OrganisationFactory(acknowledge_within_days=3, feedback_within_months=1)
    with time_machine.travel(ARRIVED, tick=False):
        concern = submit()
    assert timezone.localtime(concern.acknowledge_due_at).date() == datetime.date(2026, 3, 5)
    assert timezone.localtime(concern.feedback_due_at).date() == datetime.date(2026, 4, 2)


def test_a_case_from_an_audit_finding_has_no_reporter_deadlines(submit):
    concern = submit(reporter=None, channel=Channel.SUPPLIER_AUDIT)
    assert concern.acknowledge_due_at is None and concern.feedback_due_at is None


def test_the_thank_you_page_shows_both_dates(client):
    with time_machine.travel(ARRIVED, tick=False):
        response = client.post(
            reverse("safeguarding:report_anonymous"),
            {
                "immediate_danger": "no",
                "subject_type": SubjectType.STAFF,
                "narrative": "The cleaner sleeps in the laundry room.",
            },
        )
    html = response.content.decode()
    assert "We will confirm that we have received your report by 9 March 2026." in html
    assert "We will tell you what we have done about it by 2 June 2026." in html


def test_the_follow_up_page_shows_the_dates_then_what_was_done(client, anonymous_concern, lead):
    html = _open(client, anonymous_concern.receipt_code).content.decode()
    assert "We will confirm that we have received your report by 9 March 2026." in html
    with time_machine.travel(ARRIVED + datetime.timedelta(days=2), tick=False):
        concern_acknowledge(concern=anonymous_concern, actor=lead)
    html = client.get(reverse("safeguarding:report_follow_up")).content.decode()
    assert "We confirmed that we received your report on 4 March 2026." in html
    assert "We will tell you what we have done about it by 2 June 2026." in html
    with time_machine.travel(ARRIVED + datetime.timedelta(days=30), tick=False):
        concern_feedback_give(concern=anonymous_concern, actor=lead, body="The agency has been reported to the GLAA.")
    html = client.get(reverse("safeguarding:report_follow_up")).content.decode()
    assert "We told you what we have done on 1 April 2026: see the messages below." in html
    assert "The agency has been reported to the GLAA." in html


def test_the_handler_sees_the_deadlines_and_acknowledges_on_the_case(client, login, lead, anonymous_concern):
    login(lead)
    with time_machine.travel(ARRIVED + datetime.timedelta(days=8), tick=False):
        html = client.get(anonymous_concern.get_absolute_url()).content.decode()
        assert "Due by 9 Mar 2026" in html and "Overdue" in html
        response = client.post(f"/cases/{anonymous_concern.reference}/acknowledge/", {})
    assert response.status_code == 302
    anonymous_concern.refresh_from_db()
    assert anonymous_concern.acknowledged_at is not None
    entry = anonymous_concern.timeline.get(kind=TimelineEntry.Kind.ACKNOWLEDGEMENT)
    assert entry.author == lead
    login(lead)  # the session idled out between March and now
    html = client.get(anonymous_concern.get_absolute_url()).content.decode()
    assert "Acknowledged on 10 Mar 2026" in html
    assert "Record acknowledgement" not in html


def test_acknowledging_twice_or_without_access_is_refused(anonymous_concern, lead, staff_user):
    with pytest.raises(PermissionDenied):
        concern_acknowledge(concern=anonymous_concern, actor=staff_user)
    concern_acknowledge(concern=anonymous_concern, actor=lead)
    with pytest.raises(ValidationError):
        concern_acknowledge(concern=anonymous_concern, actor=lead)
    assert anonymous_concern.timeline.filter(kind=TimelineEntry.Kind.ACKNOWLEDGEMENT).count() == 1


def test_a_signed_in_reporter_is_told_of_the_acknowledgement_in_their_language(submit, reporter, lead):
    concern = submit(language="pl")
    concern_acknowledge(concern=concern, actor=lead)
    notification = Notification.objects.get(recipient=reporter)
    assert f"Otrzymaliśmy Twoje zgłoszenie {concern.reference}" in notification.body


def _reminders(concern):
    return list(Notification.objects.filter(dedupe_key__startswith=f"safeguarding:care:{concern.pk}:").order_by("pk"))


def test_reminders_go_once_before_and_once_after_each_deadline(anonymous_concern, lead, team_member):
    concern_triage(concern=anonymous_concern, actor=lead, risk_level="medium", assignee=team_member, note="")
    emails_before = OutboxMessage.objects.count()
    with time_machine.travel(ARRIVED + datetime.timedelta(days=4), tick=False):
        assert reporter_care_remind() == 0  # acknowledgement due in three days: not yet
    with time_machine.travel(ARRIVED + datetime.timedelta(days=5, hours=1), tick=False):
        assert reporter_care_remind() == 2  # the Lead and the assignee, "due soon"
        assert reporter_care_remind() == 0  # a rerun sends nothing new
    with time_machine.travel(ARRIVED + datetime.timedelta(days=7, hours=1), tick=False):
        assert reporter_care_remind() == 2  # now overdue: once more
        assert reporter_care_remind() == 0
    subjects = [n.subject for n in _reminders(anonymous_concern)]
    assert subjects == [
        f"Due soon: acknowledge receipt on {anonymous_concern.reference}",
        f"Due soon: acknowledge receipt on {anonymous_concern.reference}",
        f"Overdue: acknowledge receipt on {anonymous_concern.reference}",
        f"Overdue: acknowledge receipt on {anonymous_concern.reference}",
    ]
    assert {n.recipient for n in _reminders(anonymous_concern)} == {lead, team_member}
    # Each reminder is an email through the outbox, written with its notification.
    assert OutboxMessage.objects.count() - emails_before == 4
    assert anonymous_concern.timeline.filter(kind=TimelineEntry.Kind.ESCALATION).count() == 2


def test_feedback_is_reminded_and_stops_once_given(anonymous_concern, lead):
    concern_acknowledge(concern=anonymous_concern, actor=lead)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert reporter_care_remind() == 1  # the Lead: feedback due by 2 June
        assert "Due soon: give feedback" in _reminders(anonymous_concern)[-1].subject
        concern_feedback_give(concern=anonymous_concern, actor=lead, body="We referred the agency to the GLAA.")
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert reporter_care_remind() == 0
    anonymous_concern.refresh_from_db()
    assert anonymous_concern.feedback_given_at is not None


def test_an_acknowledged_report_is_not_reminded(anonymous_concern, lead):
    concern_acknowledge(concern=anonymous_concern, actor=lead)
    with time_machine.travel(ARRIVED + datetime.timedelta(days=10), tick=False):
        assert reporter_care_remind() == 0


def test_the_beat_schedule_runs_the_reminders(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "safeguarding.tasks.reporter_care_reminders" in tasks


# --- The follow-up page shows what the reporter sent ------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def concern_with_file():
    photo = SimpleUploadedFile("van.png", PNG, content_type="image/png")
    return concern_submit(
        reporter=None,
        channel=Channel.ANONYMOUS_FORM,
        subject_type=SubjectType.SUPPLIER_WORKER,
        indicators=[],
        narrative="Six men are dropped at the depot at 5am by a white van.",
        location_text="Depot on Mill Lane",
        attachments=[photo],
    )


def test_the_follow_up_page_shows_the_reporters_own_submission_and_files(client, concern_with_file):
    html = _open(client, concern_with_file.receipt_code).content.decode()
    assert "What you sent us" in html
    assert "Six men are dropped at the depot at 5am by a white van." in html
    assert "Depot on Mill Lane" in html
    attachment = concern_with_file.attachments.get()
    url = reverse("safeguarding:report_follow_up_file", args=[attachment.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")


def test_a_reporters_file_needs_the_receipt_session_of_its_own_report(client, concern_with_file, submit, lead):
    attachment = concern_with_file.attachments.get()
    url = reverse("safeguarding:report_follow_up_file", args=[attachment.pk])
    assert client.get(url).status_code == 404  # no receipt code entered in this browser
    other = submit(reporter=None, channel=Channel.ANONYMOUS_FORM)
    _open(client, other.receipt_code)
    assert client.get(url).status_code == 404  # another report's code opens only that report
    # A file the case worker added is case work, not the reporter's: never through this door.
    from safeguarding.services import attachment_add

    staff_file = attachment_add(
        concern=concern_with_file, actor=lead, upload=SimpleUploadedFile("notes.txt", b"internal", "text/plain")
    )
    _open(client, concern_with_file.receipt_code)
    assert client.get(url).status_code == 200
    assert client.get(reverse("safeguarding:report_follow_up_file", args=[staff_file.pk])).status_code == 404


def test_a_signed_in_reporter_downloads_only_their_own_files(client, login, submit, reporter, staff_user):
    photo = SimpleUploadedFile("bruise.png", PNG, content_type="image/png")
    concern = submit(attachments=[photo])
    attachment = concern.attachments.get()
    url = reverse("safeguarding:my_report_file", args=[concern.reference, attachment.pk])
    login(reporter)
    html = client.get(reverse("safeguarding:my_report_detail", args=[concern.reference])).content.decode()
    assert url in html and "A new night worker says the agency keeps his passport" in html
    assert client.get(url).status_code == 200
    login(staff_user)
    assert client.get(url).status_code == 404


# --- Report pages: who sees the reporter's name, and whistleblowing protection ------------------


def test_the_staff_form_no_longer_promises_that_only_the_lead_sees_the_name(client, login, staff_user):
    login(staff_user)
    html = client.get(reverse("safeguarding:report")).content.decode()
    assert "Only the Modern Slavery Lead will see" not in html
    assert "The Lead may share your name with a colleague who needs it to help you, and that is recorded." in html


def test_report_pages_show_the_protection_the_guardian_and_the_policy(client):
    html = client.get(reverse("safeguarding:report_anonymous")).content.decode()
    assert "Public Interest Disclosure Act 1998" in html
    assert "Freedom to Speak Up Guardian" not in html  # none recorded
    OrganisationFactory(
        speak_up_guardian="Sam Patel, 0113 496 0000", whistleblowing_policy_url="https://example.org/speak-up"
    )
    for url in (reverse("safeguarding:report_anonymous"), reverse("safeguarding:report_easy")):
        html = client.get(url).content.decode()
        assert "Public Interest Disclosure Act 1998" in html, url
        assert "Freedom to Speak Up Guardian: Sam Patel, 0113 496 0000." in html, url
        assert 'href="https://example.org/speak-up"' in html, url
