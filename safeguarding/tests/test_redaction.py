"""Masking: the Lead masks personal data; only the Lead's unmasked view shows the original."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from compliance.models import AccessLog
from safeguarding import services
from safeguarding.models import Channel, Concern, Redaction, SubjectType, TimelineEntry
from tests.support import download_text

pytestmark = pytest.mark.django_db

SECRET = "Mrs Grzegorzewska at 14 Alder Row"
SECRET_IN_NOTE = "her brother Tomasz"


@pytest.fixture
def masked_case(lead, team_member, reporter):
    """A service-user case (so the Safeguarding team sees it) with a name masked in the narrative and a note."""
    concern = services.concern_submit(
        reporter=reporter,
        channel=Channel.STAFF_FORM,
        subject_type=SubjectType.SERVICE_USER,
        indicators=[],
        narrative=f"The client was collected by {SECRET} every night at 2am.",
    )
    concern = services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=team_member)
    note = services.concern_note_add(concern=concern, actor=team_member, body=f"Spoke to {SECRET_IN_NOTE} today.")
    services.concern_message_reporter(concern=concern, actor=lead, body=f"Thanks. Is {SECRET_IN_NOTE} safe?")
    services.text_mask(concern=concern, actor=lead, target="narrative", span=SECRET, reason="Third party's name")
    services.text_mask(concern=concern, actor=lead, target=str(note.pk), span=SECRET_IN_NOTE, reason="Relative")
    message = TimelineEntry.objects.get(concern=concern, kind=TimelineEntry.Kind.MESSAGE_TO_REPORTER)
    services.text_mask(concern=concern, actor=lead, target=str(message.pk), span=SECRET_IN_NOTE, reason="Relative")
    return Concern.objects.get(pk=concern.pk)


def _absent(text):
    assert SECRET not in text and SECRET_IN_NOTE not in text
    assert "[masked]" in text


def test_mask_replaces_the_span_and_is_logged(masked_case, lead):
    assert masked_case.narrative == "The client was collected by [masked] every night at 2am."
    assert SECRET in masked_case.narrative_original
    assert [r.reason for r in Redaction.objects.filter(concern=masked_case)] == [
        "Third party's name",
        "Relative",
        "Relative",
    ]
    assert all(r.created_by == lead for r in Redaction.objects.all())
    bodies = [e.body for e in TimelineEntry.objects.filter(concern=masked_case)]
    assert "Masked text in the narrative: Third party's name" in bodies


def test_team_member_page_pdf_and_api_show_masked_text(masked_case, client, login, team_member, lead):
    login(team_member)
    html = client.get(masked_case.get_absolute_url()).content.decode()
    _absent(html)
    # Asking for the unmasked view changes nothing for anyone but the Lead.
    _absent(client.get(masked_case.get_absolute_url() + "?unmasked=1").content.decode())
    api = client.get(f"/api/v1/safeguarding/cases/{masked_case.reference}/")
    assert api.status_code == 200
    _absent(api.content.decode())
    login(lead)
    pdf = client.get(reverse("safeguarding:case_summary", args=[masked_case.reference]))
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    _absent(text)


def test_lead_default_view_exports_and_reporter_see_masked_text(masked_case, client, login, lead, reporter):
    login(lead)
    _absent(client.get(masked_case.get_absolute_url()).content.decode())
    csv = download_text(client.get(reverse("safeguarding:case_export")))
    assert masked_case.reference in csv and SECRET not in csv and SECRET_IN_NOTE not in csv
    _absent(client.get(f"/api/v1/safeguarding/cases/{masked_case.reference}/").content.decode())
    # The reporter reading their report and its messages.
    login(reporter)
    page = client.get(reverse("safeguarding:my_report_detail", args=[masked_case.reference])).content.decode()
    assert SECRET_IN_NOTE not in page


def test_only_the_leads_unmasked_view_shows_the_original_and_it_is_logged(masked_case, client, login, lead):
    login(lead)
    html = client.get(masked_case.get_absolute_url() + "?unmasked=1").content.decode()
    assert SECRET in html and SECRET_IN_NOTE in html
    assert AccessLog.objects.filter(user=lead, detail="unmasked view").count() == 1


def test_mask_form_on_the_case_page(masked_case, client, login, lead):
    login(lead)
    url = reverse("safeguarding:case_action", args=[masked_case.reference, "mask"])
    response = client.post(url, {"mask-target": "narrative", "mask-span": "not in the text", "mask-reason": "x"})
    assert response.status_code == 400
    assert "Those words are not in that text" in response.content.decode()
    response = client.post(url, {"mask-target": "narrative", "mask-span": "every night", "mask-reason": "Routine"})
    assert response.status_code == 302
    concern = Concern.objects.get(pk=masked_case.pk)
    assert concern.narrative == "The client was collected by [masked] [masked] at 2am."
    # The original is the text before the first mask, kept whole.
    assert concern.narrative_original == f"The client was collected by {SECRET} every night at 2am."


def test_only_the_lead_masks(masked_case, client, login, team_member):
    with pytest.raises(PermissionDenied):
        services.text_mask(concern=masked_case, actor=team_member, target="narrative", span="2am", reason="x")
    login(team_member)
    url = reverse("safeguarding:case_action", args=[masked_case.reference, "mask"])
    response = client.post(url, {"mask-target": "narrative", "mask-span": "2am", "mask-reason": "x"})
    assert response.status_code == 403
    assert "2am" in Concern.objects.get(pk=masked_case.pk).narrative
