"""Every read of concerns and cases, restricted to what the asking user may see."""

from __future__ import annotations

import dataclasses
import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from compliance.figure_cache import cached_count
from compliance.models import AccessLog, PersonPick, User
from compliance.page_lists import lists_with_rows
from safeguarding import rules as case_rules
from safeguarding.models import (
    REPORTER_KINDS,
    Attachment,
    CaseAction,
    Concern,
    CqcNotification,
    FirstResponder,
    IdentityGrant,
    Referral,
    RetentionRule,
    Status,
    TimelineEntry,
)
from safeguarding.signals import CASE_FIGURES


def concern_list(*, user: User) -> QuerySet[Concern]:
    """Cases the user may see, newest first, with what the list shows joined in.

    The page, its CSV export and the API narrow it with one FilterSet (safeguarding.filters.CaseFilter).
    """
    return Concern.objects.restrict(user, CaseAction.VIEW).select_related("site", "assignee")


def case_list_count(cases: QuerySet[Concern], *, live: bool = False) -> int:
    """How many cases a (filtered) concern_list holds: the total the list and the API show.

    Kept in the cache until a case is saved or deleted (safeguarding.signals): the COUNT over
    100,000 cases was a quarter of the list's time, on every page. `live` counts afresh, for a
    filter that reads the clock (CaseFilter.reads_the_clock).
    """
    return cases.count() if live else cached_count(CASE_FIGURES, cases)


# The columns a row of the case list shows (safeguarding.templatetags.case_tags.case_row): the
# other 30 columns of a case, and the person's and site's, were read and built for 50 rows.
CASE_LIST_FIELDS = (
    "reference",
    "immediate_danger",
    "created_at",
    "subject_type",
    "site__name",
    "location_text",
    "status",
    "risk_level",
    "assignee__full_name",
    "assignee__email",
    "due_at",
)


# The columns a case of the API's list carries (safeguarding.api.CaseListSerializer).
CASE_API_LIST_FIELDS = (*CASE_LIST_FIELDS, "channel", "outcome", "closed_at")


# The columns the case export carries. Reading (and decrypting) narratives, contact details and
# closing summaries nobody exports was a large part of a big export's time.
CASE_EXPORT_FIELDS = (
    "reference",
    "created_at",
    "channel",
    "subject_type",
    "site__name",
    "location_text",
    "status",
    "risk_level",
    "assignee__full_name",
    "assignee__email",
    "due_at",
    "outcome",
    "closed_at",
)


def concern_export_list(*, user: User) -> QuerySet[Concern]:
    """The case list's cases (concern_list) with only the columns the case export carries."""
    return concern_list(user=user).only(*CASE_EXPORT_FIELDS)


def concern_get(*, user: User, reference: str) -> Concern:
    """One case the user may see, or 404 (so a reference out of scope does not leak).

    With its site and the people it names; the linked supplier (a wide row, on few cases) is
    read when shown, by the one page that shows it.
    """
    qs = Concern.objects.restrict(user, CaseAction.VIEW).select_related("site", "assignee", "reporter")
    concern = get_object_or_404(qs, reference=reference)
    # Decided once per request so the template and API ask no more queries for it.
    concern.viewer_sees_reporter = case_rules.can_see_reporter_identity.test(user, concern)
    return concern


# The case page's mostly empty lists (compliance.page_lists): name, model, owner field, condition.
_CASE_PAGE_LISTS = (
    ("referrals", Referral, "concern", ()),
    ("cqc_notifications", CqcNotification, "concern", ()),
    ("attachments", Attachment, "concern", ()),
    ("identity_grants", IdentityGrant, "concern", ()),
)


def case_page_lists(concern: Concern) -> dict[str, bool]:
    """Which of the case page's lists have any rows (one query): most cases have none of them,
    and the page asks for a list only where there are rows, each empty one a query fewer."""
    return lists_with_rows(_CASE_PAGE_LISTS, concern.pk)


def concern_timeline(*, concern: Concern) -> QuerySet[TimelineEntry]:
    return concern.timeline.select_related("author")


def concern_attachments(*, concern: Concern) -> QuerySet[Attachment]:
    # Each file's concern is this one (the related manager sets it, for the download link): joining
    # the case again would read and decrypt its long texts once per file.
    return concern.attachments.select_related("uploaded_by")


def concern_referrals(*, concern: Concern):
    return concern.referrals.select_related("made_by", "responder")


def concern_cqc_notifications(*, concern: Concern):
    return concern.cqc_notifications.select_related("recorded_by")


