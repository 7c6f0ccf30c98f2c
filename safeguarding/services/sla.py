"""Service-level deadlines for triage and investigation, from settings.CASE_SLA."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from safeguarding.models import RiskLevel, Stage


def working_days_add(start: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days (Monday to Friday) after `start`."""
    result = start
    while days > 0:
        result += datetime.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def sla_due_at(*, stage: Stage, risk_level: str, start: datetime.datetime) -> datetime.datetime:
    """When a stage (triage or investigation) must be done for a risk level, from settings.CASE_SLA."""
    amount, unit = settings.CASE_SLA[stage][risk_level or RiskLevel.MEDIUM]
    if unit == "h":
        return start + datetime.timedelta(hours=amount)
    return working_days_add(timezone.localtime(start), amount)


def provisional_risk(*, immediate_danger: bool) -> RiskLevel:
    """The risk a new concern is timed by until the Lead triages it."""
    return RiskLevel.CRITICAL if immediate_danger else RiskLevel.MEDIUM
