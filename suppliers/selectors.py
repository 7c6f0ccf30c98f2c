"""Reads for suppliers, each restricted to what the asking user may see."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from compliance import rules as r
from compliance.models import User
from suppliers.models import (
    Audit,
    CodeOfConduct,
    CorrectiveAction,
    Finding,
    QuestionnaireRequest,
    ReviewTask,
    RiskAssessment,
    Supplier,
    SupplierDocument,
    SupplierImport,
)


def supplier_list(*, user: User, filters: dict | None = None) -> QuerySet[Supplier]:
    """The register for readers and managers (nothing for anyone else), filtered."""
    if not r.can_view_suppliers.test(user):
        return Supplier.objects.none()
    qs = Supplier.objects.select_related("contract_owner").annotate(
        open_findings=Count("findings", filter=Q(findings__status=Finding.Status.OPEN), distinct=True),
        overdue_actions=Count(
            "corrective_actions",
            filter=Q(
                corrective_actions__status=CorrectiveAction.Status.OPEN, corrective_actions__escalation_level__gt=0
            ),
            distinct=True,
        ),
    )
    f = filters or {}
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(name__icontains=q) | Q(registration_number__icontains=q) | Q(contact_name__icontains=q))
    for key in ("category", "status", "risk_band"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("country"):
        # CountryField(multiple=True) stores "GB,IN": match the code as a whole item.
        code = f["country"].upper()
        qs = qs.filter(
            Q(countries=code)
            | Q(countries__startswith=f"{code},")
            | Q(countries__endswith=f",{code}")
            | Q(countries__contains=f",{code},")
        )
    if f.get("contract_owner"):
        qs = qs.filter(contract_owner_id=f["contract_owner"])
    if f.get("agency"):
        qs = qs.filter(Q(is_recruitment_agency=True) | Q(category=Supplier.Category.AGENCY_STAFFING))
    if f.get("termination_recommended"):
        qs = qs.filter(termination_recommended_at__isnull=False)
    order = f.get("order") or "name"
    allowed = {"name", "-risk_score", "risk_score", "-annual_spend", "next_review_due"}
    return qs.order_by(order if order in allowed else "name", "pk")


def supplier_get(*, user: User, pk: int) -> Supplier | None:
    return supplier_list(user=user).filter(pk=pk).first()


def supplier_history(*, supplier: Supplier):
    return supplier.events.select_related("actor")


def risk_assessment_list(*, user: User) -> QuerySet[RiskAssessment]:
    if not r.can_view_suppliers.test(user):
        return RiskAssessment.objects.none()
    return RiskAssessment.objects.select_related("supplier", "assessed_by")


def audit_list(*, user: User, filters: dict | None = None) -> QuerySet[Audit]:
    if not r.can_view_suppliers.test(user):
        return Audit.objects.none()
    qs = (
        Audit.objects.select_related("supplier", "auditor")
        .annotate(finding_count=Count("findings"))
        .order_by("-planned_date", "-pk")
    )
    f = filters or {}
    for key in ("status", "result", "kind", "method"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("supplier"):
        qs = qs.filter(supplier_id=f["supplier"])
    return qs


def finding_list(*, user: User) -> QuerySet[Finding]:
    if not r.can_view_suppliers.test(user):
        return Finding.objects.none()
    return Finding.objects.select_related("supplier", "audit")


def corrective_action_list(*, user: User) -> QuerySet[CorrectiveAction]:
    """Every action for supplier readers; a contract owner sees the actions they own."""
    qs = CorrectiveAction.objects.select_related("supplier", "owner", "finding")
    if r.can_view_suppliers.test(user):
        return qs
    return qs.filter(owner=user)


def corrective_action_get(*, user: User, pk: int) -> CorrectiveAction | None:
    return corrective_action_list(user=user).filter(pk=pk).first()


def review_task_list(*, user: User) -> QuerySet[ReviewTask]:
    qs = ReviewTask.objects.select_related("supplier", "assigned_to")
    if r.can_view_suppliers.test(user):
        return qs
    return qs.filter(assigned_to=user)


def questionnaire_request_list(*, user: User) -> QuerySet[QuestionnaireRequest]:
    if not r.can_view_suppliers.test(user):
        return QuestionnaireRequest.objects.none()
    return QuestionnaireRequest.objects.select_related("supplier", "template", "sent_by", "reviewed_by")


def document_get(*, user: User, pk: int) -> SupplierDocument | None:
    """A document readers may open; a corrective action owner may open their action's evidence."""
    qs = SupplierDocument.objects.select_related("supplier")
    if r.can_view_suppliers.test(user):
        return qs.filter(pk=pk).first()
    owned = CorrectiveAction.objects.filter(owner=user, evidence_document_id=pk)
    return qs.filter(pk=pk).first() if owned.exists() else None


def code_of_conduct_list(*, user: User) -> QuerySet[CodeOfConduct]:
    if not r.can_view_suppliers.test(user):
        return CodeOfConduct.objects.none()
    return CodeOfConduct.objects.annotate(acceptance_count=Count("acceptances"))


def register_summary(*, user: User) -> dict:
    """The risk picture for the top of the register: bands, decisions and overdue actions (two queries)."""
    if not r.can_view_suppliers.test(user):
        return {}
    from django.utils import timezone

    live = Supplier.objects.exclude(status=Supplier.Status.TERMINATED)
    summary = live.aggregate(
        high=Count("pk", filter=Q(risk_band="high")),
        medium=Count("pk", filter=Q(risk_band="medium")),
        low=Count("pk", filter=Q(risk_band="low")),
        decisions=Count("pk", filter=Q(termination_recommended_at__isnull=False)),
        reviews_due=Count("pk", filter=Q(next_review_due__lte=timezone.localdate() + timezone.timedelta(days=30))),
    )
    # The same rule (and so the same count) as the list behind the "Overdue" link.
    summary["overdue_actions"] = CorrectiveAction.objects.overdue().count()
    return summary


def code_of_conduct_acceptance_figures(*, as_of: datetime.date) -> tuple[int, int]:
    """(accepted, on the register): suppliers on the register on the date that had accepted the version then in force.

    The version in force is the latest published by the date with an effective
    date on or before it. Two queries; aggregate only, for the KPIs.
    """
    from compliance.dates import end_of_day

    suppliers = Supplier.objects.on_register(as_of)
    code = (
        CodeOfConduct.objects.filter(published_at__lt=end_of_day(as_of), effective_from__lte=as_of)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if code is None:
        return 0, suppliers.count()
    counts = suppliers.order_by().aggregate(
        # distinct: the join to acceptances repeats a supplier once per version it accepted.
        total=Count("pk", distinct=True),
        accepted=Count(
            "pk",
            distinct=True,
            filter=Q(conduct_acceptances__code=code, conduct_acceptances__accepted_on__lte=as_of),
        ),
    )
    return counts["accepted"], counts["total"]


def supplier_import_list(*, user: User) -> QuerySet[SupplierImport]:
    """Register imports, for the people who may change the register (the file itself is not loaded)."""
    if not r.can_manage_suppliers.test(user):
        return SupplierImport.objects.none()
    return SupplierImport.objects.defer("content").select_related("uploaded_by")