def referrals_to_chase(*, waiting_since_by) -> QuerySet[Referral]:
    """Referrals waiting for an outcome since `waiting_since_by` or earlier: their assignee is reminded."""
    return (
        Referral.objects.awaiting_outcome(waiting_since_by=waiting_since_by)
        .select_related("concern__assignee", "responder")
        .order_by("made_on", "pk")
    )


def cqc_notifications_outstanding() -> QuerySet[Concern]:
    """Substantiated service-user cases with no CQC notification recorded: the Lead is reminded."""
    return Concern.objects.cqc_notification_outstanding().select_related("assignee").order_by("closed_at", "pk")


def first_responder_choices() -> QuerySet[FirstResponder]:
    """The organisations a case worker may refer through now (the form is shown only to case workers)."""
    return FirstResponder.objects.active()


def first_responders(*, user: User, action: str = "view") -> QuerySet[FirstResponder]:
    """The organisations referrals go through: case workers choose from them, the Compliance admin keeps them."""
    return FirstResponder.objects.restrict(user, action)


def attachment_get(*, user: User, reference: str, pk: int) -> Attachment:
    """One file of a case the user may see, or 404."""
    attachments = Attachment.objects.restrict(user, CaseAction.VIEW).select_related("concern")
    return get_object_or_404(attachments, concern__reference=reference, pk=pk)


def my_reports(*, user: User) -> QuerySet[Concern]:
    """What the user reported (or logged on someone's behalf): status only."""
    return Concern.objects.restrict(user, CaseAction.FOLLOW_UP).only(
        "reference", "status", "created_at", "subject_type", "reporter"
    )


def concern_for_receipt_code(*, code_hash: str) -> Concern | None:
    if not code_hash:
        return None
    return Concern.objects.filter(receipt_code_hash=code_hash).first()


def reporter_messages(*, concern: Concern) -> QuerySet[TimelineEntry]:
    """The two-way messages a reporter sees: never notes or status internals."""
    return concern.timeline.filter(kind__in=REPORTER_KINDS)


def reporter_files(*, concern: Concern) -> QuerySet[Attachment]:
    """The files the reporter sent with their report or later: what their follow-up page lists."""
    return concern.attachments.filter(from_reporter=True).only(
        "pk", "concern_id", "original_name", "size", "created_at"
    )


def reporter_file_get(*, concern: Concern | None, pk: int) -> Attachment:
    """One of the reporter's own files on the report their receipt code or account opened, or 404."""
    if concern is None:
        raise Http404
    return get_object_or_404(concern.attachments.filter(from_reporter=True), pk=pk)


def case_workers() -> QuerySet[User]:
    """People a case can be assigned to: the Lead and the Safeguarding team."""
    return User.objects.pickable(PersonPick.CASE_ASSIGNEE)


def overdue_cases(*, now) -> QuerySet[Concern]:
    """Open cases whose SLA deadline has passed, oldest deadline first."""
    return Concern.objects.open().filter(due_at__lt=now).select_related("assignee").order_by("due_at")


def concerns_awaiting_acknowledgement(*, due_before) -> QuerySet[Concern]:
    """Open reports not yet acknowledged whose acknowledgement is due before `due_before`."""
    return (
        Concern.objects.open()
        .awaiting_acknowledgement()
        .filter(acknowledge_due_at__lt=due_before)
        .select_related("assignee")
        .order_by("acknowledge_due_at")
    )


def concerns_awaiting_feedback(*, due_before) -> QuerySet[Concern]:
    """Open reports whose reporter has had no feedback, due before `due_before` (a closed case has said so)."""
    return (
        Concern.objects.open()
        .awaiting_feedback()
        .filter(feedback_due_at__lt=due_before)
        .select_related("assignee")
        .order_by("feedback_due_at")
    )


def case_readers(*, user: User, concern: Concern) -> list[dict]:
    """Who has read, downloaded or exported this case, from the access log: one row per person, latest first.

    For the Lead only (an empty list for anyone else). One query whatever the number of reads.
    """
    if not case_rules.can_see_case_readers.test(user, concern):
        return []
    # One rule decides, the case's: who may see its readers. The access log's own rule (who may read
    # the whole log) is another question, and a second check here could only ever agree or hide rows.
    reads = AccessLog.objects.filter(content_type=ContentType.objects.get_for_model(Concern), object_id=str(concern.pk))
    return list(
        reads.values("user_id", "user__full_name", "user__email")
        .annotate(
            views=Count("pk", filter=Q(action=AccessLog.Action.VIEW)),
            downloads=Count("pk", filter=Q(action=AccessLog.Action.DOWNLOAD)),
            exports=Count("pk", filter=Q(action=AccessLog.Action.EXPORT)),
            first_at=Min("at"),
            last_at=Max("at"),
        )
        .order_by("-last_at")
    )


