"""Writes for reporting: the s.54 statement workflow and the action plan it feeds.

Every transition checks who acts and from which status, writes the statement's
timeline and tells the next person in the chain. Governance records and the
Board report have their own modules (`governance.py`, `board_reports.py`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.models import User
from compliance.roles import BOARD_MEMBER, DIRECTOR, MODERN_SLAVERY_LEAD
from compliance.services import notification_send, organisation_get
from reporting import kpis, periods, prefill
from reporting import rules as rr
from reporting.models import STATEMENT_TEXT_FIELDS, ActionPlanItem, GovernanceMeeting, Statement, StatementEvent

S = Statement.Status


def _check(predicate, actor, what: str) -> None:
    if not predicate.test(actor):
        raise PermissionDenied(f"Your role cannot {what}.")


def _require_status(statement: Statement, *allowed: str, action: str) -> None:
    if statement.status not in allowed:
        names = ", ".join(S(s).label.lower() for s in allowed)
        raise ValidationError(
            f"A statement that is {statement.get_status_display().lower()} cannot be {action}; it must be {names}."
        )


def _event(statement: Statement, actor, action: str, detail: str = "") -> None:
    StatementEvent.objects.create(statement=statement, actor=actor, action=action, detail=detail[:500])


def _role_members(*role_names: str) -> list[User]:
    return list(User.objects.in_role(*role_names))


def _statement_url(statement: Statement) -> str:
    return reverse("reporting:statement_detail", args=[statement.pk])


def public_statement_url(financial_year: int) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{reverse('reporting:public_statement', args=[financial_year])}"


def statement_create(*, actor: User, financial_year: int) -> Statement:
    """Start the year's statement as a draft, pre-filled with live figures."""
    _check(rr.can_draft_statement, actor, "draft a statement")
    organisation = organisation_get()
    if Statement.objects.filter(financial_year=financial_year).exists():
        raise ValidationError("There is already a statement for that financial year: open it or make a new version.")
    period = periods.financial_year(organisation, financial_year)
    figures = kpis.compute(period)
    previous = (
        Statement.objects.filter(financial_year__lt=financial_year, status__in=[S.PUBLISHED, S.SIGNED, S.APPROVED])
        .order_by("-financial_year", "-version")
        .first()
    )
    fields = prefill.statement_fields(organisation=organisation, period=period, figures=figures, previous=previous)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                financial_year=financial_year,
                period_start=period.start,
                period_end=period.end,
                created_by=actor,
                years_producing=(previous.years_producing + 1) if previous else 1,
                **fields,
            )
            _event(statement, actor, "created", f"Draft started for {period.label}, pre-filled with live figures.")
    except IntegrityError:
        # Someone else started the same year a moment ago: the constraint on (year, version) caught it.
        raise ValidationError("There is already a statement for that financial year: open it or make a new version.")
    return statement


def statement_carry_forward(*, actor: User, financial_year: int) -> Statement:
    """Create the year's statement from last year's with "no change from last year" (as the NHS seed does)."""
    _check(rr.can_draft_statement, actor, "draft a statement")
    organisation = organisation_get()
    if Statement.objects.filter(financial_year=financial_year).exists():
        raise ValidationError("There is already a statement for that financial year.")
    source = (
        Statement.objects.filter(financial_year=financial_year - 1, status__in=[S.PUBLISHED, S.SIGNED, S.APPROVED])
        .order_by("-version")
        .first()
    )
    if source is None:
        raise ValidationError("There is no approved statement for the previous financial year to carry forward.")
    period = periods.financial_year(organisation, financial_year)
    with transaction.atomic():
        statement = Statement(
            financial_year=financial_year,
            period_start=period.start,
            period_end=period.end,
            created_by=actor,
            carried_forward=True,
            carried_from=source,
            years_producing=source.years_producing + 1,
        )
        for field in STATEMENT_TEXT_FIELDS:
            setattr(statement, field, getattr(source, field))
        statement.title = prefill.statement_title(organisation, period)
        try:
            with transaction.atomic():
                statement.save()
        except IntegrityError:
            raise ValidationError("There is already a statement for that financial year.")
        _event(statement, actor, "carried forward", f"No change from the {source.year_label} statement.")
    return statement


def statement_update(*, statement: Statement, actor: User, data: dict) -> Statement:
    """Edit a draft; approved text is frozen and needs a new version."""
    _check(rr.can_draft_statement, actor, "edit a statement")
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.is_frozen:
            raise ValidationError(
                "This statement has been approved and its text is frozen. Make a new version to change it."
            )
        changed = [
            field
            for field, value in data.items()
            if field in STATEMENT_TEXT_FIELDS and getattr(statement, field) != value
        ]
        for field in changed:
            setattr(statement, field, data[field])
        if "years_producing" in data:
            statement.years_producing = data["years_producing"]
        statement.save()
        if changed:
            labels = [Statement._meta.get_field(f).verbose_name for f in changed]
            _event(statement, actor, "edited", "Changed: " + ", ".join(labels))
    return statement


