"""Every write on concerns and cases: submit, transitions, messages, referrals, attachments, escalation."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from base64 import b32encode
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from compliance import roles
from compliance.models import User
from compliance.services import notification_send
from safeguarding import rules as sr
from safeguarding.models import (
    Attachment,
    Channel,
    Concern,
    Indicator,
    Outcome,
    ReferenceCounter,
    RiskLevel,
    Status,
    SubjectType,
    TimelineEntry,
)
from safeguarding.uploads import CheckedFile, check_uploads

EMAIL_TEMPLATE = "safeguarding/email/case.txt"

# --- reference numbers and receipt codes -------------------------------------


def reference_next(*, year: int) -> str:
    """Issue the next reference for a year, unique even when two people submit at once."""
    # The UPDATE locks the year's row until the caller's transaction commits,
    # so concurrent submissions queue here instead of reading the same number.
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(year=year, last=1)
            except IntegrityError:
                ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = ReferenceCounter.objects.get(year=year).last
    return f"MS-{year}-{last:05d}"


_CODE_TYPO = str.maketrans({"0": "O", "1": "I", "8": "B"})


def receipt_code_normalise(code: str) -> str:
    # Spaces, dashes and lower case do not matter; digits that look like
    # letters of the base32 alphabet are read as those letters.
    return re.sub(r"[^A-Z2-7]", "", (code or "").upper().translate(_CODE_TYPO))


def receipt_code_hash(code: str) -> str:
    # 120 random bits: a plain hash is enough, no guessable input to salt.
    return hashlib.sha256(receipt_code_normalise(code).encode()).hexdigest()


def receipt_code_generate() -> str:
    """A random code of 24 characters (120 bits) in groups of four, easy to read out."""
    raw = b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- SLA ------------------------------------------------------------------


def _add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    result = start
    while days > 0:
        result += datetime.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def sla_due_at(*, stage: str, risk_level: str, start: datetime.datetime) -> datetime.datetime:
    """When a stage (triage or investigation) must be done for a risk level, from settings.CASE_SLA."""
    amount, unit = settings.CASE_SLA[stage][risk_level or RiskLevel.MEDIUM]
    if unit == "h":
        return start + datetime.timedelta(hours=amount)
    return _add_working_days(timezone.localtime(start), amount)


def _provisional_risk(immediate_danger: bool) -> str:
    return RiskLevel.CRITICAL if immediate_danger else RiskLevel.MEDIUM


# --- helpers ------------------------------------------------------------------


def _leads() -> list[User]:
    return list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))


def _safeguarding_team() -> list[User]:
    return list(User.objects.in_role(roles.SAFEGUARDING_TEAM))


def _deputies() -> list[User]:
    return list(User.objects.in_role(roles.COMPLIANCE_ADMIN))


def _case_url(concern: Concern) -> str:
    return reverse("safeguarding:case_detail", args=[concern.reference])


def _notify(
    *,
    recipients: Iterable[User | None],
    concern: Concern,
    subject: str,
    message: str,
    url: str = "",
    dedupe_key: str = "",
):
    # Emails carry the reference and what to do, never the narrative or a name.
    return notification_send(
        recipients=[u for u in recipients if u is not None],
        subject=subject,
        template=EMAIL_TEMPLATE,
        context={"message": message, "reference": concern.reference},
        url=url or _case_url(concern),
        dedupe_key=dedupe_key,
    )


def _timeline(
    concern: Concern, *, kind: str, author: User | None, body: str = "", from_status: str = "", to_status: str = ""
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        concern=concern, kind=kind, author=author, body=body, from_status=from_status, to_status=to_status
    )


def _require(predicate, actor, concern, message: str):
    if not predicate.test(actor, concern):
        raise PermissionDenied(message)


def _locked(concern: Concern) -> Concern:
    # Re-read under a row lock so two people moving the same case cannot both win.
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _check_source(concern: Concern, allowed: set[str], action: str):
    if concern.status not in allowed:
        names = ", ".join(sorted(Status(s).label.lower() for s in allowed))
        raise ValidationError(
            f"A case that is {concern.get_status_display().lower()} cannot be {action}; it must be {names}.",
            code="bad_transition",
        )


def _tell_reporter(concern: Concern, message: str):
    """Tell a signed-in reporter; message is a catalogue msgid with %(reference)s / %(status)s."""
    if concern.reporter_id:
        params = {"reference": concern.reference, "status": concern.reporter_status}
        _notify(
            recipients=[concern.reporter],
            concern=concern,
            subject=gettext("Update on your report %(reference)s") % params,
            message=gettext(message) % params,
            url=reverse("safeguarding:my_reports"),
        )


def _store_files(
    concern: Concern, files: list[CheckedFile], *, actor: User | None, from_reporter: bool
) -> list[Attachment]:
    stored = []
    for checked in files:
        attachment = Attachment(
            concern=concern,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            from_reporter=from_reporter,
        )
        attachment.file.save("upload", ContentFile(checked.data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# --- reporting -----------------------------------------------------------------


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
) -> Concern:
    """Record a new concern, open its case and tell the Lead (and the Safeguarding team for service users).

    An anonymous concern gets a receipt code, returned once as `concern.receipt_code`.
    """
    indicators = list(dict.fromkeys(indicators or []))
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [f"Unknown channel {channel!r}."]
    if subject_type not in SubjectType.values:
        errors["subject_type"] = ["Say who the concern is about (choose “Not known” if you are not sure)."]
    bad = [i for i in indicators if i not in Indicator.values]
    if bad:
        errors["indicators"] = [f"Unknown sign(s): {', '.join(bad)}."]
    if Indicator.OTHER in indicators and not indicators_other.strip():
        errors["indicators_other"] = ["Describe the other sign you noticed."]
    if not (narrative or "").strip():
        errors["narrative"] = ["Tell us what happened, in your own words."]
    if channel == Channel.ANONYMOUS_FORM and reporter is not None:
        errors["channel"] = ["An anonymous concern has no reporter account."]
    if channel in {Channel.STAFF_FORM, Channel.MANAGER_ON_BEHALF} and reporter is None:
        errors["channel"] = ["Sign in to report as a member of staff, or use the anonymous form."]
    if channel == Channel.MANAGER_ON_BEHALF:
        if reporter is not None and not reporter.has_role(roles.LINE_MANAGER):
            errors["channel"] = ["Only a line manager can log a concern on someone's behalf."]
        if not on_behalf_of.strip():
            errors["on_behalf_of"] = ["Give the name of the person who raised the concern with you."]
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = ["The date cannot be in the future."]
    files: list[CheckedFile] = []
    try:
        files = check_uploads(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    with transaction.atomic():
        concern = Concern(
            reference=reference_next(year=timezone.localdate().year),
            channel=channel,
            reporter=reporter,
            on_behalf_of=on_behalf_of.strip(),
            reporter_contact=reporter_contact.strip(),
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
            due_at=sla_due_at(stage="triage", risk_level=_provisional_risk(immediate_danger), start=now),
        )
        code = None
        if channel == Channel.ANONYMOUS_FORM:
            code = receipt_code_generate()
            concern.receipt_code_hash = receipt_code_hash(code)
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=None,
            body=f"Reported ({concern.get_channel_display().lower()}).",
            to_status=Status.NEW,
        )
        stored = _store_files(concern, files, actor=reporter, from_reporter=True)
        if stored:
            _timeline(
                concern,
                kind=TimelineEntry.Kind.ATTACHMENT,
                author=None,
                body=f"{len(stored)} file(s) attached by the reporter.",
            )

        urgency = "Someone may be in immediate danger. " if immediate_danger else ""
        subject = f"{'URGENT: ' if immediate_danger else ''}New concern {concern.reference}"
        due = f"Triage is due by {timezone.localtime(concern.due_at):%d %b %Y %H:%M}."
        leads = _leads()
        recipients = leads + (_safeguarding_team() if subject_type == SubjectType.SERVICE_USER else [])
        _notify(
            recipients=recipients,
            concern=concern,
            subject=subject,
            message=f"{urgency}A new concern ({concern.get_subject_type_display().lower()}) was reported. {due}",
        )
        if not leads:
            # A vacancy or a leaver must not leave a concern unseen: the deputy is told to fill the role.
            _notify(
                recipients=_deputies(),
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
        concern = _locked(concern)
        stored = _store_files(concern, files, actor=reporter, from_reporter=True)
        text = body.strip()
        if stored:
            text = (text + "\n" if text else "") + f"({len(stored)} file(s) attached)"
        _timeline(concern, kind=TimelineEntry.Kind.MESSAGE_FROM_REPORTER, author=None, body=text)
        _notify(
            recipients=[*_leads(), concern.assignee],
            concern=concern,
            subject=f"New information on {concern.reference}",
            message="The reporter added information to the case.",
        )
    return concern


# --- case workflow -----------------------------------------------------------------


def concern_triage(
    *, concern: Concern, actor: User, risk_level: str, assignee: User | None, note: str = "", linked_supplier=None
) -> Concern:
    """Set the risk level and assignee of a new case and start the investigation clock."""
    _require(sr.can_triage_case, actor, concern, "Only the Modern Slavery Lead triages cases.")
    errors = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose a risk level."]
    if assignee is not None and not assignee.has_role(roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM):
        errors["assignee"] = ["Assign the case to the Lead or a member of the Safeguarding team."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.NEW}, "triaged")
        now = timezone.now()
        previous = concern.status
        concern.status = Status.TRIAGED
        concern.risk_level = risk_level
        concern.assignee = assignee
        if linked_supplier is not None:
            concern.linked_supplier = linked_supplier
        concern.triaged_at = now
        concern.due_at = sla_due_at(stage="investigation", risk_level=risk_level, start=now)
        concern.save()
        body = f"Triaged: risk {concern.get_risk_level_display().lower()}, assigned to {assignee or 'nobody yet'}."
        if note.strip():
            body += f"\n{note.strip()}"
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=body,
            from_status=previous,
            to_status=concern.status,
        )
        if assignee is not None and assignee != actor:
            _notify(
                recipients=[assignee],
                concern=concern,
                subject=f"Case {concern.reference} assigned to you",
                message=f"You were assigned a {concern.get_risk_level_display().lower()} risk case. "
                f"Investigation is due by {timezone.localtime(concern.due_at):%d %b %Y}.",
            )
        _tell_reporter(concern, gettext_noop("Your report %(reference)s is now: %(status)s."))
    return concern


def concern_investigate(*, concern: Concern, actor: User, note: str = "") -> Concern:
    """Start investigating a triaged case."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.TRIAGED}, "moved to investigating")
        previous = concern.status
        concern.status = Status.INVESTIGATING
        if concern.assignee_id is None:
            concern.assignee = actor
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=note.strip() or "Investigation started.",
            from_status=previous,
            to_status=concern.status,
        )
        _tell_reporter(concern, gettext_noop("Your report %(reference)s is now: %(status)s."))
    return concern