def identity_grants(*, user: User, concern: Concern) -> QuerySet[IdentityGrant]:
    """Who else was told who reported this case: only for someone who may know it themselves."""
    return (
        IdentityGrant.objects.restrict(user, CaseAction.VIEW)
        .filter(concern=concern)
        .select_related("user", "granted_by")
    )


def concern_statistics(*, start=None, end=None) -> dict:
    """Anonymised counts for KPIs and the Board: no narrative, no names, no references.

    `start`/`end` are datetimes bounding when concerns were received.
    """
    qs = Concern.objects.all()
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)

    def by(field):
        return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by(field)}

    closed = qs.filter(status=Status.CLOSED, closed_at__isnull=False).only("created_at", "closed_at")
    days = [(c.closed_at - c.created_at).total_seconds() / 86400 for c in closed]
    triage_hours = [
        (triaged - created).total_seconds() / 3600
        for created, triaged in qs.filter(triaged_at__isnull=False).values_list("created_at", "triaged_at")
    ]
    return {
        "received": qs.count(),
        "closed": len(days),
        "open": qs.exclude(status=Status.CLOSED).count(),
        "average_days_to_close": round(sum(days) / len(days), 1) if days else None,
        "average_hours_to_triage": round(sum(triage_hours) / len(triage_hours), 1) if triage_hours else None,
        "by_status": by("status"),
        "by_risk_level": by("risk_level"),
        "by_subject_type": by("subject_type"),
        "by_channel": by("channel"),
        "by_outcome": {k: v for k, v in by("outcome").items() if k},
        "referrals": _referral_count(qs),
    }


def _referral_count(qs) -> int:
    from safeguarding.models import Referral

    return Referral.objects.filter(concern__in=qs).count()


def concern_for_receipt_code_session(*, pk: int) -> Concern | None:
    """The concern a receipt code unlocked earlier in this browser session."""
    return Concern.objects.filter(pk=pk).exclude(receipt_code_hash="").first()


def my_report_get(*, user: User, reference: str) -> Concern | None:
    return Concern.objects.restrict(user, CaseAction.FOLLOW_UP).filter(reference=reference).first()


# --- Retention ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Retention:
    months: int
    rule: str


def retention_for(concern: Concern, rules: list[RetentionRule] | None = None) -> Retention:
    """The period that applies to a case: the most specific rule for its outcome and channel, else the default."""
    rules = list(RetentionRule.objects.all()) if rules is None else rules

    def specificity(rule):
        return (rule.outcome == concern.outcome) * 2 + (rule.channel == concern.channel)

    matching = [r for r in rules if r.outcome in ("", concern.outcome) and r.channel in ("", concern.channel)]
    if matching:
        best = max(matching, key=specificity)
        return Retention(best.months, str(best))
    months = settings.CASE_RETENTION_MONTHS
    return Retention(months, f"Default (CASE_RETENTION_MONTHS): {months} months after closure")


def retention_expires_at(concern: Concern, rules: list[RetentionRule] | None = None) -> datetime.datetime | None:
    """When a closed case's content is removed; None while it is open."""
    if concern.status != Status.CLOSED or concern.closed_at is None:
        return None
    return concern.closed_at + relativedelta(months=retention_for(concern, rules).months)


def concern_retention(*, user: User, concern: Concern) -> dict | None:
    """What the case page tells the Lead about retention: when the content goes, under which rule, any hold."""
    if not case_rules.can_close_case.test(user, concern):
        return None
    purge = concern.purges.order_by("-purged_at").first() if concern.purged_at else None
    # The rules read once for both answers (each helper reads them itself when not given them).
    rules = list(RetentionRule.objects.all())
    retention = retention_for(concern, rules)
    return {
        "expires_at": retention_expires_at(concern, rules),
        "rule": retention.rule,
        "legal_hold": concern.legal_hold,
        "legal_hold_reason": concern.legal_hold_reason,
        "purge": purge,
    }


def first_responder_get(*, user: User, pk: int) -> FirstResponder | None:
    """One organisation of the list for the Compliance admin to change, or None (the view answers 404)."""
    return FirstResponder.objects.restrict(user, "change").filter(pk=pk).first()
