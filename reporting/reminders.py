"""Reminders about reporting deadlines: the statement's six-month deadline and risk register reviews.

Run daily by Celery beat (reporting/tasks.py). Every reminder carries a
dedupe_key, so a rerun never tells anyone twice.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from compliance.models import User
from compliance.roles import BOARD_MEMBER, DIRECTOR, MODERN_SLAVERY_LEAD
from compliance.services import notification_send, organisation_get
from reporting import periods
from reporting.models import RiskRegisterEntry, RiskRegisterReview, Statement

# Days before (negative) or after the six-month deadline at which the Lead and
# the Board are reminded; the first three follow the GOV.UK registry's own.
DEADLINE_STAGES = (-30, -14, -7, 0, 30, 60, 90)
RISK_REVIEW_NOTICE_DAYS = 14
REGISTER_REVIEW_NOTICE_DAYS = 30


def statement_deadline_remind(*, today: datetime.date | None = None) -> int:
    """Remind the Lead and the Board until last year's statement is on the GOV.UK registry; one reminder per stage."""
    today = today or timezone.localdate()
    organisation = organisation_get()
    year = periods.financial_year_containing(organisation, today) - 1
    # Publishing on our own site is not the end: reminders stop when the registry submission is recorded.
    if Statement.objects.filter(financial_year=year, registry_submitted_on__isnull=False).exists():
        return 0
    deadline = periods.statement_deadline(organisation, year)
    reached = [stage for stage in DEADLINE_STAGES if today >= deadline + datetime.timedelta(days=stage)]
    if not reached:
        return 0
    # Only the latest stage reached: a first run late in the cycle sends one reminder, not a burst.
    stage = reached[-1]
    label = periods.financial_year(organisation, year).label
    overdue = (today - deadline).days
    if overdue < 0:
        subject = f"Modern slavery statement {label} is due by {deadline:%-d %B %Y}"
    elif overdue == 0:
        subject = f"Modern slavery statement {label} is due today and not yet on the GOV.UK registry"
    else:
        subject = f"Modern slavery statement {label} is {overdue} day{'s' if overdue != 1 else ''} overdue"
    sent = notification_send(
        recipients=User.objects.in_role(MODERN_SLAVERY_LEAD, BOARD_MEMBER, DIRECTOR),
        subject=subject,
        context={
            "message": f"{subject}. Home Office guidance expects the statement, approved by the "
            f"{organisation.approving_body} and signed by a {organisation.signatory_label}, to be published on "
            "our website and submitted to the GOV.UK registry within six months of the year end. It should be "
            "submitted by then (s.54 itself sets no date)."
        },
        url=reverse("reporting:statement_list"),
        dedupe_key=f"statement-deadline:{year}:{stage}",
    )
    return len(sent)


def risk_reviews_remind(*, today: datetime.date | None = None) -> int:
    """Tell risk owners (and the Lead) when a risk review is due soon or overdue, and the Lead when the annual review is."""
    today = today or timezone.localdate()
    leads = User.objects.in_role(MODERN_SLAVERY_LEAD)
    count = 0
    due = RiskRegisterEntry.objects.filter(
        status=RiskRegisterEntry.Status.OPEN, review_due__lte=today + datetime.timedelta(days=RISK_REVIEW_NOTICE_DAYS)
    ).select_related("owner")
    for entry in due:
        overdue = entry.review_due < today
        subject = f"Risk review {'overdue' if overdue else 'due'}: {entry.title} ({entry.review_due:%d %B %Y})"
        count += len(
            notification_send(
                recipients=[entry.owner, *leads],
                subject=subject,
                context={"message": f"{subject}. Record the review on the risk register."},
                url=entry.get_absolute_url(),
                dedupe_key=f"risk-review:{entry.pk}:{entry.review_due.isoformat()}:{'overdue' if overdue else 'due'}",
            )
        )
    last = RiskRegisterReview.objects.order_by("-reviewed_on", "-pk").first()
    register_due = last.next_review_due if last else None
    if register_due is None or register_due <= today + datetime.timedelta(days=REGISTER_REVIEW_NOTICE_DAYS):
        when = f"due on {register_due:%d %B %Y}" if register_due else "has never been recorded"
        count += len(
            notification_send(
                recipients=leads,
                subject=f"Annual risk register review {when}",
                context={"message": "Review the whole modern slavery risk register and record what changed."},
                url=reverse("reporting:risk_list"),
                dedupe_key=f"register-review:{register_due.isoformat() if register_due else 'never'}",
            )
        )
    return count