def concern_refer(*, concern: Concern, actor: User, note: str = "") -> Concern:
    """Mark a case as referred to an outside body; a referral must be recorded first."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.TRIAGED, Status.INVESTIGATING}, "marked as referred")
        if not concern.referrals.exists():
            raise ValidationError(
                "Record the referral (who to, when, consent) before marking the case as referred.", code="no_referral"
            )
        previous = concern.status
        concern.status = Status.REFERRED
        # The case now waits on the outside body; no internal clock runs.
        concern.due_at = None
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=note.strip() or "Case referred.",
            from_status=previous,
            to_status=concern.status,
        )
        _notify(
            recipients=_leads(),
            concern=concern,
            subject=f"Case {concern.reference} referred",
            message="The case was referred to an outside body.",
        )
        _tell_reporter(concern, gettext_noop("Your report %(reference)s is now: %(status)s."))
    return concern


def concern_close(*, concern: Concern, actor: User, outcome: str, summary: str) -> Concern:
    """Close a case with an outcome and a summary (the Lead's decision)."""
    _require(sr.can_close_case, actor, concern, "Only the Modern Slavery Lead closes cases.")
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose the outcome before closing the case."]
    if not (summary or "").strip():
        errors["summary"] = ["Write a short summary of what was found and done."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.TRIAGED, Status.INVESTIGATING, Status.REFERRED}, "closed")
        previous = concern.status
        concern.status = Status.CLOSED
        concern.outcome = outcome
        concern.closing_summary = summary.strip()
        concern.closed_at = timezone.now()
        concern.due_at = None
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=f"Closed: {concern.get_outcome_display().lower()}.\n{concern.closing_summary}",
            from_status=previous,
            to_status=concern.status,
        )
        _notify(
            recipients=[u for u in _leads() if u != actor],
            concern=concern,
            subject=f"Case {concern.reference} closed",
            message=f"The case was closed ({concern.get_outcome_display().lower()}).",
        )
        _tell_reporter(concern, gettext_noop("Your report %(reference)s is now closed. Thank you for speaking up."))
    return concern


