"""Overdue cases: the Lead and the assignee are told, then the Lead's deputy a threshold later."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import User
from safeguarding import selectors
from safeguarding.models import Stage
from safeguarding.services.common import case_notify, reminder_entry_add


def case_sla_escalate(*, now: datetime.datetime | None = None) -> int:
    """Tell the Lead (and assignee) about each overdue case, then the Compliance admin a threshold later; safe to rerun."""
    now = now or timezone.now()
    deputy_after = datetime.timedelta(hours=settings.CASE_SLA_DEPUTY_AFTER_HOURS)
    leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
    deputies = list(User.objects.in_role(roles.COMPLIANCE_ADMIN))
    told = 0
    overdue = selectors.overdue_cases(now=now)
    for concern in overdue:
        # The due date is in the key: a re-triaged or reopened case starts a new clock.
        key = f"safeguarding:sla:{concern.pk}:{concern.stage}:{concern.due_at:%Y%m%d%H%M}"
        stage = Stage(concern.stage).label
        due = timezone.localtime(concern.due_at)
        with transaction.atomic():
            sent = case_notify(
                recipients=[*leads, concern.assignee],
                concern=concern,
                subject=f"Overdue: {stage.lower()} of {concern.reference}",
                message=f"{stage} of case {concern.reference} was due by {due:%d %b %Y %H:%M} and is overdue.",
                dedupe_key=f"{key}:lead",
            )
            if now >= concern.due_at + deputy_after:
                sent += case_notify(
                    recipients=deputies,
                    concern=concern,
                    subject=f"Escalation: {stage.lower()} of {concern.reference} still overdue",
                    message=f"{stage} of case {concern.reference} was due by {due:%d %b %Y %H:%M}; "
                    "the Lead has been told and it is still overdue. As the Lead's deputy, please follow it up.",
                    url=reverse("notifications"),  # the deputy has no case access; the Lead acts
                    dedupe_key=f"{key}:deputy",
                )
            reminder_entry_add(concern, sent, f"{stage} overdue: told {{who}}.")
        told += len(sent)
    return told
