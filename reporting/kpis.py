"""The KPIs of policy 8.1, computed for any period from the other apps' records.

Each section reads one app with a fixed number of aggregate queries (never a
query per row), so the dashboard and the Board report cost the same at ten
rows and at a hundred thousand. An app whose models have not landed, or that
has no data yet, yields zeros, never an error.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from reporting.periods import Period


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()} if model is not None else set()


def _aware(day: datetime.date, end: bool = False) -> datetime.datetime:
    moment = datetime.datetime.combine(day + datetime.timedelta(days=1) if end else day, datetime.time.min)
    return timezone.make_aware(moment)


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
    Kpi("concerns_resolved", "Concerns resolved", "Concerns and cases", higher_is_better=True),
    Kpi("concerns_open", "Concerns open at period end", "Concerns and cases", higher_is_better=False),
    Kpi("median_days_to_resolve", "Median days to resolve", "Concerns and cases", "days", higher_is_better=False),
    Kpi("training_completion_pct", "Training completion", "Training", "%", higher_is_better=True),
    Kpi("policy_acknowledgement_pct", "Policy acknowledgement", "Training", "%", higher_is_better=True),
    Kpi("recruitment_checks_complete_pct", "Recruitment checks complete", "Training", "%", higher_is_better=True),
    Kpi("audits_done", "Supplier audits done", "Suppliers", higher_is_better=True),
    Kpi("audits_passed", "Supplier audits passed", "Suppliers", higher_is_better=True),
    Kpi("corrective_actions_open", "Corrective actions open", "Suppliers", higher_is_better=False),
    Kpi("corrective_actions_overdue", "Corrective actions overdue", "Suppliers", higher_is_better=False),
    Kpi("high_risk_suppliers", "High-risk suppliers", "Suppliers", higher_is_better=False),
    Kpi("questionnaires_returned", "Questionnaires returned", "Suppliers", higher_is_better=True),
    Kpi("governance_meetings", "Governance meetings held", "Governance", higher_is_better=True),
    Kpi("risks_open", "Open risks on the register", "Governance"),
    Kpi("actions_done", "Action plan items completed", "Governance", higher_is_better=True),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


# --- Concerns and cases (safeguarding) ---------------------------------------------------


def concern_figures(period: Period) -> dict:
    return concern_figures_many([period])[0]


def concern_figures_many(periods: list[Period]) -> list[dict]:
    """Received, resolved and open concerns, median days to resolve, by outcome and by subject, per period.

    One grouped query for all the periods, plus one median query per period. A
    reopened case has its closed_at cleared by the case service, so it counts as
    open (and not as resolved) until it is closed again.
    """
    results = [
        {
            "concerns_received": 0,
            "concerns_resolved": 0,
            "concerns_open": 0,
            "median_days_to_resolve": 0,
            "concerns_by_outcome": {},
            "concerns_by_subject": {},
        }
        for _ in periods
    ]
    Concern = _model("safeguarding", "Concern")
    if Concern is None or not {"created_at", "closed_at", "outcome", "subject_type"} <= _fields(Concern):
        return results
    subject_labels = dict(Concern._meta.get_field("subject_type").choices or [])
    outcome_labels = dict(Concern._meta.get_field("outcome").choices or [])
    filters, counts, any_period = [], {}, Q(pk__in=[])
    for i, period in enumerate(periods):
        start, end = _aware(period.start), _aware(period.end, end=True)
        received_q = Q(created_at__gte=start, created_at__lt=end)
        resolved_q = Q(status="closed", closed_at__gte=start, closed_at__lt=end)
        open_q = Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        filters.append(resolved_q)
        counts[f"received_{i}"] = Count("pk", filter=received_q)
        counts[f"resolved_{i}"] = Count("pk", filter=resolved_q)
        counts[f"open_{i}"] = Count("pk", filter=open_q)
        any_period |= received_q | resolved_q | open_q
    # Only codes and counts leave the case table: no narrative, no reporter.
    rows = Concern.objects.filter(any_period).order_by().values("subject_type", "outcome").annotate(**counts)
    for row in rows:
        subject = str(subject_labels.get(row["subject_type"], row["subject_type"] or "Not recorded"))
        outcome = str(outcome_labels.get(row["outcome"], row["outcome"] or "No outcome recorded"))
        for i, figures in enumerate(results):
            if row[f"received_{i}"]:
                figures["concerns_by_subject"][subject] = (
                    figures["concerns_by_subject"].get(subject, 0) + row[f"received_{i}"]
                )
            if row[f"resolved_{i}"]:
                figures["concerns_by_outcome"][outcome] = (
                    figures["concerns_by_outcome"].get(outcome, 0) + row[f"resolved_{i}"]
                )
            figures["concerns_open"] += row[f"open_{i}"]
    for figures, resolved_q in zip(results, filters, strict=True):
        figures["concerns_by_subject"] = dict(sorted(figures["concerns_by_subject"].items()))
        figures["concerns_by_outcome"] = dict(sorted(figures["concerns_by_outcome"].items()))
        figures["concerns_received"] = sum(figures["concerns_by_subject"].values())
        count = figures["concerns_resolved"] = sum(figures["concerns_by_outcome"].values())
        # The median in the database: read only the middle one or two durations, not every case.
        # (Asked even when nothing was resolved, so the page's query count does not depend on the data.)
        middle = (
            Concern.objects.filter(resolved_q)
            .annotate(took=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()))
            .order_by("took")
            .values_list("took", flat=True)[max(count - 1, 0) // 2 : count // 2 + 1]
        )
        days = [took.total_seconds() / 86400 for took in middle]
        figures["median_days_to_resolve"] = round(statistics.mean(days), 1) if days else 0
    return results


# --- Training, acknowledgements, recruitment checks ------------------------------------


def _employed_at(day: datetime.date, prefix: str = "") -> Q:
    """People on the books at the end of `day`: leavers count until their leaving date."""
    p = prefix
    return Q(**{f"{p}left_on__gt": day}) | Q(**{f"{p}left_on__isnull": True, f"{p}is_active": True})


def _training_standings(TrainingRecord, dates: list[datetime.date]) -> list[tuple]:
    """(course, department, complete_0, counted_0, complete_1, counted_1, ...) per course and department.

    One query for all the dates. The same rule as the training app's completion
    rates, per person and course as at each date: a completion valid on the date
    is complete; otherwise a record past its due date is overdue, and an old
    completion is expired; pairs with nothing yet due, and people not employed on
    the date, are not counted. Raw SQL because it aggregates over a per-pair
    aggregate, which the ORM cannot express; at 200,000 records reading every
    row into Python took seconds.
    """
    from django.db import connection

    from compliance.models import Department, User

    Course = TrainingRecord._meta.get_field("course").related_model
    record, user, course, department = (
        TrainingRecord._meta.db_table,
        User._meta.db_table,
        Course._meta.db_table,
        Department._meta.db_table,
    )
    pair_columns, outer_columns = [], []
    params: dict = {"yes": True, "latest": max(dates)}
    for i, day in enumerate(dates):
        params[f"d{i}"] = day
        d, held = f"%(d{i})s", f"r.assigned_on <= %(d{i})s"
        pair_columns.append(
            f"MAX(CASE WHEN {held} AND r.completed_on <= {d} AND (r.expires_on IS NULL OR r.expires_on > {d})"
            f" THEN 1 ELSE 0 END) AS valid_{i},"
            f" MAX(CASE WHEN {held} AND (r.completed_on IS NULL OR r.completed_on > {d}) AND r.due_on < {d}"
            f" THEN 1 ELSE 0 END) AS overdue_{i},"
            f" MAX(CASE WHEN {held} AND r.completed_on <= {d} THEN 1 ELSE 0 END) AS done_{i}"
        )
        employed = f"(u.left_on > {d} OR (u.left_on IS NULL AND u.is_active = %(yes)s))"
        outer_columns.append(
            f"SUM(CASE WHEN {employed} THEN p.valid_{i} ELSE 0 END),"
            f" SUM(CASE WHEN {employed} AND (p.valid_{i} = 1 OR p.overdue_{i} = 1 OR p.done_{i} = 1)"
            f" THEN 1 ELSE 0 END)"
        )
    sql = f"""
        WITH pairs AS (
            SELECT r.user_id, r.course_id, {", ".join(pair_columns)}
            FROM {record} r
            WHERE r.assigned_on <= %(latest)s
            GROUP BY r.user_id, r.course_id
        )
        SELECT c.title, d.name, {", ".join(outer_columns)}
        FROM pairs p
        JOIN {course} c ON c.id = p.course_id
        JOIN {user} u ON u.id = p.user_id
        LEFT JOIN {department} d ON d.id = u.department_id
        GROUP BY c.title, d.name
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def training_figures(period: Period) -> dict:
    return training_figures_many([period])[0]


