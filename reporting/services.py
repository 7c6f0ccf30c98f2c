"""Writes for reporting: the s.54 statement workflow and the action plan it feeds.

Every transition checks who acts and from which status, writes the statement's
timeline and tells the next person in the chain. Governance records and the
Board report have their own modules (`governance.py`, `board_reports.py`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.models import User
from compliance.roles import BOARD_MEMBER, DIRECTOR, MODERN_SLAVERY_LEAD
from compliance.services import notification_send, organisation_get
from reporting import kpis, periods, prefill, registry_prefill
from reporting import rules as reporting_rules
from reporting.models import (
    STATEMENT_TEXT_FIELDS,
    ActionPlanItem,
    GovernanceMeeting,
    KpiSnapshot,
    Statement,
    StatementEvent,
)


def _check(predicate, actor, what: str) -> None:
    if not predicate.test(actor):
        raise PermissionDenied(f"Your role cannot {what}.")


def _require_status(statement: Statement, *allowed: str, action: str) -> None:
    if statement.status not in allowed:
        names = ", ".join(Statement.Status(s).label.lower() for s in allowed)
        raise ValidationError(
            f"A statement that is {statement.get_status_display().lower()} cannot be {action}; it must be {names}."
        )


def _event(statement: Statement, actor, action: StatementEvent.Action, detail: str = "") -> None:
    StatementEvent.objects.create(statement=statement, actor=actor, action=action, detail=detail[:500])


def _prefilled(organisation, period: periods.Period, previous: Statement | None) -> dict:
    """The draft text written from the period's live records (title, introduction, the six areas, progress)."""
    return prefill.statement_fields(
        organisation=organisation, period=period, figures=kpis.compute(period), previous=previous
    )


# Answers that describe the organisation rather than the year: a new year starts from last year's.
_STANDING_ANSWERS = (
    "registry_sectors",
    "other_sector",
    "policy_areas",
    "other_policies",
    "monitoring_partners",
    "statement_email",
)


def statement_create(*, actor: User, financial_year: int) -> Statement:
    """Start the year's statement as a draft, pre-filled with live figures and registry answers."""
    _check(reporting_rules.can_draft_statement, actor, "draft a statement")
    organisation = organisation_get()
    if Statement.objects.filter(financial_year=financial_year).exists():
        raise ValidationError("There is already a statement for that financial year: open it or make a new version.")
    period = periods.financial_year(organisation, financial_year)
    previous = (
        Statement.objects.filter(financial_year__lt=financial_year, status__in=Statement.APPROVED_STATUSES)
        .order_by("-financial_year", "-version")
        .first()
    )
    fields = _prefilled(organisation, period, previous)
    answers = {field: getattr(previous, field) for field in _STANDING_ANSWERS} if previous else {}
    answers.update(registry_prefill.answers(organisation=organisation, period=period))
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                financial_year=financial_year,
                period_start=period.start,
                period_end=period.end,
                created_by=actor,
                years_producing=(previous.years_producing + 1) if previous else 1,
                **fields,
                **answers,
            )
            _event(
                statement,
                actor,
                StatementEvent.Action.CREATED,
                f"Draft started for {period.label}, pre-filled with live figures.",
            )
    except IntegrityError:
        # Someone else started the same year a moment ago: the constraint on (year, version) caught it.
        raise ValidationError("There is already a statement for that financial year: open it or make a new version.")
    return statement


def _period_phrases(source: Statement, period: periods.Period) -> list[tuple[str, str]]:
    """Last year's ways of naming its period, each with this year's equivalent (longest first)."""
    old_start, old_end, new_start, new_end = source.period_start, source.period_end, period.start, period.end
    pairs = [
        (f"{old_start:%-d %B %Y} to {old_end:%-d %B %Y}", f"{new_start:%-d %B %Y} to {new_end:%-d %B %Y}"),
        (f"{old_end:%-d %B %Y}", f"{new_end:%-d %B %Y}"),
        (f"{old_start:%-d %B %Y}", f"{new_start:%-d %B %Y}"),
        (f"{old_start:%Y}/{old_end:%Y}", f"{new_start:%Y}/{new_end:%Y}"),
        (f"{old_start:%Y}-{old_end:%Y}", f"{new_start:%Y}-{new_end:%Y}"),
        (f"{old_start:%Y}-{old_end:%y}", f"{new_start:%Y}-{new_end:%y}"),
        (source.year_label, period.label),
    ]
    return [(old, new) for old, new in pairs if old and old != new]


def _renamed_period(text, phrases):
    if not isinstance(text, str):
        return text
    for old, new in phrases:
        text = text.replace(old, new)
    return text


