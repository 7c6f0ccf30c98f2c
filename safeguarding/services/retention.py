"""Retention of closed cases: the Lead is warned a month ahead, then the content goes; the figures stay.

What is removed: the narrative, other signs, location text, closing summary, who
reported (account, "on behalf of" name, contact, receipt code), identity grants,
every timeline entry's text (notes, messages, reasons), referral contacts,
references and outcomes, and attachments (file and row). What stays, so the KPI
page and the Board report count the same after the purge: the reference, channel,
subject type, indicators, site, risk, status, outcome, dates, and the number of
referrals and timeline events. A PurgeLog row says what went, when and under which
rule. A case already purged, open, or under a legal hold is never touched, so a
second run does nothing.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance import roles
from compliance.encryption import encrypted_fields
from compliance.models import User
from safeguarding import rules as case_rules
from safeguarding.models import Concern, PurgeLog, Redaction, Referral, RetentionRule, Status, TimelineEntry
from safeguarding.selectors import retention_expires_at, retention_for
from safeguarding.services.common import case_lock, case_notify, case_permission_check, timeline_entry_add

# What a purged narrative says instead (the column is required, and a reader should know why it is empty).
PURGED_TEXT = "Removed under the retention schedule."


def _candidates():
    return Concern.objects.filter(status=Status.CLOSED, purged_at__isnull=True, legal_hold=False).order_by("closed_at")


def case_retention_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn the Lead of cases expiring within the warning window (once each) and purge the expired ones."""
    now = now or timezone.now()
    rules = list(RetentionRule.objects.all())
    shortest = min([settings.CASE_RETENTION_MONTHS, *(r.months for r in rules)])
    warn_ahead = datetime.timedelta(days=settings.CASE_RETENTION_WARNING_DAYS)
    # Only cases old enough for the shortest period can be due; the rest are not read.
    horizon = now + warn_ahead - relativedelta(months=shortest)
    counts = {"warned": 0, "purged": 0}
    leads = list(User.objects.in_role(roles.MODERN_SLAVERY_LEAD))
    for concern in _candidates().filter(closed_at__lte=horizon).iterator():
        expires = retention_expires_at(concern, rules)
        if expires <= now:
            if case_purge(concern=concern, now=now, rules=rules):
                counts["purged"] += 1
        elif expires <= now + warn_ahead and concern.retention_warned_at is None:
            with transaction.atomic():
                case_notify(
                    recipients=leads,
                    concern=concern,
                    subject=f"Retention: {concern.reference} will be purged on {timezone.localtime(expires):%d %b %Y}",
                    message=(
                        f"The content of case {concern.reference} (narrative, identities, contact details, "
                        f"messages, notes and files) will be removed on {timezone.localtime(expires):%d %b %Y} "
                        "under the retention schedule. Place a legal hold on the case page to keep it."
                    ),
                    dedupe_key=f"safeguarding:retention:{concern.pk}:{expires:%Y%m%d}",
                )
                Concern.objects.filter(pk=concern.pk).update(retention_warned_at=now)
            counts["warned"] += 1
    return counts


def case_purge(*, concern: Concern, now: datetime.datetime | None = None, rules=None) -> PurgeLog | None:
    """Remove a closed, expired case's content and identities, keep its figures, and log it; None if not due."""
    now = now or timezone.now()
    with transaction.atomic():
        concern = case_lock(concern)
        # Re-checked under the lock: a hold placed or a case reopened since the sweep started wins.
        if concern.purged_at or concern.legal_hold or concern.status != Status.CLOSED:
            return None
        retention = retention_for(concern, rules)
        if retention_expires_at(concern, rules) > now:
            return None
        # Every encrypted field is free text or an identity (compliance/encryption.py), so the
        # purge follows that list: a field added later is removed with the rest.
        names = [f.name for f in encrypted_fields(Concern) if f.name != "narrative"] + ["receipt_code_hash"]
        cleared = [name for name in names if getattr(concern, name)]
        had_reporter = concern.reporter_id is not None
        attachments = list(concern.attachments.all())
        for attachment in attachments:
            attachment.file.delete(save=False)
        removed = {
            "fields": ["narrative", *cleared] + (["reporter"] if had_reporter else []),
            "timeline_entries": concern.timeline.exclude(body="").update(
                **{f.name: "" for f in encrypted_fields(TimelineEntry)}
            ),
            "identity_grants": concern.identity_grants.all().delete()[0],
            "referrals": concern.referrals.update(
                external_reference="",
                crime_reference="",
                care_act_enquiry_reference="",
                **{f.name: "" for f in encrypted_fields(Referral)},
            ),
            "attachments": concern.attachments.all().delete()[0],
            # What the Lead masked goes too (the spans are the personal data).
            "masks": concern.redactions.update(**{f.name: "" for f in encrypted_fields(Redaction)}),
        }
        Concern.objects.filter(pk=concern.pk).update(
            narrative=PURGED_TEXT,
            reporter=None,
            **dict.fromkeys(cleared, ""),
            purged_at=now,
        )
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=None,
            body=f"Content removed under the retention schedule ({retention.rule}).",
            from_status=concern.status,
            to_status=concern.status,
        )
        return PurgeLog.objects.create(
            concern=concern,
            reference=concern.reference,
            purged_at=now,
            closed_at=concern.closed_at,
            rule=retention.rule[:300],
            months=retention.months,
            removed=removed,
        )


def concern_legal_hold(*, concern: Concern, actor: User, hold: bool, reason: str = "") -> Concern:
    """The Lead places (with a reason) or lifts a legal hold, which stops the retention purge."""
    case_permission_check(
        case_rules.can_close_case, actor, concern, "Only the Modern Slavery Lead can place a legal hold."
    )
    reason = (reason or "").strip()
    if hold and not reason:
        raise ValidationError({"reason": ["Say why the case must be kept (e.g. the claim or inquiry)."]})
    with transaction.atomic():
        concern = case_lock(concern)
        if concern.purged_at:
            raise ValidationError("This case's content has already been removed under the retention schedule.")
        if concern.legal_hold == hold:
            return concern
        concern.legal_hold = hold
        concern.legal_hold_reason = reason if hold else ""
        concern.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
        timeline_entry_add(
            concern,
            kind=TimelineEntry.Kind.STATUS,
            author=actor,
            body=f"Legal hold placed: {reason}" if hold else "Legal hold lifted.",
            from_status=concern.status,
            to_status=concern.status,
        )
    return concern
