"""Who sees a case, who sees the reporter, the access log, and attachments checked by content."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog
from safeguarding import services
from safeguarding.models import Attachment, Concern, Status, SubjectType
from safeguarding.tests.factories import ConcernFactory
from tests.support import download_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OUTSIDERS = [
    roles.STAFF,
    roles.LINE_MANAGER,
    roles.PROCUREMENT,
    roles.HR,
    roles.BOARD_MEMBER,
    roles.DIRECTOR,
    roles.COMPLIANCE_ADMIN,
]


@pytest.fixture
def case(lead, reporter):
    concern = ConcernFactory(
        status=Status.TRIAGED, risk_level="high", reporter=reporter, subject_type=SubjectType.STAFF
    )
    services.attachment_add(concern=concern, actor=lead, upload=SimpleUploadedFile("rota.pdf", PDF))
    return concern


def _urls(concern):
    attachment = concern.attachments.get()
    return [
        reverse("safeguarding:index"),
        concern.get_absolute_url(),
        reverse("safeguarding:attachment_download", args=[concern.reference, attachment.pk]),
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_get_404_on_pages_actions_and_attachments(client, login, make_user, case, role):
    login(make_user(role))
    for url in _urls(case):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("safeguarding:case_action", args=[case.reference, "note"]), {"note-body": "x"})
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, case):
    for url in _urls(case):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_team_member_not_assigned_gets_404_on_staff_case(client, login, other_team_member, case):
    login(other_team_member)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert case.reference not in client.get(reverse("safeguarding:index")).content.decode()


def test_team_sees_every_service_user_case(client, login, team_member):
    concern = ConcernFactory(subject_type=SubjectType.SERVICE_USER)
    login(team_member)
    assert concern.reference in client.get(reverse("safeguarding:index")).content.decode()
    assert client.get(concern.get_absolute_url()).status_code == 200


def test_lead_sees_reporter_identity(client, login, lead, reporter, case):
    login(lead)
    html = client.get(case.get_absolute_url()).content.decode()
    assert reporter.full_name in html
    assert reporter.email in html


def test_assigned_team_member_does_not_see_reporter(client, login, team_member, reporter, case):
    case.assignee = team_member
    case.save()
    login(team_member)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Confidential: only the Modern Slavery Lead, and anyone the Lead shares it with, sees who reported." in html
    assert reporter.full_name not in html
    assert reporter.email not in html
    assert "rowan" not in html.lower()


def test_lead_grant_lets_team_member_see_reporter_and_is_recorded(client, login, lead, team_member, reporter, case):
    case.assignee = team_member
    case.save()
    login(lead)
    client.post(
        reverse("safeguarding:case_action", args=[case.reference, "grant"]),
        {"grant-user": team_member.pk, "grant-reason": "Needs to arrange a private meeting with the reporter."},
    )
    assert case.identity_grants.get().granted_by == lead
    assert "may now see who reported" in case.timeline.last().body
    login(team_member)
    assert reporter.full_name in client.get(case.get_absolute_url()).content.decode()


def test_team_member_cannot_grant_identity(client, login, team_member, other_team_member, case):
    case.assignee = team_member
    case.save()
    login(team_member)
    response = client.post(
        reverse("safeguarding:case_action", args=[case.reference, "grant"]),
        {"grant-user": team_member.pk, "grant-reason": "I want to know."},
    )
    assert response.status_code == 403
    assert not case.identity_grants.exists()


def test_case_view_and_download_are_access_logged(client, login, lead, case):
    login(lead)
    client.get(case.get_absolute_url())
    attachment = case.attachments.get()
    response = client.get(reverse("safeguarding:attachment_download", args=[case.reference, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="rota.pdf"')
    assert response["Content-Type"] == "application/pdf"
    logs = list(AccessLog.objects.order_by("at", "pk").values_list("user", "action", "object_repr"))
    assert logs == [(lead.pk, "view", case.reference), (lead.pk, "download", case.reference)]


# --- attachments -----------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("letter.pdf", PDF, "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("statement.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.txt", "He said “they took my passport”.".encode(), "text/plain"),
        # Named wrongly, but really a PNG: the content decides.
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
    ],
)
def test_accepted_types_detected_by_content(lead, case, name, data, content_type):
    attachment = services.attachment_add(concern=case, actor=lead, upload=SimpleUploadedFile(name, data))
    assert attachment.content_type == content_type
    assert attachment.size == len(data)
    # Stored under a random name inside MEDIA_ROOT, never the original one.
    assert name not in attachment.file.name


def test_executable_renamed_pdf_is_refused_and_nothing_is_lost(client, login, reporter):
    login(reporter)
    exe = SimpleUploadedFile(
        "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/pdf"
    )
    data = {
        "immediate_danger": "no",
        "subject_type": "supplier_worker",
        "narrative": "The cleaners from the contractor are collected at 5am and never paid directly.",
        "attachments": [exe],
    }
    response = client.post(reverse("safeguarding:report"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“invoice.pdf” is not a file type we accept" in html
    assert "collected at 5am and never paid directly" in html
    assert "please choose any files again" in html
    assert not Concern.objects.exists()
    assert not Attachment.objects.exists()


def test_executable_refused_on_case_page(client, login, lead, case):
    login(lead)
    elf = SimpleUploadedFile("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 32)
    response = client.post(
        reverse("safeguarding:case_action", args=[case.reference, "attachment"]), {"attachment-file": elf}
    )
    assert response.status_code == 400
    assert "is not a file type we accept" in response.content.decode()
    assert case.attachments.count() == 1


def test_oversized_file_refused(lead, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="larger than"):
        services.attachment_add(concern=case, actor=lead, upload=SimpleUploadedFile("big.txt", b"a" * 2048))


def test_case_export_is_logged_and_has_no_narrative_or_names(client, login, lead, reporter, case):
    login(lead)
    response = client.get(reverse("safeguarding:case_export"), {"status": "triaged"})
    body = download_text(response)
    assert response.status_code == 200
    assert case.reference in body
    assert case.narrative[:20] not in body
    assert reporter.full_name not in body
    log = AccessLog.objects.get(action="export")
    assert log.user == lead and "1 cases" in log.detail


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.DIRECTOR, roles.PROCUREMENT])
def test_export_is_404_for_other_roles(client, login, make_user, case, role):
    login(make_user(role))
    assert client.get(reverse("safeguarding:case_export")).status_code == 404


def test_statistics_for_the_board_are_counts_only(case, reporter):
    from safeguarding.selectors import concern_statistics

    stats = concern_statistics()
    assert stats["received"] == 1 and stats["open"] == 1
    assert stats["by_status"] == {"triaged": 1}
    text = repr(stats)
    assert case.reference not in text
    assert case.narrative[:20] not in text
    assert reporter.full_name not in text


def test_case_list_filters_and_htmx_partial(client, login, lead, case):
    other = ConcernFactory(status=Status.NEW, subject_type=SubjectType.SERVICE_USER)
    login(lead)
    html = client.get(reverse("safeguarding:index"), {"subject_type": "service_user"}).content.decode()
    assert other.reference in html and case.reference not in html
    html = client.get(reverse("safeguarding:index"), {"q": case.reference.lower()}).content.decode()
    assert case.reference in html and other.reference not in html
    partial = client.get(reverse("safeguarding:index"), {"status": "new"}, HTTP_HX_REQUEST="true").content.decode()
    assert other.reference in partial and "<html" not in partial


def test_overdue_filter(client, login, lead, case):
    from django.utils import timezone

    late = ConcernFactory(due_at=timezone.now() - timezone.timedelta(hours=1))
    login(lead)
    html = client.get(reverse("safeguarding:index"), {"overdue": "on"}).content.decode()
    assert late.reference in html and case.reference not in html


def test_change_log_records_case_changes_without_reporter_or_narrative(lead, reporter, submit):
    from auditlog.models import LogEntry

    concern = submit()
    services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=lead)
    entries = LogEntry.objects.get_for_object(concern)
    assert entries.count() >= 2
    text = " ".join(str(e.changes) for e in entries)
    assert "risk_level" in text
    assert "passport" not in text
    assert "reporter" not in text


def test_case_summary_pdf_for_referral_has_no_reporter_and_is_logged(client, login, lead, reporter, case):
    from io import BytesIO

    from pypdf import PdfReader

    services.concern_message_reporter(concern=case, actor=lead, body="Private question to the reporter")
    case.on_behalf_of = "Jo Carer"
    case.save()
    login(lead)
    response = client.get(reverse("safeguarding:case_summary", args=[case.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert case.reference in text
    assert "double shifts" in text
    assert reporter.full_name not in text and "Jo Carer" not in text
    assert "Private question" not in text
    assert AccessLog.objects.filter(action="export", user=lead, detail="Case summary PDF").count() == 1


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.HR, roles.PROCUREMENT])
def test_case_summary_404_for_other_roles(client, login, make_user, case, role):
    login(make_user(role))
    assert client.get(reverse("safeguarding:case_summary", args=[case.reference])).status_code == 404


def test_case_list_orders_by_due_date_and_risk(client, login, lead):
    from django.utils import timezone

    now = timezone.now()
    low = ConcernFactory(status=Status.TRIAGED, risk_level="low", due_at=now + timezone.timedelta(days=1))
    critical = ConcernFactory(status=Status.TRIAGED, risk_level="critical", due_at=now + timezone.timedelta(days=5))
    login(lead)
    by_due = [c.reference for c in client.get(reverse("safeguarding:index"), {"sort": "due"}).context["page"]]
    assert by_due == [low.reference, critical.reference]
    by_risk = [c.reference for c in client.get(reverse("safeguarding:index"), {"sort": "risk"}).context["page"]]
    assert by_risk == [critical.reference, low.reference]