def concern_reopen(*, concern: Concern, actor: User, reason: str) -> Concern:
    """Reopen a closed case for investigation, with a reason."""
    _require(sr.can_triage_case, actor, concern, "Only the Modern Slavery Lead reopens cases.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the case is being reopened."]})
    with transaction.atomic():
        concern = _locked(concern)
        _check_source(concern, {Status.CLOSED}, "reopened")
        previous = concern.status
        now = timezone.now()
        concern.status = Status.INVESTIGATING
        concern.outcome = ""
        concern.closed_at = None
        concern.due_at = sla_due_at(stage="investigation", risk_level=concern.risk_level, start=now)
        concern.save()
        _timeline(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=f"Reopened: {reason.strip()}",
            from_status=previous,
            to_status=concern.status,
        )
        if concern.assignee_id and concern.assignee != actor:
            _notify(
                recipients=[concern.assignee],
                concern=concern,
                subject=f"Case {concern.reference} reopened",
                message="A case assigned to you was reopened.",
            )
        _tell_reporter(concern, gettext_noop("Your report %(reference)s was reopened and is being investigated again."))
    return concern


def concern_note_add(*, concern: Concern, actor: User, body: str) -> TimelineEntry:
    """Add an internal note to a case's timeline."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    if not (body or "").strip():
        raise ValidationError({"body": ["The note is empty."]})
    with transaction.atomic():
        return _timeline(concern, kind=TimelineEntry.Kind.NOTE, author=actor, body=body.strip())


def concern_message_reporter(*, concern: Concern, actor: User, body: str) -> TimelineEntry:
    """Ask the reporter a question or tell them something; they see it with their receipt code or in My reports."""
    _require(sr.can_work_case, actor, concern, "You cannot work on this case.")
    if not (body or "").strip():
        raise ValidationError({"body": ["The message is empty."]})
    if not concern.reporter_id and not concern.receipt_code_hash:
        raise ValidationError({"body": ["This report came in without a way to reach the reporter."]})
    with transaction.atomic():
        entry = _timeline(concern, kind=TimelineEntry.Kind.MESSAGE_TO_REPORTER, author=actor, body=body.strip())
        _tell_reporter(
            concern, gettext_noop("The safeguarding team sent you a message about your report %(reference)s.")
        )
    return entry


# Referrals, attachments, identity grants and escalation live in their own
# module to keep this one readable; callers keep using `services.<name>`.
from safeguarding.services_records import (  # noqa: E402
    attachment_add,
    case_sla_escalate,
    concern_reassess,
    identity_grant,
    referral_outcome_record,
    referral_record,
)

__all__ = [
    "attachment_add",
    "case_sla_escalate",
    "concern_close",
    "concern_investigate",
    "concern_message_reporter",
    "concern_note_add",
    "concern_reassess",
    "concern_refer",
    "concern_reopen",
    "concern_reporter_add",
    "concern_submit",
    "concern_triage",
    "identity_grant",
    "receipt_code_generate",
    "receipt_code_hash",
    "reference_next",
    "referral_outcome_record",
    "referral_record",
    "sla_due_at",
]