def statement_carry_forward(*, actor: User, financial_year: int) -> Statement:
    """Create the year's statement from last year's with "no change from last year" (as the NHS seed does).

    The words carry over; what belongs to a year does not: the title, introduction and
    progress are written for the new period, every mention of last year's period is
    renamed, the registry answers read from records are re-read for the new year, and
    each section quoting last year's figures is marked until it is refreshed.
    """
    _check(reporting_rules.can_draft_statement, actor, "draft a statement")
    organisation = organisation_get()
    if Statement.objects.filter(financial_year=financial_year).exists():
        raise ValidationError("There is already a statement for that financial year.")
    source = (
        Statement.objects.filter(financial_year=financial_year - 1, status__in=Statement.APPROVED_STATUSES)
        .order_by("-version")
        .first()
    )
    if source is None:
        raise ValidationError("There is no approved statement for the previous financial year to carry forward.")
    period = periods.financial_year(organisation, financial_year)
    fresh = _prefilled(organisation, period, source)
    phrases = _period_phrases(source, period)
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
            setattr(statement, field, _renamed_period(getattr(source, field), phrases))
        statement.title = fresh["title"]
        statement.introduction = fresh["introduction"]
        statement.progress = fresh.get("progress", "")
        for field, value in registry_prefill.answers(organisation=organisation, period=period).items():
            setattr(statement, field, value)
        statement.carried_figures = [
            key for key in Statement.FIGURE_SECTIONS if any(ch.isdigit() for ch in getattr(statement, key))
        ]
        try:
            with transaction.atomic():
                statement.save()
        except IntegrityError:
            raise ValidationError("There is already a statement for that financial year.")
        _event(
            statement,
            actor,
            StatementEvent.Action.CARRIED_FORWARD,
            f"No change from the {source.year_label} statement.",
        )
    return statement


def statement_refresh_figures(*, statement: Statement, actor: User, sections: list[str] | None = None) -> Statement:
    """Rewrite carried sections from this year's records, so no figure of last year stays unmarked."""
    _check(reporting_rules.can_draft_statement, actor, "edit a statement")
    organisation = organisation_get()
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.is_frozen:
            raise ValidationError("This statement has been approved and its text is frozen.")
        keys = [key for key in (sections or statement.carried_figures) if key in Statement.FIGURE_SECTIONS]
        period = periods.Period(statement.period_start, statement.period_end, statement.year_label)
        fresh = _prefilled(organisation, period, statement.carried_from)
        for key in keys:
            setattr(statement, key, fresh[key])
        statement.carried_figures = [key for key in statement.carried_figures if key not in keys]
        statement.save()
        headings = [heading for key, heading, _ in Statement.SECTIONS if key in keys]
        _event(
            statement,
            actor,
            StatementEvent.Action.FIGURES_REFRESHED,
            "From this year's records: " + ", ".join(headings),
        )
    return statement


def statement_update(*, statement: Statement, actor: User, data: dict) -> Statement:
    """Edit a draft; approved text is frozen and needs a new version."""
    _check(reporting_rules.can_draft_statement, actor, "edit a statement")
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
        # A section the Lead has rewritten no longer carries last year's figures unseen.
        statement.carried_figures = [key for key in statement.carried_figures if key not in changed]
        if "years_producing" in data:
            statement.years_producing = data["years_producing"]
        statement.save()
        if changed:
            labels = [Statement._meta.get_field(f).verbose_name for f in changed]
            _event(statement, actor, StatementEvent.Action.EDITED, "Changed: " + ", ".join(labels))
    return statement


def statement_timing_warnings(*, statement: Statement, on: datetime.date, action: str) -> list[str]:
    """What a person approving or publishing on `on` should be told, without being stopped."""
    warnings = []
    if statement.ends_after(on):
        # s.54(4): the statement reports the steps taken "during the financial year".
        warnings.append(
            f"The financial year {statement.year_label} ends on {statement.period_end:%-d %B %Y}: a statement "
            f"{action} before then cannot describe the whole year (Modern Slavery Act 2015, s.54(4))."
        )
    if statement.carried_figures:
        warnings.append(
            f"{len(statement.carried_figures)} section(s) still quote last year's figures: refresh them first."
        )
    return warnings


