"""Reporting a concern (signed in, anonymous, on someone's behalf, from an audit) and the reporter adding to it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from compliance import roles
from compliance import rules as role_rules
from compliance.models import User
from safeguarding.models import (
    INTAKE_CHANNELS,
    PEOPLE_CHANNELS,
    Channel,
    Concern,
    Indicator,
    Stage,
    Status,
    SubjectType,
    TimelineEntry,
)
from safeguarding.services.care import reporter_care_deadlines
from safeguarding.services.common import attachments_store, case_lock, case_notify, timeline_entry_add
from safeguarding.services.references import receipt_code_generate, receipt_code_hash, reference_next
from safeguarding.services.sla import provisional_risk, sla_due_at
from safeguarding.uploads import CheckedFile, check_uploads


def concern_submit(
    *,
    reporter: User | None,
    channel: str,
    subject_type: str,
    indicators: Iterable[str],
    narrative: str,
    indicators_other: str = "",
    site=None,
    location_text: str = "",
    occurred_on: datetime.date | None = None,
    linked_supplier=None,
    supplier_named: str = "",
    immediate_danger: bool = False,
    on_behalf_of: str = "",
    reporter_contact: str = "",
    attachments: Iterable = (),
    language: str = "",
    recorded_by: User | None = None,
    issue_receipt_code: bool = False,
) -> Concern:
    """Record a new concern, open its case and tell the Lead (and the Safeguarding team for service users).

    An anonymous concern gets a receipt code, returned once as `concern.receipt_code`. `language`
    is the one the reporter used (a code of settings.LANGUAGES); later messages to them use it.

    A concern received by phone, in person or by letter is written down by `recorded_by` (the Lead
    or the Safeguarding team) under the same rules; the caller's name and contact, when given, go
    in `on_behalf_of` and `reporter_contact` and are as confidential as a reporter's. With
    `issue_receipt_code` the caller gets a receipt code (read out to them) to follow up online.
    """
    indicators = list(dict.fromkeys(indicators or []))
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [f"Unknown channel {channel!r}."]
    if subject_type not in SubjectType.values:
        errors["subject_type"] = [gettext("Say who the concern is about (choose “Not known” if you are not sure).")]
    bad = [i for i in indicators if i not in Indicator.values]
    if bad:
        errors["indicators"] = [f"Unknown sign(s): {', '.join(bad)}."]
    if Indicator.OTHER in indicators and not indicators_other.strip():
        errors["indicators_other"] = [gettext("Describe the other sign you noticed.")]
    if not (narrative or "").strip():
        errors["narrative"] = [gettext("Tell us what happened, in your own words.")]
    if channel == Channel.ANONYMOUS_FORM and reporter is not None:
        errors["channel"] = ["An anonymous concern has no reporter account."]
    if channel in {Channel.STAFF_FORM, Channel.MANAGER_ON_BEHALF} and reporter is None:
        errors["channel"] = ["Sign in to report as a member of staff, or use the anonymous form."]
    if channel == Channel.MANAGER_ON_BEHALF:
        if reporter is not None and not reporter.has_role(roles.LINE_MANAGER):
            errors["channel"] = ["Only a line manager can log a concern on someone's behalf."]
        if not on_behalf_of.strip():
            errors["on_behalf_of"] = ["Give the name of the person who raised the concern with you."]
    if channel in INTAKE_CHANNELS:
        if recorded_by is None or not role_rules.can_work_cases.test(recorded_by):
            errors["channel"] = [
                "Only the Modern Slavery Lead or the Safeguarding team records a concern received "
                "by phone, in person or by letter."
            ]
        elif reporter is not None:
            errors["channel"] = ["The person who called, came in or wrote is recorded by name, not as an account."]
    elif recorded_by is not None or issue_receipt_code:
        errors["channel"] = ["Only a concern received by phone, in person or by letter is recorded for someone."]
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = [gettext("The date cannot be in the future.")]
    files: list[CheckedFile] = []
    try:
        files = check_uploads(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    with transaction.atomic():
        acknowledge_due_at = feedback_due_at = None
        if channel in PEOPLE_CHANNELS:
            acknowledge_due_at, feedback_due_at = reporter_care_deadlines(received_at=now)
        concern = Concern(
            reference=reference_next(year=timezone.localdate().year),
            channel=channel,
            reporter=reporter,
            on_behalf_of=on_behalf_of.strip(),
            reporter_contact=reporter_contact.strip(),
            language=language if language in dict(settings.LANGUAGES) else "",
            subject_type=subject_type,
            site=site,
            location_text=location_text.strip(),
            indicators=indicators,
            indicators_other=indicators_other.strip(),
            narrative=narrative.strip(),
            occurred_on=occurred_on,
            linked_supplier=linked_supplier,
            supplier_named=supplier_named.strip()[:200],
            immediate_danger=immediate_danger,
            created_at=now,
            acknowledge_due_at=acknowledge_due_at,
            feedback_due_at=feedback_due_at,
            # Someone who called or came in has been heard by a person: that is the acknowledgement.
            acknowledged_at=now if channel in {Channel.PHONE, Channel.IN_PERSON} else None,
            # The Safeguarding team member who took it holds it until the Lead triages (else it could
            # fall outside their own scope the moment it is saved).
            assignee=recorded_by
            if recorded_by is not None and not role_rules.is_modern_slavery_lead.test(recorded_by)
            else None,
            due_at=sla_due_at(
                stage=Stage.TRIAGE, risk_level=provisional_risk(immediate_danger=immediate_danger), start=now
            ),
        )
        code = None
        if channel == Channel.ANONYMOUS_FORM or issue_receipt_code:
            code = receipt_code_generate()
            concern.receipt_code_hash = receipt_code_hash(code)
        concern.save()
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=recorded_by,
            body=f"Reported ({concern.get_channel_display().lower()})"
            + (f", recorded by {recorded_by}." if recorded_by is not None else "."),
            to_status=Status.NEW,
        )
        stored = attachments_store(concern, files, actor=reporter or recorded_by, from_reporter=True)
        if stored:
            timeline_entry_add(
                concern,
                kind=TimelineEntry.Kind.ATTACHMENT,
                author=recorded_by,
                body=f"{len(stored)} file(s) attached by the reporter.",
            )

        urgency = "Someone may be in immediate danger. " if immediate_danger else ""
        subject = f"{'URGENT: ' if immediate_danger else ''}New concern {concern.reference}"
        due = f"Triage is due by {timezone.localtime(concern.due_at):%d %b %Y %H:%M}."
        leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
        team = User.objects.in_role(roles.SAFEGUARDING_TEAM) if subject_type == SubjectType.SERVICE_USER else []
        recipients = [*leads, *team]
        case_notify(
            recipients=recipients,
            concern=concern,
            subject=subject,
            message=f"{urgency}A new concern ({concern.get_subject_type_display().lower()}) was reported. {due}",
        )
        if not leads:
            # A vacancy or a leaver must not leave a concern unseen: the deputy is told to fill the role.
            case_notify(
                recipients=User.objects.in_role(roles.COMPLIANCE_ADMIN),
                concern=concern,
                subject=subject,
                message=f"{urgency}A new concern was reported but no one holds the Modern Slavery Lead role. "
                f"Give the role to someone now so it can be triaged. {due}",
                url=reverse("notifications"),
            )
    concern.receipt_code = code
    return concern


def concern_reporter_add(*, concern: Concern, reporter: User | None, body: str, attachments: Iterable = ()) -> Concern:
    """The reporter (by receipt code or account) adds information or files to their report."""
    errors = {}
    if not (body or "").strip() and not attachments:
        errors["body"] = ["Write the extra information, or attach a file."]
    files: list[CheckedFile] = []
    try:
        files = check_uploads(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = case_lock(concern)
        stored = attachments_store(concern, files, actor=reporter, from_reporter=True)
        text = body.strip()
        if stored:
            text = (text + "\n" if text else "") + f"({len(stored)} file(s) attached)"
        timeline_entry_add(concern, kind=TimelineEntry.Kind.MESSAGE_FROM_REPORTER, author=None, body=text)
        case_notify(
            recipients=[*User.objects.in_role(roles.MODERN_SLAVERY_LEAD), concern.assignee],
            concern=concern,
            subject=f"New information on {concern.reference}",
            message="The reporter added information to the case.",
        )
    return concern