def training_figures_many(periods: list[Period]) -> list[dict]:
    """Training completion as at each period's end (overall, by course, by department), acknowledgements, checks."""
    results = []
    TrainingRecord = _model("training", "TrainingRecord")
    rows = _training_standings(TrainingRecord, [p.end for p in periods]) if TrainingRecord is not None else []
    for i, period in enumerate(periods):
        totals = [0, 0]
        by_course: dict[str, list[int]] = {}
        by_department: dict[str, list[int]] = {}
        for row in rows:
            course, department = row[0], row[1] or "No department"
            complete, counted = row[2 + 2 * i] or 0, row[3 + 2 * i] or 0
            for bucket in (totals, by_course.setdefault(course, [0, 0]), by_department.setdefault(department, [0, 0])):
                bucket[0] += complete
                bucket[1] += counted
        results.append(
            {
                "training_completion_pct": _pct(*totals),
                "training_by_course": {k: _pct(*v) for k, v in sorted(by_course.items()) if v[1]},
                "training_by_department": {k: _pct(*v) for k, v in sorted(by_department.items()) if v[1]},
                "policy_acknowledgement_pct": _acknowledgement_pct(period.end),
                "recruitment_checks_complete_pct": _recruitment_checks_pct(period.end),
            }
        )
    return results


