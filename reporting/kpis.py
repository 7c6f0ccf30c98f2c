"""The KPIs of policy 8.1, computed for any period from the other apps' records.

Each section reads one app with a fixed number of aggregate queries (never a
query per row), so the dashboard and the Board report cost the same at ten
rows and at a hundred thousand. An app with no data yet yields zeros, never an
error.

One rule per fact: who is staff on a date, training completion, recruitment
checks, overdue corrective actions, terminated suppliers and open risks are
defined once, in the app that owns them (QuerySet methods and selectors taking
an `as_of` date); this module only calls them and adds up.

As at which date: a period that has ended is reported as at its last day; one
that has not (the current financial year) as at today, labelled "to date",
never as at a future year end.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from compliance.dates import end_of_day, start_of_day
from compliance.policy_models import PolicyVersion
from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, RiskRegisterReview
from reporting.periods import Period
from safeguarding.models import PEOPLE_CHANNELS, Channel, Concern, Outcome, Referral, Status, SubjectType
from suppliers.models import Audit, CorrectiveAction, QuestionnaireRequest, RiskAssessment, RiskBand, Supplier
from suppliers.selectors import code_of_conduct_acceptance_figures
from training.policy_selectors import acknowledgement_figures
from training.selectors import completion_standings, recruitment_check_figures


def as_of(period: Period, today: datetime.date | None = None) -> datetime.date:
    """The date a period's figures are as at: its end once it has ended, else today."""
    today = today or timezone.localdate()
    return min(period.end, today)


def is_to_date(period: Period, today: datetime.date | None = None) -> bool:
    """Whether the period has not ended yet, so its figures are "to date"."""
    return period.end > (today or timezone.localdate())


def as_at_label(period: Period, today: datetime.date | None = None) -> str:
    """The words that say which date the figures are as at, for the dashboard, Board report and pre-fill."""
    day = as_of(period, today)
    if is_to_date(period, today):
        return f"to date (as at {day.day} {day:%B %Y}; the period ends {period.end.day} {period.end:%B %Y})"
    return f"at the period end ({day.day} {day:%B %Y})"


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    section: str
    unit: str = ""  # "%", "days" or ""
    # For a trend, whether a rise is good news (None: neither, e.g. concerns received).
    higher_is_better: bool | None = None