def statement_approve(
    *,
    statement: Statement,
    actor: User,
    meeting: GovernanceMeeting | None,
    approved_on: datetime.date | None = None,
    minute: str = "",
) -> Statement:
    """Record approval at a meeting of the organisation's approving body; from here the text is frozen."""
    _check(reporting_rules.can_approve_statement, actor, "approve a statement")
    organisation = organisation_get()
    body = organisation.approving_body
    # s.54(6)(a) Modern Slavery Act 2015 (legislation.gov.uk/ukpga/2015/30/section/54): a body
    # corporate's statement "must be approved by the board of directors (or equivalent management
    # body)"; a committee or another forum cannot approve it, and the date is the meeting's.
    if meeting is None:
        raise ValidationError({"meeting": f"Choose the meeting of the {body} that approved the statement."})
    if meeting.body != GovernanceMeeting.Body.BOARD:
        raise ValidationError(
            {
                "meeting": f"{meeting} was a {meeting.get_body_display().lower()} meeting: only the {body} "
                "can approve the statement (Modern Slavery Act 2015, s.54(6))."
            }
        )
    approved_on = approved_on or meeting.held_on
    if approved_on != meeting.held_on:
        raise ValidationError(
            {"approved_on": f"The approval date must be the date of the meeting ({meeting.held_on:%-d %B %Y})."}
        )
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": "The approval date cannot be in the future."})
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, Statement.Status.DRAFT, action="approved")
        statement.status = Statement.Status.APPROVED
        statement.approved_on = approved_on
        statement.approved_meeting = meeting
        statement.approved_minute = minute.strip()
        statement.approved_recorded_by = actor
        statement.save()
        detail = f"Approved by the {body} on {approved_on:%d %B %Y} ({meeting}"
        detail += f", minute {statement.approved_minute})." if statement.approved_minute else ")."
        if statement.ends_after(approved_on):
            detail += " Approved before the financial year ended."
        _event(statement, actor, StatementEvent.Action.APPROVED, detail)
        label = organisation.signatory_label
        notification_send(
            recipients=User.objects.in_role(DIRECTOR),
            subject=f"Statement {statement.year_label} approved: ready for a {label} to sign",
            context={"message": f"The {body} approved the {statement.year_label} statement. A {label} must sign it."},
            url=statement.get_absolute_url(),
        )
    return statement


def statement_sign(*, statement: Statement, actor: User, signatory_title: str, signed_on: datetime.date) -> Statement:
    """The signatory signs the approved statement (s.54(6): a director or equivalent, or a designated member)."""
    label = organisation_get().signatory_label
    _check(reporting_rules.can_sign_statement, actor, f"sign a statement (only a {label} can)")
    if not signatory_title.strip():
        raise ValidationError({"signatory_title": "Give the job title that will appear under the signature."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The signature date cannot be in the future."})
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, Statement.Status.APPROVED, action="signed")
        if statement.approved_on and signed_on < statement.approved_on:
            raise ValidationError({"signed_on": "The statement cannot be signed before it was approved."})
        statement.status = Statement.Status.SIGNED
        statement.signed_by = actor
        statement.signatory_name = actor.full_name
        statement.signatory_title = signatory_title.strip()
        statement.signed_on = signed_on
        statement.save()
        _event(
            statement,
            actor,
            StatementEvent.Action.SIGNED,
            f"Signed by {actor.full_name}, {statement.signatory_title} ({label}).",
        )
        notification_send(
            recipients=User.objects.in_role(MODERN_SLAVERY_LEAD),
            subject=f"Statement {statement.year_label} signed: ready to publish",
            context={
                "message": "The statement has been signed. Publish it on the website with a prominent link on the "
                "homepage, then submit it to the GOV.UK registry."
            },
            url=statement.get_absolute_url(),
        )
    return statement


def statement_publish(
    *,
    statement: Statement,
    actor: User,
    published_on: datetime.date,
    url: str = "",
    homepage_link_checked_on: datetime.date | None = None,
) -> Statement:
    """Publish a signed statement at its website address; an earlier published version of the year is superseded."""
    _check(reporting_rules.can_publish_statement, actor, "publish a statement")
    if published_on > timezone.localdate():
        raise ValidationError({"published_on": "The publication date cannot be in the future."})
    _check_homepage_date(homepage_link_checked_on, published_on)
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, Statement.Status.SIGNED, action="published")
        if statement.signed_on and published_on < statement.signed_on:
            raise ValidationError({"published_on": "The statement cannot be published before it was signed."})
        Statement.objects.filter(financial_year=statement.financial_year, status=Statement.Status.PUBLISHED).exclude(
            pk=statement.pk
        ).update(status=Statement.Status.SUPERSEDED)
        statement.status = Statement.Status.PUBLISHED
        statement.published_on = published_on
        # s.54(7): published on the organisation's website with a link in a prominent place on its
        # homepage; this application's public page stands in when no address is given.
        statement.published_url = url.strip() or f"{settings.SITE_URL}{statement.get_public_url()}"
        statement.homepage_link_checked_on = homepage_link_checked_on
        statement.save()
        detail = f"Published at {statement.published_url}."
        if statement.ends_after(published_on):
            detail += " Published before the financial year ended."
        _event(statement, actor, StatementEvent.Action.PUBLISHED, detail)
        notification_send(
            recipients=User.objects.in_role(BOARD_MEMBER, DIRECTOR),
            subject=f"Statement {statement.year_label} published",
            context={"message": f"The statement is published at {statement.published_url}."},
            url=statement.get_absolute_url(),
        )
    return statement