def _acknowledgement_pct(as_of: datetime.date) -> float:
    """Acknowledgements of the versions in force at the date, by people employed then, over people x policies."""
    PolicyVersion = _model("compliance", "PolicyVersion")
    Acknowledgement = _model("compliance", "Acknowledgement")
    if PolicyVersion is None or Acknowledgement is None:
        return 0.0
    end = _aware(as_of, end=True)
    current: dict[int, int] = {}
    for policy_id, version_id in (
        PolicyVersion.objects.filter(
            policy__requires_acknowledgement=True, published_at__lt=end, effective_date__lte=as_of
        )
        .order_by("policy_id", "number")
        .values_list("policy_id", "pk")
    ):
        current[policy_id] = version_id
    if not current:
        return 0.0
    from compliance.models import User

    staff = User.objects.filter(_employed_at(as_of)).count()
    acknowledged = (
        Acknowledgement.objects.filter(
            _employed_at(as_of, "user__"), version_id__in=current.values(), acknowledged_at__lt=end
        )
        .order_by()
        .count()
    )
    return _pct(acknowledged, staff * len(current))


def _recruitment_checks_pct(as_of: datetime.date) -> float:
    """Workers employed at the date whose checks were all complete on it (DBS clear, right to work, contract)."""
    RecruitmentCheck = _model("training", "RecruitmentCheck")
    if RecruitmentCheck is None:
        return 0.0
    from compliance.models import User

    workers = User.objects.filter(_employed_at(as_of)).count()
    complete = (
        RecruitmentCheck.objects.filter(
            _employed_at(as_of, "worker__"),
            dbs_outcome="clear",
            dbs_checked_on__lte=as_of,
            right_to_work_verified_on__lte=as_of,
            contract_accessible_given_on__lte=as_of,
        )
        .filter(Q(right_to_work_expires_on__isnull=True) | Q(right_to_work_expires_on__gt=as_of))
        .order_by()
        .count()
    )
    return _pct(complete, workers)


# --- Suppliers ------------------------------------------------------------------------


