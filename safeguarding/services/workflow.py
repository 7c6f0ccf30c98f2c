"""The six case transitions (triage, investigate, refer, close, reopen, reassess), each through `_transition`."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from compliance import roles
from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding.models import Concern, Outcome, RiskLevel, Stage, Status, TimelineEntry
from safeguarding.services.common import (
    case_lock,
    case_notify,
    case_permission_check,
    case_source_check,
    reporter_tell,
    timeline_entry_add,
)
from safeguarding.services.sla import sla_due_at

# Every state from which a case is still being worked (after triage, before closing).
WORKED = (Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED)
NOW_STATUS = gettext_noop("Your report %(reference)s is now: %(status)s.")
ASSIGNEE_ROLES = (roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM)


def _transition(
    concern: Concern,
    *,
    actor: User,
    rule,
    refusal: str,
    errors: dict[str, list[str]] | None = None,
    sources: Iterable[Status],
    verb: str,
    change: Callable[[Concern], str],
    notify: Callable[[Concern, Concern], None] | None = None,
    reporter_message: str = "",
    kind: TimelineEntry.Kind = TimelineEntry.Kind.STATUS,
) -> Concern:
    """The one skeleton of a transition: who may, valid input, lock, allowed source state, change, timeline, notify.

    `change` edits the locked case and returns the timeline text (raising
    ValidationError rolls everything back); `notify(case, before)` sees the
    case before and after; `reporter_message` is a catalogue msgid for a
    signed-in reporter.
    """
    case_permission_check(rule, actor, concern, refusal)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = case_lock(concern)
        case_source_check(concern, sources, verb)
        before = copy.copy(concern)
        body = change(concern)
        concern.save()
        moved = kind == TimelineEntry.Kind.STATUS
        timeline_entry_add(
            concern,
            kind=kind,
            author=actor,
            body=body,
            from_status=before.status if moved else "",
            to_status=concern.status if moved else "",
        )
        if notify is not None:
            notify(concern, before)
        if reporter_message:
            reporter_tell(concern, reporter_message)
    return concern


def _assignment_errors(risk_level: str, assignee: User | None) -> dict[str, list[str]]:
    errors = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose a risk level."]
    if assignee is not None and not assignee.has_role(*ASSIGNEE_ROLES):
        errors["assignee"] = ["Assign the case to the Lead or a member of the Safeguarding team."]
    return errors


def concern_triage(
    *, concern: Concern, actor: User, risk_level: str, assignee: User | None, note: str = "", linked_supplier=None
) -> Concern:
    """Set the risk level and assignee of a new case and start the investigation clock."""

    def change(case: Concern) -> str:
        now = timezone.now()
        case.status = Status.TRIAGED
        case.risk_level = risk_level
        case.assignee = assignee
        if linked_supplier is not None:
            case.linked_supplier = linked_supplier
        case.triaged_at = now
        case.due_at = sla_due_at(stage=Stage.INVESTIGATION, risk_level=risk_level, start=now)
        body = f"Triaged: risk {case.get_risk_level_display().lower()}, assigned to {assignee or 'nobody yet'}."
        return body + (f"\n{note.strip()}" if note.strip() else "")

    def notify(case: Concern, before: Concern) -> None:
        if assignee is not None and assignee != actor:
            case_notify(
                recipients=[assignee],
                concern=case,
                subject=f"Case {case.reference} assigned to you",
                message=f"You were assigned a {case.get_risk_level_display().lower()} risk case. "
                f"Investigation is due by {timezone.localtime(case.due_at):%d %b %Y}.",
            )

    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_triage_case,
        refusal="Only the Modern Slavery Lead triages cases.",
        errors=_assignment_errors(risk_level, assignee),
        sources={Status.NEW},
        verb="triaged",
        change=change,
        notify=notify,
        reporter_message=NOW_STATUS,
    )


def concern_investigate(*, concern: Concern, actor: User, note: str = "") -> Concern:
    """Start investigating a triaged case."""

    def change(case: Concern) -> str:
        case.status = Status.INVESTIGATING
        if case.assignee_id is None:
            case.assignee = actor
        return note.strip() or "Investigation started."

    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_work_case,
        refusal="You cannot work on this case.",
        sources={Status.TRIAGED},
        verb="moved to investigating",
        change=change,
        reporter_message=NOW_STATUS,
    )


def concern_refer(*, concern: Concern, actor: User, note: str = "") -> Concern:
    """Mark a case as referred to an outside body; a referral must be recorded first."""

    def change(case: Concern) -> str:
        if not case.referrals.exists():
            raise ValidationError(
                "Record the referral (who to, when, consent) before marking the case as referred.", code="no_referral"
            )
        case.status = Status.REFERRED
        # The case now waits on the outside body; no internal clock runs.
        case.due_at = None
        return note.strip() or "Case referred."

    def notify(case: Concern, before: Concern) -> None:
        case_notify(
            recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD),
            concern=case,
            subject=f"Case {case.reference} referred",
            message="The case was referred to an outside body.",
        )

    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_work_case,
        refusal="You cannot work on this case.",
        sources={Status.TRIAGED, Status.INVESTIGATING},
        verb="marked as referred",
        change=change,
        notify=notify,
        reporter_message=NOW_STATUS,
    )


def concern_close(*, concern: Concern, actor: User, outcome: str, summary: str) -> Concern:
    """Close a case with an outcome and a summary (the Lead's decision)."""
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose the outcome before closing the case."]
    if not (summary or "").strip():
        errors["summary"] = ["Write a short summary of what was found and done."]

    def change(case: Concern) -> str:
        case.status = Status.CLOSED
        case.outcome = outcome
        case.closing_summary = summary.strip()
        case.closed_at = timezone.now()
        case.due_at = None
        return f"Closed: {case.get_outcome_display().lower()}.\n{case.closing_summary}"

    def notify(case: Concern, before: Concern) -> None:
        case_notify(
            recipients=User.objects.in_role(roles.MODERN_SLAVERY_LEAD).exclude(pk=actor.pk),
            concern=case,
            subject=f"Case {case.reference} closed",
            message=f"The case was closed ({case.get_outcome_display().lower()}).",
        )

    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_close_case,
        refusal="Only the Modern Slavery Lead closes cases.",
        errors=errors,
        sources=WORKED,
        verb="closed",
        change=change,
        notify=notify,
        reporter_message=gettext_noop("Your report %(reference)s is now closed. Thank you for speaking up."),
    )


