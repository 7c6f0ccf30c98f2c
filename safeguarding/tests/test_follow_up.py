"""Anonymous follow-up with a receipt code: status, two-way messages, added files, rate limit."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguarding.models import Channel, TimelineEntry
from safeguarding.services import concern_message_reporter, concern_triage

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_concern(submit):
    return submit(reporter=None, channel=Channel.ANONYMOUS_FORM)


def _open(client, code):
    return client.post(reverse("safeguarding:report_status"), {"code": code}, follow=True)


def test_code_shows_status_not_internals(client, anonymous_concern, lead):
    concern_triage(concern=anonymous_concern, actor=lead, risk_level="high", assignee=lead, note="Suspect the agency X")
    response = _open(client, anonymous_concern.receipt_code.lower().replace("-", " "))
    html = response.content.decode()
    assert anonymous_concern.reference in html
    assert "Being looked at by the safeguarding team" in html
    assert "Suspect the agency" not in html
    assert "high" not in html.lower().split("status:")[1][:200]


def test_lead_question_appears_and_reporter_answers_with_file(
    client, anonymous_concern, lead, django_capture_on_commit_callbacks
):
    concern_message_reporter(concern=anonymous_concern, actor=lead, body="Which van did you see him in?")
    html = _open(client, anonymous_concern.receipt_code).content.decode()
    assert "Which van did you see him in?" in html
    mail.outbox.clear()
    photo = SimpleUploadedFile("van.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("safeguarding:report_follow_up"),
            {"body": "A white Transit, plate starts YX", "attachments": [photo]},
            follow=True,
        )
    assert "your information has been added" in response.content.decode()
    entry = anonymous_concern.timeline.get(kind=TimelineEntry.Kind.MESSAGE_FROM_REPORTER)
    assert "white Transit" in entry.body
    assert anonymous_concern.attachments.get().from_reporter
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_follow_up_without_code_goes_to_code_page(client):
    response = client.get(reverse("safeguarding:report_follow_up"))
    assert response.status_code == 302
    assert response.url == reverse("safeguarding:report_status")


def test_forget_hides_report_on_device(client, anonymous_concern):
    _open(client, anonymous_concern.receipt_code)
    client.post(reverse("safeguarding:report_forget"))
    assert client.get(reverse("safeguarding:report_follow_up")).status_code == 302


def test_wrong_codes_are_rate_limited(client, anonymous_concern, settings):
    settings.RECEIPT_CODE_MAX_ATTEMPTS = 3
    for left in (2, 1):
        html = _open(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF").content.decode()
        assert "could not find a report with that code" in html
        assert f"Tries left: {left}." in html
    _open(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    # Locked: even the right code is not checked until the wait is over.
    response = _open(client, anonymous_concern.receipt_code)
    assert "Too many wrong codes" in response.content.decode()
    assert response.request["PATH_INFO"] == reverse("safeguarding:report_status")


def test_rate_limit_ends_after_the_wait(client, anonymous_concern, settings):
    settings.RECEIPT_CODE_MAX_ATTEMPTS = 1
    _open(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    assert "Too many wrong codes" in _open(client, anonymous_concern.receipt_code).content.decode()
    later = timezone.now() + datetime.timedelta(seconds=settings.RECEIPT_CODE_LOCKOUT_SECONDS + 60)
    with time_machine.travel(later):
        assert anonymous_concern.reference in _open(client, anonymous_concern.receipt_code).content.decode()


def test_signed_in_reporter_sees_messages_in_my_reports(client, login, reporter, submit, lead):
    concern = submit()
    concern_message_reporter(concern=concern, actor=lead, body="Can we talk tomorrow at 10?")
    login(reporter)
    html = client.get(reverse("safeguarding:my_report_detail", args=[concern.reference])).content.decode()
    assert "Can we talk tomorrow at 10?" in html


def test_other_staff_cannot_open_someone_elses_report(client, login, make_user, submit):
    concern = submit()
    login(make_user())
    assert client.get(reverse("safeguarding:my_report_detail", args=[concern.reference])).status_code == 404