# The scalar KPIs, in the order the dashboard and the Board report show them.
KPIS = (
    Kpi("concerns_received", "Concerns received", "Concerns and cases"),
    Kpi("cases_from_audits", "Cases opened from supplier audit findings", "Concerns and cases"),
    Kpi("concerns_resolved", "Concerns resolved", "Concerns and cases", higher_is_better=True),
    Kpi("concerns_open", "Concerns open at period end", "Concerns and cases", higher_is_better=False),
    Kpi("median_days_to_resolve", "Median days to resolve", "Concerns and cases", "days", higher_is_better=False),
    Kpi("median_hours_to_triage", "Median hours to triage", "Concerns and cases", "hours", higher_is_better=False),
    Kpi("referrals_made", "Referrals made", "Concerns and cases"),
    Kpi("training_completion_pct", "Training completion", "Training", "%", higher_is_better=True),
    Kpi("policy_acknowledgement_pct", "Policy acknowledgement", "Training", "%", higher_is_better=True),
    Kpi("recruitment_checks_complete_pct", "Recruitment checks complete", "Training", "%", higher_is_better=True),
    Kpi("audits_done", "Supplier audits done", "Suppliers", higher_is_better=True),
    Kpi("audits_passed", "Supplier audits passed", "Suppliers", higher_is_better=True),
    Kpi("corrective_actions_open", "Corrective actions open", "Suppliers", higher_is_better=False),
    Kpi("corrective_actions_overdue", "Corrective actions overdue", "Suppliers", higher_is_better=False),
    Kpi("high_risk_suppliers", "High-risk suppliers", "Suppliers", higher_is_better=False),
    Kpi("suppliers_suspended", "Suppliers suspended", "Suppliers"),
    Kpi("suppliers_terminated", "Suppliers terminated", "Suppliers"),
    Kpi("code_of_conduct_acceptance_pct", "Code of conduct accepted", "Suppliers", "%", higher_is_better=True),
    Kpi("questionnaires_returned", "Questionnaires returned", "Suppliers", higher_is_better=True),
    Kpi("governance_meetings", "Governance meetings held", "Governance", higher_is_better=True),
    Kpi("risks_open", "Open risks on the register", "Governance"),
    Kpi("risk_reviews_overdue", "Risk reviews overdue", "Governance", higher_is_better=False),
    Kpi("policies_review_overdue", "Policies past their review date", "Governance", higher_is_better=False),
    Kpi("actions_done", "Action plan items completed", "Governance", higher_is_better=True),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


# --- Concerns and cases (safeguarding) ---------------------------------------------------


def _window(period: Period, today: datetime.date | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the period up to its as-at date, as aware datetimes."""
    return start_of_day(period.start), end_of_day(as_of(period, today))


def _median_of(qs, duration, count: int, unit_seconds: int) -> float:
    """The median of a duration in the database: only the middle one or two values are read."""
    middle = (
        qs.annotate(took=ExpressionWrapper(duration, output_field=DurationField()))
        .order_by("took")
        .values_list("took", flat=True)[max(count - 1, 0) // 2 : count // 2 + 1]
    )
    values = [took.total_seconds() / unit_seconds for took in middle]
    return round(statistics.mean(values), 1) if values else 0


def concern_figures(period: Period) -> dict:
    return concern_figures_many([period])[0]


def concern_figures_many(periods: list[Period], today: datetime.date | None = None) -> list[dict]:
    """Concerns received (from people), cases from audits, resolved, open, medians, referrals, per period.

    "Concerns received" counts reports from people (staff form, anonymous form,
    manager on behalf, phone); a case opened automatically from a supplier
    audit finding is counted on its own line. Resolved, open and the medians
    cover every case. One grouped query for the cases and one for referrals,
    plus two median queries per period. A reopened case has its closed_at
    cleared by the case service, so it counts as open until closed again.
    """
    results = [
        {
            "concerns_received": 0,
            "cases_from_audits": 0,
            "concerns_resolved": 0,
            "concerns_open": 0,
            "median_days_to_resolve": 0,
            "median_hours_to_triage": 0,
            "cases_triaged": 0,
            "concerns_by_outcome": {},
            "concerns_by_subject": {},
            "cases_by_channel": {},
            "referrals_made": 0,
            "referrals_by_kind": {},
        }
        for _ in periods
    ]
    subject_labels, outcome_labels = dict(SubjectType.choices), dict(Outcome.choices)
    channel_labels, people = dict(Channel.choices), set(PEOPLE_CHANNELS)
    windows = [_window(period, today) for period in periods]
    counts, any_period = {}, Q(pk__in=[])
    for i, (start, end) in enumerate(windows):
        received_q = Q(created_at__gte=start, created_at__lt=end)
        resolved_q = Q(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        open_q = Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        counts[f"received_{i}"] = Count("pk", filter=received_q)
        counts[f"resolved_{i}"] = Count("pk", filter=resolved_q)
        counts[f"open_{i}"] = Count("pk", filter=open_q)
        counts[f"triaged_{i}"] = Count("pk", filter=Q(triaged_at__gte=start, triaged_at__lt=end))
        any_period |= received_q | resolved_q | open_q | Q(triaged_at__gte=start, triaged_at__lt=end)
    # Only codes and counts leave the case table: no narrative, no reporter.
    rows = Concern.objects.filter(any_period).order_by().values("subject_type", "outcome", "channel").annotate(**counts)
    for row in rows:
        subject = str(subject_labels.get(row["subject_type"], row["subject_type"] or "Not recorded"))
        outcome = str(outcome_labels.get(row["outcome"], row["outcome"] or "No outcome recorded"))
        channel = str(channel_labels.get(row["channel"], row["channel"]))
        for i, figures in enumerate(results):
            received = row[f"received_{i}"]
            if received:
                figures["cases_by_channel"][channel] = figures["cases_by_channel"].get(channel, 0) + received
                if row["channel"] in people:
                    figures["concerns_by_subject"][subject] = figures["concerns_by_subject"].get(subject, 0) + received
                else:
                    figures["cases_from_audits"] += received
            if row[f"resolved_{i}"]:
                figures["concerns_by_outcome"][outcome] = (
                    figures["concerns_by_outcome"].get(outcome, 0) + row[f"resolved_{i}"]
                )
            figures["concerns_open"] += row[f"open_{i}"]
            figures["cases_triaged"] += row[f"triaged_{i}"]
    referral_counts = {}
    any_referral = Q(pk__in=[])
    for i, period in enumerate(periods):
        made_q = Q(made_on__gte=period.start, made_on__lte=as_of(period, today))
        referral_counts[f"made_{i}"] = Count("pk", filter=made_q)
        any_referral |= made_q
    kind_labels = dict(Referral.Kind.choices)
    for row in Referral.objects.filter(any_referral).order_by().values("kind").annotate(**referral_counts):
        for i, figures in enumerate(results):
            if row[f"made_{i}"]:
                figures["referrals_by_kind"][str(kind_labels.get(row["kind"], row["kind"]))] = row[f"made_{i}"]
    for figures, (start, end) in zip(results, windows, strict=True):
        for key in ("concerns_by_subject", "concerns_by_outcome", "cases_by_channel", "referrals_by_kind"):
            figures[key] = dict(sorted(figures[key].items()))
        figures["concerns_received"] = sum(figures["concerns_by_subject"].values())
        figures["referrals_made"] = sum(figures["referrals_by_kind"].values())
        count = figures["concerns_resolved"] = sum(figures["concerns_by_outcome"].values())
        # Asked even when nothing was resolved, so the page's query count does not depend on the data.
        figures["median_days_to_resolve"] = _median_of(
            Concern.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end),
            F("closed_at") - F("created_at"),
            count,
            86400,
        )
        figures["median_hours_to_triage"] = _median_of(
            Concern.objects.filter(triaged_at__gte=start, triaged_at__lt=end),
            F("triaged_at") - F("created_at"),
            figures["cases_triaged"],
            3600,
        )
    return results


# --- Training, acknowledgements, recruitment checks ------------------------------------


def training_figures(period: Period) -> dict:
    return training_figures_many([period])[0]


def training_figures_many(periods: list[Period], today: datetime.date | None = None) -> list[dict]:
    """Training completion as at each period's as-at date (overall, by course, by department), acknowledgements, checks.

    Completion is the training app's rule (completion_standings), the same the
    training pages and API show; one query for all the periods.
    """
    dates = [as_of(period, today) for period in periods]
    rows = completion_standings(dates=dates, group_by=("course", "department"))
    results = []
    for i, day in enumerate(dates):
        totals = [0, 0]
        by_course: dict[str, list[int]] = {}
        by_department: dict[str, list[int]] = {}
        for row in rows:
            course, department = row["label"][0], row["label"][1] or "No department"
            complete, overdue, expired, _not_yet_due = row["counts"][i]
            counted = complete + overdue + expired
            for bucket in (totals, by_course.setdefault(course, [0, 0]), by_department.setdefault(department, [0, 0])):
                bucket[0] += complete
                bucket[1] += counted
        results.append(
            {
                "training_completion_pct": _pct(*totals),
                "training_by_course": {k: _pct(*v) for k, v in sorted(by_course.items()) if v[1]},
                "training_by_department": {k: _pct(*v) for k, v in sorted(by_department.items()) if v[1]},
                "policy_acknowledgement_pct": _acknowledgement_pct(day),
                "recruitment_checks_complete_pct": _pct(*recruitment_check_figures(as_of=day)),
            }
        )
    return results


def _acknowledgement_pct(day: datetime.date) -> float:
    return _pct(*acknowledgement_figures(as_of=day))


# --- Suppliers ------------------------------------------------------------------------


def supplier_figures(period: Period, today: datetime.date | None = None) -> dict:
    """Audits, decisions and questionnaires in the period; corrective actions, bands and the code as at its as-at date."""
    day = as_of(period, today)
    start, end = _window(period, today)
    audits = Audit.objects.filter(status=Audit.Status.COMPLETED, completed_date__range=(period.start, day)).order_by()
    # Passed: compliant or minor issues only; major or critical findings fail the audit.
    audit_counts = audits.aggregate(
        done=Count("pk"), passed=Count("pk", filter=Q(result__in=[Audit.Result.COMPLIANT, Audit.Result.MINOR]))
    )
    by_band = _suppliers_by_band(day)
    accepted, on_register = code_of_conduct_acceptance_figures(as_of=day)
    return {
        "audits_done": audit_counts["done"],
        "audits_passed": audit_counts["passed"],
        "corrective_actions_open": CorrectiveAction.objects.open_on(day).count(),
        "corrective_actions_overdue": CorrectiveAction.objects.overdue(day).count(),
        "suppliers_by_band": by_band,
        "high_risk_suppliers": by_band.get("High", 0),
        "suppliers_suspended": Supplier.objects.suspended_between(period.start, day).count(),
        "suppliers_terminated": Supplier.objects.terminated_between(period.start, day).count(),
        "code_of_conduct_accepted": accepted,
        "code_of_conduct_suppliers": on_register,
        "code_of_conduct_acceptance_pct": _pct(accepted, on_register),
        "questionnaires_sent": QuestionnaireRequest.objects.filter(sent_at__gte=start, sent_at__lt=end).count(),
        "questionnaires_returned": QuestionnaireRequest.objects.filter(
            submitted_at__gte=start, submitted_at__lt=end
        ).count(),
    }


def _suppliers_by_band(day: datetime.date) -> dict:
    """Suppliers on the register on the date by their risk band then (latest assessment by the date).

    A supplier terminated (terminated_at, set by the decision service) by the date is not counted; one
    terminated after it is.
    """
    band_then = (
        RiskAssessment.objects.filter(supplier=OuterRef("pk"), assessed_at__lt=end_of_day(day))
        .order_by("-assessed_at", "-pk")
        .values("band")[:1]
    )
    qs = Supplier.objects.on_register(day).annotate(band_then=Subquery(band_then))
    labels = dict(RiskBand.choices)
    counts: dict[str, int] = {}
    for row in qs.order_by().values("band_then").annotate(n=Count("pk")):
        label = labels.get(row["band_then"], "Not assessed")
        counts[label] = counts.get(label, 0) + row["n"]
    order = ["High", "Medium", "Low", "Not assessed"]
    return {label: counts[label] for label in order if label in counts}


# --- Governance (this app) --------------------------------------------------------------


def governance_figures(period: Period, today: datetime.date | None = None) -> dict:
    day = as_of(period, today)
    risks = RiskRegisterEntry.objects.open_on(day).order_by()
    risk_counts = risks.aggregate(open=Count("pk"), review_overdue=Count("pk", filter=Q(review_due__lt=day)))
    last_review = (
        RiskRegisterReview.objects.filter(reviewed_on__lte=day)
        .order_by("-reviewed_on", "-pk")
        .only("reviewed_on", "next_review_due")
        .first()
    )
    # The version of each policy in force on the date, and whether its review date had passed.
    in_force: dict[int, datetime.date] = {}
    for policy_id, review_on in (
        PolicyVersion.objects.filter(published_at__lt=end_of_day(day), effective_date__lte=day)
        .order_by("policy_id", "number")
        .values_list("policy_id", "next_review_date")
    ):
        in_force[policy_id] = review_on
    return {
        "governance_meetings": GovernanceMeeting.objects.filter(held_on__range=(period.start, day)).count(),
        "risks_open": risk_counts["open"],
        "risk_reviews_overdue": risk_counts["review_overdue"],
        "register_reviewed_on": last_review.reviewed_on.isoformat() if last_review else "",
        "register_review_due": last_review.next_review_due.isoformat() if last_review else "",
        "policies_in_force": len(in_force),
        "policies_review_overdue": sum(1 for review_on in in_force.values() if review_on < day),
        "actions_done": ActionPlanItem.objects.filter(
            status=ActionPlanItem.Status.DONE, completed_on__range=(period.start, day)
        ).count(),
    }


def compute(period: Period, today: datetime.date | None = None) -> dict:
    """Every KPI for the period, as plain numbers and {label: count} breakdowns (JSON-safe)."""
    return compute_many([period], today)[0]


def compute_many(periods: list[Period], today: datetime.date | None = None) -> list[dict]:
    """Every KPI for several periods at once, each as at its as-at date: the big tables are read once for all."""
    today = today or timezone.localdate()
    results: list[dict] = [
        {
            "as_of": as_of(period, today).isoformat(),
            "to_date": is_to_date(period, today),
            "as_at_label": as_at_label(period, today),
        }
        for period in periods
    ]
    for section in (concern_figures_many, training_figures_many):
        for figures, part in zip(results, section(periods, today), strict=True):
            figures.update(part)
    for figures, period in zip(results, periods, strict=True):
        figures.update(supplier_figures(period, today))
        figures.update(governance_figures(period, today))
    return results


def period_comparison(period: Period, today: datetime.date | None = None) -> dict:
    """A period's KPIs beside the previous period's, with the trend rows: what the dashboard, the API and the Board report show."""
    previous = period.previous()
    figures, previous_figures = compute_many([period, previous], today)
    return {
        "period": period,
        "previous": previous,
        "figures": figures,
        "previous_figures": previous_figures,
        "rows": trend(figures, previous_figures),
    }


def trend(current: dict, previous: dict) -> list[dict]:
    """The scalar KPIs side by side with the previous period, with the direction in words."""
    rows = []
    for kpi in KPIS:
        now, before = current.get(kpi.key, 0), previous.get(kpi.key, 0)
        if kpi.key in ("median_days_to_resolve", "median_hours_to_triage"):
            # With nothing resolved (triaged) there is no median: say so, rather than "0 days" and a trend.
            basis = "concerns_resolved" if kpi.key == "median_days_to_resolve" else "cases_triaged"
            now = now if current.get(basis) else None
            before = before if previous.get(basis) else None
        change = 0 if now is None or before is None else round(now - before, 1)
        if now is None or before is None:
            direction, verdict = "not comparable", "same"
        elif change == 0:
            direction, verdict = "no change", "same"
        else:
            direction = "up" if change > 0 else "down"
            if kpi.higher_is_better is None:
                verdict = "neutral"
            else:
                verdict = "better" if (change > 0) == kpi.higher_is_better else "worse"
        rows.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "section": kpi.section,
                "unit": kpi.unit,
                "value": now,
                "previous": before,
                "change": change,
                "direction": direction,
                "verdict": verdict,
            }
        )
    return rows