def supplier_figures(period: Period) -> dict:
    """Audits done and passed in the period; corrective actions, risk bands and the register as at its end."""
    figures = {
        "audits_done": 0,
        "audits_passed": 0,
        "corrective_actions_open": 0,
        "corrective_actions_overdue": 0,
        "high_risk_suppliers": 0,
        "suppliers_by_band": {},
        "questionnaires_sent": 0,
        "questionnaires_returned": 0,
    }
    Supplier = _model("suppliers", "Supplier")
    if Supplier is None:
        return figures
    start, end = _aware(period.start), _aware(period.end, end=True)
    Audit = _model("suppliers", "Audit")
    if Audit is not None:
        audits = Audit.objects.filter(status="completed", completed_date__range=(period.start, period.end)).order_by()
        # Passed: compliant or minor issues only; major or critical findings fail the audit.
        counts = audits.aggregate(done=Count("pk"), passed=Count("pk", filter=Q(result__in=["compliant", "minor"])))
        figures["audits_done"], figures["audits_passed"] = counts["done"], counts["passed"]
    CorrectiveAction = _model("suppliers", "CorrectiveAction")
    if CorrectiveAction is not None:
        open_at_end = CorrectiveAction.objects.filter(created_at__lt=end).filter(
            Q(verified_at__isnull=True) | Q(verified_at__gte=end)
        )
        counts = open_at_end.order_by().aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=period.end))
        )
        figures["corrective_actions_open"], figures["corrective_actions_overdue"] = counts["open"], counts["overdue"]
    figures["suppliers_by_band"] = _suppliers_by_band(Supplier, period, end)
    figures["high_risk_suppliers"] = figures["suppliers_by_band"].get("High", 0)
    Questionnaire = _model("suppliers", "QuestionnaireRequest")
    if Questionnaire is not None:
        figures["questionnaires_sent"] = Questionnaire.objects.filter(sent_at__gte=start, sent_at__lt=end).count()
        figures["questionnaires_returned"] = Questionnaire.objects.filter(
            submitted_at__gte=start, submitted_at__lt=end
        ).count()
    return figures


def _suppliers_by_band(Supplier, period: Period, end: datetime.datetime) -> dict:
    """Suppliers on the register at the period end by their risk band then (latest assessment before the end).

    A supplier terminated before the end is not counted; one terminated after it is.
    """
    from django.db.models import OuterRef, Subquery

    RiskAssessment = _model("suppliers", "RiskAssessment")
    SupplierEvent = _model("suppliers", "SupplierEvent")
    qs = Supplier.objects.filter(created_at__lt=end).exclude(status="prospective")
    if SupplierEvent is not None:
        terminated_before_end = SupplierEvent.objects.filter(
            supplier=OuterRef("pk"), kind="decision", message__startswith="Terminated", at__lt=end
        )
        from django.db.models import Exists

        qs = qs.exclude(Exists(terminated_before_end))
    if RiskAssessment is not None:
        band_then = (
            RiskAssessment.objects.filter(supplier=OuterRef("pk"), assessed_at__lt=end)
            .order_by("-assessed_at", "-pk")
            .values("band")[:1]
        )
        qs = qs.annotate(band_then=Subquery(band_then))
        field = "band_then"
    else:
        field = "risk_band"
    labels = {"low": "Low", "medium": "Medium", "high": "High"}
    counts: dict[str, int] = {}
    for row in qs.order_by().values(field).annotate(n=Count("pk")):
        label = labels.get(row[field], "Not assessed")
        counts[label] = counts.get(label, 0) + row["n"]
    order = ["High", "Medium", "Low", "Not assessed"]
    return {label: counts[label] for label in order if label in counts}


# --- Governance (this app) --------------------------------------------------------------


def governance_figures(period: Period) -> dict:
    from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry

    risks = RiskRegisterEntry.objects.filter(
        status=RiskRegisterEntry.Status.OPEN, created_at__lt=_aware(period.end, True)
    )
    return {
        "governance_meetings": GovernanceMeeting.objects.filter(held_on__range=(period.start, period.end)).count(),
        "risks_open": risks.count(),
        "actions_done": ActionPlanItem.objects.filter(
            status=ActionPlanItem.Status.DONE, completed_on__range=(period.start, period.end)
        ).count(),
    }


def compute(period: Period) -> dict:
    """Every KPI for the period, as plain numbers and {label: count} breakdowns (JSON-safe)."""
    return compute_many([period])[0]


def compute_many(periods: list[Period]) -> list[dict]:
    """Every KPI for several periods at once: the big tables are read once for all of them."""
    results: list[dict] = [{} for _ in periods]
    for section in (concern_figures_many, training_figures_many):
        for figures, part in zip(results, section(periods), strict=True):
            figures.update(part)
    for figures, period in zip(results, periods, strict=True):
        figures.update(supplier_figures(period))
        figures.update(governance_figures(period))
    return results


def trend(current: dict, previous: dict) -> list[dict]:
    """The scalar KPIs side by side with the previous period, with the direction in words."""
    rows = []
    for kpi in KPIS:
        now, before = current.get(kpi.key, 0), previous.get(kpi.key, 0)
        if kpi.key == "median_days_to_resolve":
            # With nothing resolved there is no median: say so, rather than "0 days" and a trend.
            now = now if current.get("concerns_resolved") else None
            before = before if previous.get("concerns_resolved") else None
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
