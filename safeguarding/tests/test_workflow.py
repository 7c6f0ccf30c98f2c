"""Case workflow: each allowed and each refused transition, through the services and the pages."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safeguarding import services
from safeguarding.models import Outcome, Status, TimelineEntry
from safeguarding.tests.factories import ConcernFactory, ReferralFactory

pytestmark = pytest.mark.django_db

ALL = set(Status.values)


def _case(status, **kw):
    concern = ConcernFactory(status=status, risk_level="" if status == Status.NEW else "high", **kw)
    if status in {Status.REFERRED}:
        ReferralFactory(concern=concern)
    return concern


def _triage(concern, lead, team_member):
    return services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=team_member)


def _investigate(concern, lead, team_member):
    return services.concern_investigate(concern=concern, actor=lead)


def _refer(concern, lead, team_member):
    if not concern.referrals.exists():
        ReferralFactory(concern=concern)
    return services.concern_refer(concern=concern, actor=lead)


def _close(concern, lead, team_member):
    return services.concern_close(concern=concern, actor=lead, outcome=Outcome.NO_FURTHER_ACTION, summary="Checked.")


def _reopen(concern, lead, team_member):
    return services.concern_reopen(concern=concern, actor=lead, reason="New information from the family.")


TRANSITIONS = {
    "triage": (_triage, {Status.NEW}, Status.TRIAGED),
    "investigate": (_investigate, {Status.TRIAGED}, Status.INVESTIGATING),
    "refer": (_refer, {Status.TRIAGED, Status.INVESTIGATING}, Status.REFERRED),
    "close": (_close, {Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED}, Status.CLOSED),
    "reopen": (_reopen, {Status.CLOSED}, Status.INVESTIGATING),
}


@pytest.mark.parametrize(
    ("name", "source"),
    [(name, source) for name, (_, allowed, _) in TRANSITIONS.items() for source in sorted(allowed)],
)
def test_allowed_transition_moves_and_writes_timeline(name, source, lead, team_member):
    action, _, target = TRANSITIONS[name]
    concern = _case(source)
    concern = action(concern, lead, team_member)
    concern.refresh_from_db()
    assert concern.status == target
    entry = concern.timeline.filter(kind=TimelineEntry.Kind.STATUS).last()
    assert entry.from_status == source
    assert entry.to_status == target
    assert entry.author == lead


@pytest.mark.parametrize(
    ("name", "source"),
    [(name, source) for name, (_, allowed, _) in TRANSITIONS.items() for source in sorted(ALL - allowed)],
)
def test_refused_transition_keeps_state_and_says_why(name, source, lead, team_member):
    action, _, _ = TRANSITIONS[name]
    concern = _case(source)
    with pytest.raises(ValidationError) as exc:
        action(concern, lead, team_member)
    assert "cannot be" in str(exc.value)
    concern.refresh_from_db()
    assert concern.status == source
    assert not concern.timeline.exists()


def test_triage_sets_risk_assignee_clock_and_notifies_assignee(lead, team_member, django_capture_on_commit_callbacks):
    concern = _case(Status.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.concern_triage(concern=concern, actor=lead, risk_level="critical", assignee=team_member)
    assert concern.risk_level == "critical"
    assert concern.assignee == team_member
    assert concern.due_at > concern.triaged_at
    assert [m.to for m in mail.outbox] == [[team_member.email]]
    assert "assigned to you" in mail.outbox[0].subject


def test_only_the_lead_triages(team_member):
    concern = _case(Status.NEW, subject_type="service_user")
    with pytest.raises(PermissionDenied):
        services.concern_triage(concern=concern, actor=team_member, risk_level="low", assignee=team_member)


def test_refer_needs_a_recorded_referral(lead):
    concern = _case(Status.INVESTIGATING)
    with pytest.raises(ValidationError, match="Record the referral"):
        services.concern_refer(concern=concern, actor=lead)


def test_closing_without_outcome_is_refused_with_a_message(client, login, lead):
    concern = _case(Status.INVESTIGATING)
    login(lead)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "close"]),
        {"close-outcome": "", "close-summary": "We spoke to the agency."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the outcome before closing the case." in html
    assert "We spoke to the agency." in html  # what was typed is kept
    concern.refresh_from_db()
    assert concern.status == Status.INVESTIGATING


def test_close_and_reopen_through_the_pages(client, login, lead, reporter, django_capture_on_commit_callbacks):
    concern = _case(Status.INVESTIGATING, reporter=reporter)
    login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("safeguarding:case_action", args=[concern.reference, "close"]),
            {"close-outcome": "substantiated", "close-summary": "Agency removed from the framework."},
            follow=True,
        )
    assert "Case closed." in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == Status.CLOSED and concern.outcome == "substantiated" and concern.closed_at
    # The reporter is told it closed, nothing more.
    assert any(reporter.email in m.to and "closed" in m.body for m in mail.outbox)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "reopen"]), {"reopen-reason": ""}
    )
    assert response.status_code == 400
    assert "Say why the case is being reopened." in response.content.decode()
    client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "reopen"]), {"reopen-reason": "Worker came back."}
    )
    concern.refresh_from_db()
    assert concern.status == Status.INVESTIGATING and concern.outcome == "" and concern.due_at


def test_team_member_cannot_triage_through_page(client, login, team_member):
    concern = _case(Status.NEW, subject_type="service_user")
    login(team_member)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "triage"]),
        {"triage-risk_level": "low"},
    )
    assert response.status_code == 403


def test_note_and_message_on_timeline(client, login, lead):
    concern = _case(Status.TRIAGED)
    login(lead)
    client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "note"]), {"note-body": "Called the agency."}
    )
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Called the agency." in html


# Referrals (consent, age, first responders, outcomes, chase): test_referrals.py.


def test_lead_reassigns_and_raises_risk_with_reason(
    client, login, lead, team_member, other_team_member, django_capture_on_commit_callbacks
):
    concern = services.concern_triage(concern=_case(Status.NEW), actor=lead, risk_level="low", assignee=team_member)
    login(lead)
    url = reverse("safeguarding:case_action", args=[concern.reference, "reassess"])
    response = client.post(url, {"reassess-risk_level": "critical", "reassess-assignee": other_team_member.pk})
    assert response.status_code == 400
    assert "Say why the risk or assignment changes." in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "reassess-risk_level": "critical",
                "reassess-assignee": other_team_member.pk,
                "reassess-reason": "Threats made.",
            },
        )
    concern.refresh_from_db()
    assert concern.risk_level == "critical" and concern.assignee == other_team_member
    # Critical: 2 working days from triage instead of 20.
    assert (concern.due_at - concern.triaged_at).days <= 4
    assert [m.to for m in mail.outbox] == [[other_team_member.email]]
    assert "risk low → critical" in concern.timeline.last().body


def test_team_member_cannot_reassess(client, login, team_member):
    concern = _case(Status.INVESTIGATING, assignee=team_member)
    login(team_member)
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "reassess"]),
        {"reassess-risk_level": "low", "reassess-reason": "x"},
    )
    assert response.status_code == 403


def test_assigned_team_member_works_but_does_not_close(client, login, team_member):
    concern = _case(Status.TRIAGED, assignee=team_member)
    login(team_member)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Start investigation" in html and "Close case" not in html
    client.post(reverse("safeguarding:case_action", args=[concern.reference, "investigate"]), {"investigate-note": ""})
    concern.refresh_from_db()
    assert concern.status == Status.INVESTIGATING
    response = client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "close"]),
        {"close-outcome": "substantiated", "close-summary": "Done."},
    )
    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.status == Status.INVESTIGATING