def statement_approve(
    *,
    statement: Statement,
    actor: User,
    approved_on: datetime.date,
    meeting: GovernanceMeeting | None = None,
    minute: str = "",
) -> Statement:
    """Record the Board's approval (date and meeting); from here the text is frozen."""
    _check(rr.can_approve_statement, actor, "approve a statement")
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": "The approval date cannot be in the future."})
    if meeting is None and not minute.strip():
        raise ValidationError(
            {"meeting": "Choose the meeting that approved the statement, or give the minute reference."}
        )
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, S.DRAFT, action="approved")
        statement.status = S.APPROVED
        statement.approved_on = approved_on
        statement.approved_meeting = meeting
        statement.approved_minute = minute.strip()
        statement.approved_recorded_by = actor
        statement.save()
        where = str(meeting) if meeting else statement.approved_minute
        _event(statement, actor, "approved", f"Approved by the Board on {approved_on:%d %B %Y} ({where}).")
        notification_send(
            recipients=_role_members(DIRECTOR),
            subject=f"Statement {statement.year_label} approved: ready for a Director to sign",
            context={"message": f"The Board approved the {statement.year_label} statement. A Director must sign it."},
            url=_statement_url(statement),
        )
    return statement


def statement_sign(*, statement: Statement, actor: User, signatory_title: str, signed_on: datetime.date) -> Statement:
    """A Director signs the approved statement (s.54(6))."""
    _check(rr.can_sign_statement, actor, "sign a statement (only a Director can)")
    if not signatory_title.strip():
        raise ValidationError({"signatory_title": "Give the job title that will appear under the signature."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The signature date cannot be in the future."})
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, S.APPROVED, action="signed")
        if statement.approved_on and signed_on < statement.approved_on:
            raise ValidationError({"signed_on": "The statement cannot be signed before the Board approved it."})
        statement.status = S.SIGNED
        statement.signed_by = actor
        statement.signatory_name = actor.full_name
        statement.signatory_title = signatory_title.strip()
        statement.signed_on = signed_on
        statement.save()
        _event(statement, actor, "signed", f"Signed by {actor.full_name}, {statement.signatory_title}.")
        notification_send(
            recipients=_role_members(MODERN_SLAVERY_LEAD),
            subject=f"Statement {statement.year_label} signed: ready to publish",
            context={"message": "The statement has been signed. Publish it on the website and the GOV.UK registry."},
            url=_statement_url(statement),
        )
    return statement


def statement_publish(*, statement: Statement, actor: User, published_on: datetime.date, url: str = "") -> Statement:
    """Publish a signed statement at its public URL; an earlier published version of the year is superseded."""
    _check(rr.can_publish_statement, actor, "publish a statement")
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, S.SIGNED, action="published")
        if statement.signed_on and published_on < statement.signed_on:
            raise ValidationError({"published_on": "The statement cannot be published before it was signed."})
        Statement.objects.filter(financial_year=statement.financial_year, status=S.PUBLISHED).exclude(
            pk=statement.pk
        ).update(status=S.SUPERSEDED)
        statement.status = S.PUBLISHED
        statement.published_on = published_on
        statement.published_url = url.strip() or public_statement_url(statement.financial_year)
        statement.save()
        _event(statement, actor, "published", f"Published at {statement.published_url}.")
        notification_send(
            recipients=_role_members(BOARD_MEMBER, DIRECTOR),
            subject=f"Statement {statement.year_label} published",
            context={"message": f"The statement is published at {statement.published_url}."},
            url=_statement_url(statement),
        )
    return statement


def statement_new_version(*, statement: Statement, actor: User) -> Statement:
    """Start a new draft version from an approved, signed or published statement (its text stays frozen)."""
    _check(rr.can_draft_statement, actor, "make a new version")
    with transaction.atomic():
        _require_status(statement, S.APPROVED, S.SIGNED, S.PUBLISHED, action="given a new version")
        if Statement.objects.filter(financial_year=statement.financial_year, status=S.DRAFT).exists():
            raise ValidationError("There is already a draft version for this financial year: edit that one.")
        latest = Statement.objects.filter(financial_year=statement.financial_year).order_by("-version").first()
        new = Statement(
            financial_year=statement.financial_year,
            version=latest.version + 1,
            period_start=statement.period_start,
            period_end=statement.period_end,
            created_by=actor,
            previous_version=statement,
            carried_forward=statement.carried_forward,
            carried_from=statement.carried_from,
            years_producing=statement.years_producing,
        )
        for field in STATEMENT_TEXT_FIELDS:
            setattr(new, field, getattr(statement, field))
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise ValidationError("Someone else has just started a new version: refresh the page.")
        _event(new, actor, "new version", f"Version {new.version} started from version {statement.version}.")
        _event(statement, actor, "new version started", f"Version {new.version} is being drafted.")
    return new


def action_items_from_statement(
    *, statement: Statement, actor: User, owner: User, due_on: datetime.date
) -> list[ActionPlanItem]:
    """Turn the statement's "next steps" into action plan items for the next year (once per step)."""
    _check(rr.can_manage_governance, actor, "create actions")
    created = []
    with transaction.atomic():
        # Read the steps as stored, not as the caller's copy last saw them.
        statement = Statement.objects.get(pk=statement.pk)
        existing = set(ActionPlanItem.objects.filter(source_statement=statement).values_list("title", flat=True))
        for line in statement.next_step_lines():
            title = line[:300]
            if title in existing:
                continue
            created.append(
                ActionPlanItem.objects.create(
                    title=title,
                    owner=owner,
                    due_on=due_on,
                    financial_year=statement.financial_year + 1,
                    source_statement=statement,
                )
            )
            existing.add(title)
        if created:
            _event(statement, actor, "actions created", f"{len(created)} next step(s) added to the action plan.")
    return created
