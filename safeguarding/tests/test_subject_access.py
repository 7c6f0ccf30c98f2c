"""Subject access: the Lead exports everything held about a named person, third parties redacted, logged."""

import csv
import io

import pytest
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog
from safeguarding import services
from safeguarding.models import Channel, SubjectType
from safeguarding.tests.factories import ReferralFactory
from tests.support import download_text

pytestmark = pytest.mark.django_db

URL = "/cases/subject-access/"


@pytest.fixture
def cases(lead, make_user, manager_user):
    """Ana reported one case herself (signed in) and is the subject of another, reported on her behalf of someone."""
    ana = make_user(roles.STAFF, full_name="Ana Petrova", email="ana@example.org")
    other_reporter = make_user(roles.STAFF, full_name="Bogdan Ilic", email="bogdan@example.org")
    as_reporter = services.concern_submit(
        reporter=ana,
        channel=Channel.STAFF_FORM,
        subject_type=SubjectType.AGENCY_WORKER,
        indicators=[],
        narrative="A driver collects the new cleaners at 5am and keeps their wages.",
        reporter_contact="07700 900777",
    )
    as_subject = services.concern_submit(
        reporter=other_reporter,
        channel=Channel.STAFF_FORM,
        subject_type=SubjectType.STAFF,
        indicators=[],
        narrative="Ana Petrova told Bogdan Ilic her agency holds her passport; her cousin Lidia Kova drives her.",
        reporter_contact="bogdan.private@example.org",
    )
    services.concern_triage(concern=as_subject, actor=lead, risk_level="high", assignee=lead)
    services.concern_note_add(concern=as_subject, actor=lead, body="Lee Lead spoke to Ana Petrova at the site.")
    services.text_mask(concern=as_subject, actor=lead, target="narrative", span="Lidia Kova", reason="A relative")
    ReferralFactory(concern=as_subject, contact="DC Hollowmere")
    unrelated = services.concern_submit(
        reporter=other_reporter,
        channel=Channel.STAFF_FORM,
        subject_type=SubjectType.STAFF,
        indicators=[],
        narrative="Someone else entirely.",
    )
    return {"ana": ana, "as_reporter": as_reporter, "as_subject": as_subject, "unrelated": unrelated}


def _rows(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(download_text(response))))


def test_export_holds_both_cases_with_third_parties_redacted_and_is_logged(client, login, lead, cases):
    login(lead)
    response = client.post(URL, {"name": "Ana Petrova", "person": cases["ana"].pk, "contact": ""})
    rows = _rows(response)
    assert rows[0] == ["Reference", "Held as", "Record", "Date", "Text"]
    text = "\n".join(",".join(r) for r in rows)
    held = {r[0]: r[1] for r in rows[1:]}
    assert held == {cases["as_reporter"].reference: "reporter", cases["as_subject"].reference: "subject"}
    assert cases["unrelated"].reference not in text
    # Her own data is there: what she reported, her contact details, her name where written.
    assert "keeps their wages" in text and "07700 900777" in text and "Ana Petrova" in text
    # Third parties are not: the other reporter's name and contact, staff names, the masked relative.
    assert "Bogdan" not in text and "bogdan.private" not in text
    assert "Lee Lead" not in text and "Lidia" not in text
    # The referral is listed; who was spoken to at the police is someone else's identity.
    assert any(r[2].startswith("Referral: ") for r in rows) and "Hollowmere" not in text
    assert "[third party]" in text and "[masked]" in text
    # Logged, by reference and without her name.
    entry = AccessLog.objects.get(user=lead, action=AccessLog.Action.EXPORT)
    assert entry.detail.startswith("Subject access export: 2 case(s)")
    assert cases["as_subject"].reference in entry.detail and "Ana" not in entry.detail


def test_found_by_name_alone_and_by_contact(client, login, lead, cases):
    login(lead)
    by_name = _rows(client.post(URL, {"name": "ana petrova"}))
    assert {r[0] for r in by_name[1:]} == {cases["as_subject"].reference}
    by_contact = _rows(client.post(URL, {"name": "A Person", "contact": "07700 900777"}))
    assert {r[0] for r in by_contact[1:]} == {cases["as_reporter"].reference}


def test_form_page_and_missing_name(client, login, lead, cases):
    login(lead)
    page = client.get(URL)
    assert page.status_code == 200 and "Subject access export" in page.content.decode()
    response = client.post(URL, {"name": ""})
    assert response.status_code == 400
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("role", [roles.SAFEGUARDING_TEAM, roles.STAFF, roles.BOARD_MEMBER, roles.COMPLIANCE_ADMIN])
def test_only_the_lead(client, login, make_user, cases, role):
    login(make_user(role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"name": "Ana Petrova"}).status_code == 404
    assert reverse("safeguarding:subject_access") == URL