def concern_reopen(*, concern: Concern, actor: User, reason: str) -> Concern:
    """Reopen a closed case for investigation, with a reason."""
    errors = {} if (reason or "").strip() else {"reason": ["Say why the case is being reopened."]}

    def change(case: Concern) -> str:
        case.status = Status.INVESTIGATING
        case.outcome = ""
        case.closed_at = None
        case.due_at = sla_due_at(stage=Stage.INVESTIGATION, risk_level=case.risk_level, start=timezone.now())
        return f"Reopened: {reason.strip()}"

    def notify(case: Concern, before: Concern) -> None:
        if case.assignee_id and case.assignee != actor:
            case_notify(
                recipients=[case.assignee],
                concern=case,
                subject=f"Case {case.reference} reopened",
                message="A case assigned to you was reopened.",
            )

    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_triage_case,
        refusal="Only the Modern Slavery Lead reopens cases.",
        errors=errors,
        sources={Status.CLOSED},
        verb="reopened",
        change=change,
        notify=notify,
        reporter_message=gettext_noop("Your report %(reference)s was reopened and is being investigated again."),
    )


def concern_reassess(*, concern: Concern, actor: User, risk_level: str, assignee: User | None, reason: str) -> Concern:
    """The Lead changes the risk level or the assignee of a triaged, open case, with a reason."""
    errors = _assignment_errors(risk_level, assignee)
    if not (reason or "").strip():
        errors["reason"] = ["Say why the risk or assignment changes."]

    def change(case: Concern) -> str:
        changes = []
        if risk_level != case.risk_level:
            changes.append(f"risk {case.get_risk_level_display().lower()} → {RiskLevel(risk_level).label.lower()}")
            case.risk_level = risk_level
            if case.due_at is not None:
                # The investigation clock follows the new risk, counted from triage.
                case.due_at = sla_due_at(
                    stage=Stage.INVESTIGATION, risk_level=risk_level, start=case.triaged_at or timezone.now()
                )
        if assignee != case.assignee:
            changes.append(f"assignee {case.assignee or 'nobody'} → {assignee or 'nobody'}")
            case.assignee = assignee
        if not changes:
            raise ValidationError("Nothing changed: choose a different risk level or assignee.", code="no_change")
        return f"Reassessed: {'; '.join(changes)}.\n{reason.strip()}"

    def notify(case: Concern, before: Concern) -> None:
        if assignee is not None and assignee.pk != before.assignee_id and assignee != actor:
            case_notify(
                recipients=[assignee],
                concern=case,
                subject=f"Case {case.reference} assigned to you",
                message=f"You were assigned a {case.get_risk_level_display().lower()} risk case.",
            )

    # A change of risk or assignee is not a move between states: a note, not a status line.
    return _transition(
        concern,
        actor=actor,
        rule=case_rules.can_triage_case,
        refusal="Only the Modern Slavery Lead changes risk and assignment.",
        errors=errors,
        sources=WORKED,
        verb="reassessed",
        change=change,
        notify=notify,
        kind=TimelineEntry.Kind.NOTE,
    )
