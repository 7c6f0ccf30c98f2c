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
    """Received, resolved and open concerns, median days to resolve, by outcome and by subject.

    Three queries. A reopened case has its closed_at cleared by the case
    service, so it counts as open (and not as resolved) until closed again.
    """
    figures = {
        "concerns_received": 0,
        "concerns_resolved": 0,
        "concerns_open": 0,
        "median_days_to_resolve": 0,
        "concerns_by_outcome": {},
        "concerns_by_subject": {},
    }
    Concern = _model("safeguarding", "Concern")
    if Concern is None or not {"created_at", "closed_at", "outcome", "subject_type"} <= _fields(Concern):
        return figures
    start, end = _aware(period.start), _aware(period.end, end=True)
    received = Concern.objects.filter(created_at__gte=start, created_at__lt=end)
    subject_labels = dict(Concern._meta.get_field("subject_type").choices or [])
    by_subject = {
        str(subject_labels.get(row["subject_type"], row["subject_type"] or "Not recorded")): row["n"]
        for row in received.order_by().values("subject_type").annotate(n=Count("pk")).order_by("subject_type")
    }
    figures["concerns_by_subject"] = by_subject
    figures["concerns_received"] = sum(by_subject.values())

    resolved = Concern.objects.filter(status="closed", closed_at__gte=start, closed_at__lt=end).order_by()
    outcome_labels = dict(Concern._meta.get_field("outcome").choices or [])
    by_outcome: dict[str, int] = {}
    for row in resolved.values("outcome").annotate(n=Count("pk")).order_by("outcome"):
        label = str(outcome_labels.get(row["outcome"], row["outcome"] or "No outcome recorded"))
        by_outcome[label] = by_outcome.get(label, 0) + row["n"]
    count = sum(by_outcome.values())
    figures["concerns_resolved"] = count
    figures["concerns_by_outcome"] = dict(sorted(by_outcome.items()))
    # The median in the database: read only the middle one or two durations, not every case.
    # (Asked even when nothing was resolved, so the page's query count does not depend on the data.)
    middle = (
        resolved.annotate(took=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()))
        .order_by("took")
        .values_list("took", flat=True)[max(count - 1, 0) // 2 : count // 2 + 1]
    )
    days = [took.total_seconds() / 86400 for took in middle]
    figures["median_days_to_resolve"] = round(statistics.mean(days), 1) if days else 0
    figures["concerns_open"] = (
        Concern.objects.filter(created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .order_by()
        .count()
    )
    return figures


# --- Training, acknowledgements, recruitment checks ------------------------------------


def _employed_at(day: datetime.date, prefix: str = "") -> Q:
    """People on the books at the end of `day`: leavers count until their leaving date."""
    p = prefix
    return Q(**{f"{p}left_on__gt": day}) | Q(**{f"{p}left_on__isnull": True, f"{p}is_active": True})


def _training_standings(TrainingRecord, as_of: datetime.date) -> list[tuple]:
    """(course, department, complete, counted) per course and department, in one query.

    The same rule as the training app's completion rates, applied per person and
    course as at the date: a completion valid on the date is complete; otherwise a
    record past its due date is overdue, and an old completion is expired; pairs
    with nothing yet due are not counted. Raw SQL because it aggregates over a
    per-pair aggregate, which the ORM cannot express; at 200,000 records reading
    every row into Python took seconds.
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
    sql = f"""
        WITH pairs AS (
            SELECT r.user_id, r.course_id,
                MAX(CASE WHEN r.completed_on <= %(d)s AND (r.expires_on IS NULL OR r.expires_on > %(d)s)
                    THEN 1 ELSE 0 END) AS valid,
                MAX(CASE WHEN (r.completed_on IS NULL OR r.completed_on > %(d)s) AND r.due_on < %(d)s
                    THEN 1 ELSE 0 END) AS overdue,
                MAX(CASE WHEN r.completed_on <= %(d)s THEN 1 ELSE 0 END) AS done
            FROM {record} r JOIN {user} u ON u.id = r.user_id
            WHERE r.assigned_on <= %(d)s
              AND (u.left_on > %(d)s OR (u.left_on IS NULL AND u.is_active = %(yes)s))
            GROUP BY r.user_id, r.course_id
        )
        SELECT c.title, d.name, SUM(p.valid),
               SUM(CASE WHEN p.valid = 1 OR p.overdue = 1 OR p.done = 1 THEN 1 ELSE 0 END)
        FROM pairs p
        JOIN {course} c ON c.id = p.course_id
        JOIN {user} u ON u.id = p.user_id
        LEFT JOIN {department} d ON d.id = u.department_id
        GROUP BY c.title, d.name
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"d": as_of, "yes": True})
        return list(cursor.fetchall())


def training_figures(period: Period) -> dict:
    """Training completion as at the period end (overall, by course, by department), acknowledgements, checks."""
    figures = {
        "training_completion_pct": 0.0,
        "training_by_course": {},
        "training_by_department": {},
        "policy_acknowledgement_pct": 0.0,
        "recruitment_checks_complete_pct": 0.0,
    }
    as_of = period.end
    TrainingRecord = _model("training", "TrainingRecord")
    if TrainingRecord is not None:
        totals = [0, 0]
        by_course: dict[str, list[int]] = {}
        by_department: dict[str, list[int]] = {}
        for course, department, complete, counted in _training_standings(TrainingRecord, as_of):
            for bucket in (
                totals,
                by_course.setdefault(course, [0, 0]),
                by_department.setdefault(department or "No department", [0, 0]),
            ):
                bucket[0] += complete or 0
                bucket[1] += counted or 0
        figures["training_completion_pct"] = _pct(*totals)
        figures["training_by_course"] = {k: _pct(*v) for k, v in sorted(by_course.items()) if v[1]}
        figures["training_by_department"] = {k: _pct(*v) for k, v in sorted(by_department.items()) if v[1]}

    figures["policy_acknowledgement_pct"] = _acknowledgement_pct(as_of)
    figures["recruitment_checks_complete_pct"] = _recruitment_checks_pct(as_of)
    return figures


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
    figures: dict = {}
    for section in (concern_figures, training_figures, supplier_figures, governance_figures):
        figures.update(section(period))
    return figures


def trend(current: dict, previous: dict) -> list[dict]:
    """The scalar KPIs side by side with the previous period, with the direction in words."""
    rows = []
    for kpi in KPIS:
        now, before = current.get(kpi.key, 0), previous.get(kpi.key, 0)
        change = round(now - before, 1)
        if change == 0:
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