def _check_homepage_date(checked_on: datetime.date | None, published_on: datetime.date | None) -> None:
    if checked_on is None:
        return
    if checked_on > timezone.localdate():
        raise ValidationError({"homepage_link_checked_on": "The check date cannot be in the future."})
    if published_on and checked_on < published_on:
        raise ValidationError(
            {
                "homepage_link_checked_on": "The homepage link cannot have been checked before the statement was published."
            }
        )


def statement_record_registry(
    *,
    statement: Statement,
    actor: User,
    homepage_link_checked_on: datetime.date | None = None,
    registry_submitted_on: datetime.date | None = None,
    registry_summary_url: str = "",
    late_submission_reason: str = "",
) -> Statement:
    """Record the homepage link check and the GOV.UK registry submission of a published statement."""
    _check(reporting_rules.can_publish_statement, actor, "record the registry submission")
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _require_status(statement, Statement.Status.PUBLISHED, action="submitted to the registry")
        _check_homepage_date(homepage_link_checked_on, statement.published_on)
        if registry_submitted_on:
            if registry_submitted_on > timezone.localdate():
                raise ValidationError({"registry_submitted_on": "The submission date cannot be in the future."})
            if registry_submitted_on < statement.published_on:
                raise ValidationError(
                    {"registry_submitted_on": "The registry asks for the statement's web address: publish it first."}
                )
            deadline = periods.statement_deadline(organisation_get(), statement.financial_year)
            if registry_submitted_on > deadline and not late_submission_reason.strip():
                raise ValidationError(
                    {
                        "late_submission_reason": f"Submitted after {deadline:%-d %B %Y}: the registry asks why "
                        "the statement is late."
                    }
                )
        changes = []
        if homepage_link_checked_on and homepage_link_checked_on != statement.homepage_link_checked_on:
            statement.homepage_link_checked_on = homepage_link_checked_on
            changes.append(f"homepage link checked on {homepage_link_checked_on:%-d %B %Y}")
        if registry_submitted_on and registry_submitted_on != statement.registry_submitted_on:
            statement.registry_submitted_on = registry_submitted_on
            changes.append(f"submitted to the GOV.UK registry on {registry_submitted_on:%-d %B %Y}")
        if registry_summary_url.strip():
            statement.registry_summary_url = registry_summary_url.strip()
        if late_submission_reason.strip():
            statement.late_submission_reason = late_submission_reason.strip()
        statement.save()
        if changes:
            _event(statement, actor, StatementEvent.Action.REGISTRY, "; ".join(changes).capitalize() + ".")
    return statement


def statement_new_version(*, statement: Statement, actor: User) -> Statement:
    """Start a new draft version from an approved, signed or published statement (its text stays frozen)."""
    _check(reporting_rules.can_draft_statement, actor, "make a new version")
    with transaction.atomic():
        _require_status(statement, *Statement.APPROVED_STATUSES, action="given a new version")
        if Statement.objects.filter(financial_year=statement.financial_year, status=Statement.Status.DRAFT).exists():
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
        _event(
            new,
            actor,
            StatementEvent.Action.NEW_VERSION,
            f"Version {new.version} started from version {statement.version}.",
        )
        _event(statement, actor, StatementEvent.Action.NEW_VERSION_STARTED, f"Version {new.version} is being drafted.")
    return new


def action_items_from_statement(
    *, statement: Statement, actor: User, owner: User, due_on: datetime.date
) -> list[ActionPlanItem]:
    """Turn the statement's "next steps" into action plan items for the next year (once per step)."""
    _check(reporting_rules.can_manage_governance, actor, "create actions")
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
            _event(
                statement,
                actor,
                StatementEvent.Action.ACTIONS_CREATED,
                f"{len(created)} next step(s) added to the action plan.",
            )
    return created


def kpi_snapshot_take(*, today: datetime.date | None = None) -> KpiSnapshot:
    """Store last month's KPIs once; a rerun keeps the figures as first taken."""
    today = today or timezone.localdate()
    month = periods.month(today.replace(day=1) - datetime.timedelta(days=1))
    with transaction.atomic():
        snapshot, _ = KpiSnapshot.objects.get_or_create(
            period_start=month.start, period_end=month.end, defaults={"figures": kpis.compute(month)}
        )
    return snapshot
