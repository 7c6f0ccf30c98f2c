"""Retention: expired closed cases lose their content, keep their figures, and leave a purge log."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance.models import AccessLog, Notification, OutboxMessage
from safeguarding import services
from safeguarding.models import (
    Attachment,
    Channel,
    Concern,
    IdentityGrant,
    Outcome,
    PurgeLog,
    Redaction,
    Referral,
    RetentionRule,
    SubjectType,
    TimelineEntry,
)
from safeguarding.tasks import case_retention
from safeguarding.tests.factories import ReferralFactory
from tests.support import download_text

pytestmark = pytest.mark.django_db

CLOSED_ON = datetime.datetime(2019, 6, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def closed_case(lead, team_member, reporter):
    """A case reported, worked and closed in June 2019, with something in every kind of content."""
    with time_machine.travel(CLOSED_ON - datetime.timedelta(days=20), tick=False):
        concern = services.concern_submit(
            reporter=reporter,
            channel=Channel.STAFF_FORM,
            subject_type=SubjectType.AGENCY_WORKER,
            indicators=["no_id"],
            narrative="Dorota says the agency holds her passport.",
            reporter_contact="07700 900123",
        )
        concern = services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=team_member)
        services.concern_note_add(concern=concern, actor=lead, body="Called Dorota's sister.")
        services.identity_grant(concern=concern, actor=lead, user=team_member, reason="Needs to call back")
        ReferralFactory(concern=concern, contact="DC Smith", crime_reference="CR/123")
        services.attachment_add(concern=concern, actor=lead, upload=SimpleUploadedFile("rota.txt", b"Dorota rota"))
        concern = services.concern_investigate(concern=concern, actor=lead)
    with time_machine.travel(CLOSED_ON, tick=False):
        concern = services.concern_close(
            concern=concern, actor=lead, outcome=Outcome.SUBSTANTIATED, summary="Dorota is safe."
        )
    return concern


def _figures():
    from compliance.services import organisation_get
    from reporting import kpis, periods

    organisation = organisation_get()
    year = periods.financial_year_containing(organisation, CLOSED_ON.date())
    from safeguarding.selectors import concern_statistics

    return kpis.concern_figures(periods.financial_year(organisation, year)), concern_statistics()


def test_expired_case_is_purged_figures_unchanged_logged_and_second_run_does_nothing(
    closed_case, client, login, lead, settings
):
    path = Path(Attachment.objects.get(concern=closed_case).file.path)
    assert path.exists()
    services.text_mask(concern=closed_case, actor=lead, target="narrative", span="Dorota", reason="A name")
    login(lead)
    kpi_url = reverse("reporting:kpi_csv") + f"?period=year&on={CLOSED_ON.date()}"
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=6 * 365 + 5), tick=False):
        figures_before = _figures()
        kpi_page_before = download_text(client.get(kpi_url))
        # Six years (the default) have passed: the task purges it.
        assert case_retention() == {"warned": 0, "purged": 1}
        figures_after = _figures()
        kpi_page_after = download_text(client.get(kpi_url))

    concern = Concern.objects.get(pk=closed_case.pk)
    assert concern.narrative == "Removed under the retention schedule."
    assert concern.reporter_id is None and concern.reporter_contact == "" and concern.closing_summary == ""
    assert concern.purged_at is not None
    # Notes, messages and reasons are gone; the rows (and so the counts) stay.
    bodies = [b for b in TimelineEntry.objects.filter(concern=concern).values_list("body", flat=True) if b]
    assert bodies == [
        "Content removed under the retention schedule (Default (CASE_RETENTION_MONTHS): 72 months after closure)."
    ]
    assert not IdentityGrant.objects.filter(concern=concern).exists()
    # What was masked, and the text before the mask, go too.
    assert concern.narrative_original == "" and Redaction.objects.get().span == ""
    referral = Referral.objects.get(concern=concern)
    assert (referral.contact, referral.crime_reference) == ("", "")
    assert not Attachment.objects.filter(concern=concern).exists()
    assert not path.exists()
    # The figures the KPI page shows are the same.
    assert figures_after == figures_before
    assert kpi_page_after == kpi_page_before
    # The purge log says what, when and which rule; it survives the purge.
    log = PurgeLog.objects.get()
    assert log.reference == concern.reference and log.concern == concern
    assert log.rule.startswith("Default") and log.months == 72
    assert log.removed["attachments"] == 1 and log.removed["identity_grants"] == 1
    assert "narrative" in log.removed["fields"] and "reporter" in log.removed["fields"]
    assert "Dorota" not in str(log.removed)

    # A second run does nothing.
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=6 * 365 + 6), tick=False):
        assert case_retention() == {"warned": 0, "purged": 0}
    assert PurgeLog.objects.count() == 1


def test_not_yet_expired_case_is_kept(closed_case):
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=365 * 5), tick=False):
        assert case_retention() == {"warned": 0, "purged": 0}
    assert Concern.objects.get(pk=closed_case.pk).narrative.startswith("Dorota")


def test_lead_is_warned_a_month_ahead_once(closed_case, lead):
    expires = CLOSED_ON.replace(year=2025)
    with time_machine.travel(expires - datetime.timedelta(days=40), tick=False):
        assert case_retention()["warned"] == 0
    with time_machine.travel(expires - datetime.timedelta(days=29), tick=False):
        assert case_retention() == {"warned": 1, "purged": 0}
        assert case_retention() == {"warned": 0, "purged": 0}
    with time_machine.travel(expires - datetime.timedelta(days=10), tick=False):
        assert case_retention() == {"warned": 0, "purged": 0}
    notes = Notification.objects.filter(recipient=lead, subject__startswith="Retention:")
    assert notes.count() == 1
    assert closed_case.reference in notes.get().subject and "3 Jun 2025" in notes.get().subject
    # Through the outbox, like every email.
    assert OutboxMessage.objects.filter(to=lead.email, subject=notes.get().subject).count() == 1


def test_legal_hold_prevents_the_purge(closed_case, client, login, lead):
    login(lead)
    url = reverse("safeguarding:case_action", args=[closed_case.reference, "legal_hold"])
    # A hold needs a reason; the page says so.
    response = client.post(url, {"legal_hold-hold": "1", "legal_hold-reason": ""})
    assert response.status_code == 400
    assert "Say why the case must be kept" in response.content.decode()
    client.post(url, {"legal_hold-hold": "1", "legal_hold-reason": "Employment tribunal claim ET/42"})
    assert Concern.objects.get(pk=closed_case.pk).legal_hold
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=7 * 365), tick=False):
        assert case_retention() == {"warned": 0, "purged": 0}
    concern = Concern.objects.get(pk=closed_case.pk)
    assert concern.narrative.startswith("Dorota") and not PurgeLog.objects.exists()
    assert "Legal hold" in client.get(concern.get_absolute_url()).content.decode()
    # Lifted, the next run purges it.
    client.post(url, {"legal_hold-hold": "0", "legal_hold-reason": ""})
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=7 * 365), tick=False):
        assert case_retention()["purged"] == 1


def test_only_the_lead_places_a_legal_hold(closed_case, client, login, team_member):
    closed_case.subject_type = SubjectType.SERVICE_USER
    closed_case.save()
    login(team_member)
    url = reverse("safeguarding:case_action", args=[closed_case.reference, "legal_hold"])
    response = client.post(url, {"legal_hold-hold": "1", "legal_hold-reason": "x"})
    assert response.status_code == 403
    assert not Concern.objects.get(pk=closed_case.pk).legal_hold


def test_rules_per_outcome_and_channel_most_specific_wins(closed_case):
    RetentionRule.objects.create(outcome="", channel=Channel.STAFF_FORM, months=120, note="Staff reports")
    RetentionRule.objects.create(outcome=Outcome.SUBSTANTIATED, channel="", months=24, note="")
    # Outcome beats channel: two years after closure it is purged under the substantiated rule.
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=2 * 365 + 2), tick=False):
        assert case_retention()["purged"] == 1
    assert PurgeLog.objects.get().rule == "Substantiated, any channel: 24 months after closure"


def test_open_cases_are_never_purged(lead, reporter):
    with time_machine.travel(CLOSED_ON, tick=False):
        concern = services.concern_submit(
            reporter=reporter,
            channel=Channel.STAFF_FORM,
            subject_type=SubjectType.STAFF,
            indicators=[],
            narrative="Still open.",
        )
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=20 * 365), tick=False):
        assert case_retention() == {"warned": 0, "purged": 0}
    assert Concern.objects.get(pk=concern.pk).narrative == "Still open."


def test_access_log_rows_past_retention_are_deleted(closed_case, lead, settings):
    from compliance.tasks import access_log_retention

    settings.ACCESS_LOG_RETENTION_MONTHS = 24
    for at in (CLOSED_ON, CLOSED_ON + datetime.timedelta(days=400)):
        AccessLog.objects.create(user=lead, action=AccessLog.Action.VIEW, object_repr=closed_case.reference, at=at)
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=2 * 365 + 5), tick=False):
        assert access_log_retention() == 1
        assert access_log_retention() == 0
    assert AccessLog.objects.get().at.date() == (CLOSED_ON + datetime.timedelta(days=400)).date()


def test_case_page_tells_the_lead_when_content_goes(closed_case, client, login, lead):
    login(lead)
    html = client.get(closed_case.get_absolute_url()).content.decode()
    assert "removed on 3 Jun 2025" in html
    assert timezone.now()  # the page rendered for the Lead only
