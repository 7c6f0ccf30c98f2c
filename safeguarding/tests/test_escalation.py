"""SLA escalation: the Lead is told once when a case is overdue, the deputy once a threshold later."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from safeguarding import services, tasks
from safeguarding.models import Outcome, SubjectType, TimelineEntry

pytestmark = pytest.mark.django_db

# A Monday morning, so working days are easy to count.
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _run(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.case_sla_escalation.delay().get()


def _recipients():
    return sorted(m.to[0] for m in mail.outbox)


def test_critical_triage_overdue_after_4_hours_then_deputy(
    submit, lead, deputy, team_member, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        concern = submit(immediate_danger=True)
    assert concern.due_at == START + datetime.timedelta(hours=4)
    mail.outbox.clear()

    # Not yet due: nothing.
    _run(START + datetime.timedelta(hours=3), django_capture_on_commit_callbacks)
    assert mail.outbox == []

    # Overdue: the Lead is told, once, however often the task runs.
    _run(START + datetime.timedelta(hours=5), django_capture_on_commit_callbacks)
    assert _recipients() == [lead.email]
    assert "Overdue: triage of " + concern.reference in mail.outbox[0].subject
    for hours in (6, 7, 8):
        _run(START + datetime.timedelta(hours=hours), django_capture_on_commit_callbacks)
    assert _recipients() == [lead.email]

    # Still overdue 24 hours after the deadline: the deputy is told, once.
    _run(START + datetime.timedelta(hours=4 + 24, minutes=1), django_capture_on_commit_callbacks)
    _run(START + datetime.timedelta(hours=4 + 30), django_capture_on_commit_callbacks)
    assert _recipients() == sorted([lead.email, deputy.email])
    assert mail.outbox[-1].subject.startswith("Escalation:")
    assert concern.timeline.filter(kind=TimelineEntry.Kind.ESCALATION).count() == 2


def test_medium_triage_allows_three_working_days(submit, lead, django_capture_on_commit_callbacks):
    friday = START + datetime.timedelta(days=4)
    with time_machine.travel(friday, tick=False):
        concern = submit()
    # Friday + 3 working days = Wednesday, same time.
    assert timezone.localtime(concern.due_at).weekday() == 2
    mail.outbox.clear()
    _run(friday + datetime.timedelta(days=4), django_capture_on_commit_callbacks)  # Tuesday
    assert mail.outbox == []
    _run(friday + datetime.timedelta(days=5, hours=1), django_capture_on_commit_callbacks)
    assert _recipients() == [lead.email]


def test_investigation_clock_starts_at_triage_and_tells_assignee(
    submit, lead, team_member, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        concern = submit(subject_type=SubjectType.SERVICE_USER)
        concern = services.concern_triage(concern=concern, actor=lead, risk_level="high", assignee=team_member)
    mail.outbox.clear()
    # High risk: 5 working days to investigate.
    _run(START + datetime.timedelta(days=7, hours=1), django_capture_on_commit_callbacks)
    assert _recipients() == sorted([lead.email, team_member.email])
    assert "investigation" in mail.outbox[0].subject


def test_closed_cases_are_not_escalated(submit, lead, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        concern = submit(immediate_danger=True)
        concern = services.concern_triage(concern=concern, actor=lead, risk_level="low", assignee=lead)
        services.concern_close(concern=concern, actor=lead, outcome=Outcome.NOT_SUBSTANTIATED, summary="Spoke to all.")
    mail.outbox.clear()
    _run(START + datetime.timedelta(days=60), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_statistics_time_to_triage_and_close(submit, lead):
    from safeguarding.selectors import concern_statistics

    with time_machine.travel(START, tick=False):
        concern = submit()
    with time_machine.travel(START + datetime.timedelta(hours=6), tick=False):
        concern = services.concern_triage(concern=concern, actor=lead, risk_level="low", assignee=lead)
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        services.concern_close(concern=concern, actor=lead, outcome=Outcome.NO_FURTHER_ACTION, summary="Checked.")
    stats = concern_statistics()
    assert stats["average_hours_to_triage"] == 6.0
    assert stats["average_days_to_close"] == 3.0
    assert stats["by_outcome"] == {"no_further_action": 1}
    assert stats["by_channel"] == {"staff_form": 1}
