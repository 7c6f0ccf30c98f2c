"""Reads for suppliers, each restricted to what the asking user may see."""

from __future__ import annotations

import datetime

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance import rules as role_rules
from compliance.dates import end_of_day
from compliance.figure_cache import cached_figures
from compliance.models import User
from compliance.page_lists import lists_with_rows
from suppliers import scoring
from suppliers.figures import REGISTER_FIGURES
from suppliers.models import (
    Action,
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CountryRisk,
    EnhancedDueDiligence,
    Finding,
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    ReviewTask,
    RiskAssessment,
    RiskBand,
    RiskWeight,
    SubSupplier,
    Supplier,
    SupplierCertificate,
    SupplierDocument,
    SupplierImport,
    SupplierPortalLink,
    token_digest,
)


def supplier_list(*, user: User) -> QuerySet[Supplier]:
    """The register the user may read, with the counts the list shows, by name (filter it with suppliers.filters.SupplierFilter)."""
    # Each count is a correlated subquery, not a Count(distinct) over joins: PostgreSQL works
    # it out only for the rows a page shows (after the LIMIT), and the paginator's COUNT(*)
    # leaves it out, so the register costs the same at 10 suppliers and at 10,000. Overdue is
    # the one rule (CorrectiveAction.objects.overdue), the same as the "Overdue" summary link.
    return (
        Supplier.objects.restrict(user, Action.VIEW)
        .select_related("contract_owner", "ppn009_assessor")
        .annotate(
            open_findings=_per_supplier(Finding.objects.filter(status=Finding.Status.OPEN)),
            overdue_actions=_per_supplier(CorrectiveAction.objects.overdue()),
        )
        .order_by("name", "pk")
    )


# What a register row shows (suppliers.templatetags.supplier_tags.register_rows), and no more: the
# other 40-odd columns (countries decoded per row, a dozen dates) were a fifth of the page's reading.
REGISTER_ROW_FIELDS = (
    "name",
    "category",
    "status",
    "risk_band",
    "risk_score",
    "annual_spend",
    "next_review_due",
    "termination_recommended_at",
    # is_prohibited_agency reads these three.
    "is_recruitment_agency",
    "agency_fees_outcome",
    "agency_ids_outcome",
    "contract_owner__full_name",
    "contract_owner__email",
)


def supplier_register(*, user: User) -> QuerySet[Supplier]:
    """`supplier_list` with only the columns the register page's rows show (filter it with SupplierFilter)."""
    return supplier_list(user=user).select_related(None).select_related("contract_owner").only(*REGISTER_ROW_FIELDS)


def agency_list(*, user: User) -> QuerySet[Supplier]:
    """The agencies the user may read (HR as well as the register's readers), by name."""
    return (
        Supplier.objects.restrict(user, Action.VIEW)
        .agencies()
        .select_related("contract_owner", "agency_fees_checked_by", "agency_ids_checked_by")
        .order_by("name", "pk")
    )


def _per_supplier(rows: QuerySet) -> Coalesce:
    """How many of `rows` belong to the outer query's supplier (0 when none)."""
    counted = rows.filter(supplier=OuterRef("pk")).order_by().values("supplier").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def supplier_choices(*, user: User) -> QuerySet[Supplier]:
    """Suppliers a form may link to (the case triage form): the register the user may read, by name, no counts."""
    return (
        Supplier.objects.restrict(user, Action.VIEW)
        .only("pk", "name", "status", "registration_number")
        .order_by("name", "pk")
    )


def supplier_search(*, user: User, text: str = "") -> QuerySet[Supplier]:
    """`supplier_choices` whose name contains ``text`` or whose registration number starts with it."""
    suppliers = supplier_choices(user=user)
    if text:
        suppliers = suppliers.filter(Q(name__icontains=text) | Q(registration_number__istartswith=text))
    return suppliers


def supplier_records(*, user: User) -> QuerySet[Supplier]:
    """The register the user may read, by name, with the people each supplier names: one supplier's page, the API.

    Without the register rows' per-supplier counts (supplier_list): nothing else shows them, and
    their two subqueries were a third of reading one supplier (1.5 of 3.5 ms). Who made the agency
    checks is joined, not read once per supplier.
    """
    return (
        Supplier.objects.restrict(user, Action.VIEW)
        .select_related("contract_owner", "ppn009_assessor", "agency_fees_checked_by", "agency_ids_checked_by")
        .order_by("name", "pk")
    )


def supplier_get(*, user: User, pk: int) -> Supplier | None:
    return supplier_records(user=user).filter(pk=pk).first()


def supplier_history(*, supplier: Supplier):
    return supplier.events.select_related("actor")


def supplier_detail_records(*, user: User, supplier: Supplier) -> dict:
    """What the supplier's page shows besides the supplier: each list restricted like its own page."""
    # The latest assessment is the first of the ten listed (newest first): one query for both.
    assessments = list(
        RiskAssessment.objects.restrict(user).filter(supplier=supplier).select_related("assessed_by")[:10]
    )
    # Most suppliers have none of these (on the bench, ten or eleven empty lists a page: audits are
    # on 30% of suppliers, the rest on under 15%): one query says which have rows, and an empty
    # list costs no query of its own (about 0.8 ms of CPU each).
    # Unrestricted: a list with no rows at all has none the user may see either.
    has = _supplier_has_rows(supplier)
    return {
        "latest": assessments[0] if assessments else None,
        "assessments": assessments,
        "events": supplier_history(supplier=supplier).restrict(user)[:200],
        "audits": Audit.objects.restrict(user)
        .filter(supplier=supplier)
        .select_related("auditor")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("-created_at")))
        if has["audits"]
        else [],
        "questionnaire_findings": Finding.objects.restrict(user)
        .filter(supplier=supplier, source=Finding.Source.QUESTIONNAIRE)
        .select_related("questionnaire__template")
        if has["questionnaire_findings"]
        else [],
        "actions": corrective_action_list(user=user).filter(supplier=supplier) if has["actions"] else [],
        "questionnaires": QuestionnaireRequest.objects.restrict(user)
        .filter(supplier=supplier)
        .select_related("template", "sent_by")
        if has["questionnaires"]
        else [],
        "acceptances": list(
            CodeOfConductAcceptance.objects.restrict(user)
            .filter(supplier=supplier)
            .select_related("code", "recorded_by")
        )
        if has["acceptances"]
        else [],
        "enhanced_checks": list(
            EnhancedDueDiligence.objects.restrict(user).filter(supplier=supplier).select_related("recorded_by")
        )
        if has["enhanced_checks"]
        else [],
        "review_tasks": review_task_list(user=user).open().filter(supplier=supplier) if has["review_tasks"] else [],
        "documents": SupplierDocument.objects.restrict(user).filter(supplier=supplier).select_related("uploaded_by")
        if has["documents"]
        else [],
        "portal_links": list(
            SupplierPortalLink.objects.restrict(user)
            .filter(supplier=supplier)
            .select_related("sent_by", "revoked_by")[:20]
        )
        if has["portal_links"]
        else [],
        "certificates": certificate_list(user=user).filter(supplier=supplier) if has["certificates"] else [],
        "sub_suppliers": sub_supplier_risks(user=user, supplier=supplier) if has["sub_suppliers"] else [],
    }


# The supplier page's mostly empty lists (compliance.page_lists): name, model, owner field, condition.
_PAGE_LISTS = (
    ("questionnaire_findings", Finding, "supplier", (("source", Finding.Source.QUESTIONNAIRE.value),)),
    ("review_tasks", ReviewTask, "supplier", ()),
    ("documents", SupplierDocument, "supplier", ()),
    ("portal_links", SupplierPortalLink, "supplier", ()),
    ("certificates", SupplierCertificate, "supplier", ()),
    ("sub_suppliers", SubSupplier, "supplier", ()),
    ("audits", Audit, "supplier", ()),
    ("actions", CorrectiveAction, "supplier", ()),
    ("questionnaires", QuestionnaireRequest, "supplier", ()),
    ("acceptances", CodeOfConductAcceptance, "supplier", ()),
    ("enhanced_checks", EnhancedDueDiligence, "supplier", ()),
)


def _supplier_has_rows(supplier: Supplier) -> dict[str, bool]:
    """Which of the supplier page's mostly empty lists have any rows at all (one query)."""
    return lists_with_rows(_PAGE_LISTS, supplier.pk)


def sub_supplier_list(*, user: User, supplier: Supplier) -> QuerySet[SubSupplier]:
    """The supplier's tier-2 and tier-3 suppliers, tier 2 first, each tier-3 with its parent."""
    return (
        SubSupplier.objects.restrict(user, Action.VIEW)
        .filter(supplier=supplier)
        .select_related("parent")
        .order_by("tier", "name", "pk")
    )


def sub_supplier_risks(*, user: User, supplier: Supplier) -> list:
    """The supplier's tier-2/3 suppliers with their own country and category risk (suppliers.scoring)."""
    subs = list(sub_supplier_list(user=user, supplier=supplier))
    if not subs:
        return []
    tables = scoring.Tables.load()
    return [scoring.sub_supplier_risk(sub, tables) for sub in subs]


def risk_assessment_list(*, user: User) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.restrict(user, Action.VIEW).select_related("supplier", "assessed_by")


def audit_list(*, user: User) -> QuerySet[Audit]:
    """The audits the user may read, newest planned first (the order of the index audit_by_planned_date).

    finding_count is a correlated subquery, not Count("findings"): the join and GROUP BY made
    PostgreSQL count every audit's findings and sort them all before the LIMIT (24 ms at 3,000
    audits); as a subquery it reads the index in order and counts only the page's 50 rows, and
    the paginator's COUNT(*) leaves it out.
    """
    findings = Finding.objects.filter(audit=OuterRef("pk")).order_by().values("audit").annotate(n=Count("pk"))
    return (
        Audit.objects.restrict(user, Action.VIEW)
        .select_related("supplier", "auditor")
        .annotate(finding_count=Coalesce(Subquery(findings.values("n"), output_field=IntegerField()), 0))
        .order_by("-planned_date", "-pk")
    )


# The columns a row of the audit list shows (suppliers.templatetags.audit_tags.audit_rows): not the
# audit's scope and summary texts, nor the supplier's 60 other columns (countries decoded per row).
AUDIT_LIST_FIELDS = (
    "supplier__name",
    "kind",
    "method",
    "planned_date",
    "auditor__full_name",
    "auditor__email",
    "auditor_name",
    "status",
    "result",
)


def audit_get(*, user: User, pk: int) -> Audit | None:
    return audit_list(user=user).filter(pk=pk).first()


def audit_findings(*, audit: Audit) -> QuerySet[Finding]:
    return audit.findings.prefetch_related("corrective_actions__owner")


def finding_list(*, user: User) -> QuerySet[Finding]:
    # The question's text is shown; the supplier and the audit only by key (finding_get joins them).
    return Finding.objects.restrict(user, Action.VIEW).select_related("question")


def finding_get(*, user: User, pk: int) -> Finding | None:
    return finding_list(user=user).select_related("supplier", "audit").filter(pk=pk).first()


def corrective_action_list(*, user: User) -> QuerySet[CorrectiveAction]:
    """Every action for supplier readers; a contract owner sees the actions they own."""
    return CorrectiveAction.objects.restrict(user, Action.VIEW).select_related("supplier", "owner", "finding")


# The columns the open-actions list shows (suppliers/action_list.html): not the supplier's
# countries or the finding, which the whole-row read joined and decoded for every row.
CORRECTIVE_ACTION_LIST_FIELDS = (
    "supplier__name",
    "description",
    "owner__full_name",
    "owner__email",
    "due_date",
    "status",
    "escalation_level",
)


def corrective_action_rows(*, user: User) -> QuerySet[CorrectiveAction]:
    """corrective_action_list, reading only what the list page shows."""
    return (
        CorrectiveAction.objects.restrict(user, Action.VIEW)
        .select_related("supplier", "owner")
        .only(*CORRECTIVE_ACTION_LIST_FIELDS)
    )


def corrective_action_get(*, user: User, pk: int) -> CorrectiveAction | None:
    return corrective_action_list(user=user).filter(pk=pk).first()


def corrective_action_timeline(*, action: CorrectiveAction):
    return action.events.select_related("actor")


def review_task_list(*, user: User) -> QuerySet[ReviewTask]:
    """Every review task for supplier readers; anyone else sees the tasks assigned to them."""
    return ReviewTask.objects.restrict(user, Action.VIEW).select_related("supplier", "assigned_to")


def questionnaire_list(*, user: User) -> QuerySet[QuestionnaireRequest]:
    return QuestionnaireRequest.objects.restrict(user, Action.VIEW).select_related(
        "supplier", "template", "sent_by", "reviewed_by"
    )


def questionnaire_list_with_answers(*, user: User) -> QuerySet[QuestionnaireRequest]:
    """The questionnaires the user may read, each with its answers and their questions (the API)."""
    return questionnaire_list(user=user).prefetch_related(
        Prefetch(
            "answers",
            queryset=QuestionnaireAnswer.objects.select_related("question__section").order_by(
                "question__section__order", "question__order", "question__pk"
            ),
        )
    )


def questionnaire_get(*, user: User, pk: int) -> QuestionnaireRequest | None:
    """One sent questionnaire with its template's questions and the answers, for review."""
    return (
        questionnaire_list(user=user)
        # The answers' questions too: the page marks each gap answer with its question's severity.
        .prefetch_related("template__sections__questions", "answers__document", "answers__question")
        .filter(pk=pk)
        .first()
    )


def questionnaire_for_link(*, token: str) -> QuestionnaireRequest | None:
    """The open questionnaire a link points at, or None: used, expired, cancelled or unknown all look the same.

    No user: the link's token is the supplier contact's only credential.
    """
    if not token or len(token) > 100:
        return None
    questionnaire = (
        QuestionnaireRequest.objects.select_related("supplier", "template")
        .filter(token_hash=token_digest(token))
        .first()
    )
    return questionnaire if questionnaire is not None and questionnaire.is_open else None


def questionnaire_for_session(*, pk, token_hash) -> QuestionnaireRequest | None:
    """The open questionnaire a supplier contact's session holds, while its link is still the current one.

    A withdrawn or re-sent link ends the session's access.
    """
    questionnaire = (
        QuestionnaireRequest.objects.select_related("supplier", "template")
        .prefetch_related("template__sections__questions", "answers")
        .filter(pk=pk, token_hash=token_hash, token_hash__isnull=False)
        .first()
    )
    return questionnaire if questionnaire is not None and questionnaire.is_open else None


def questionnaire_template_list(*, user: User) -> QuerySet[QuestionnaireTemplate]:
    return QuestionnaireTemplate.objects.restrict(user, Action.VIEW)


def questionnaire_template_get(*, user: User, pk: int) -> QuestionnaireTemplate | None:
    return questionnaire_template_list(user=user).prefetch_related("sections__questions").filter(pk=pk).first()


def questionnaire_template_question(*, template: QuestionnaireTemplate, pk) -> Question | None:
    """One question of a template the caller has already read through questionnaire_template_get (None if not its own)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Question.objects.filter(section__template=template, pk=pk).first()


def document_get(*, user: User, pk: int) -> SupplierDocument | None:
    """A document readers may open; a corrective action owner may open their action's evidence."""
    return SupplierDocument.objects.restrict(user, Action.VIEW).select_related("supplier").filter(pk=pk).first()


def code_of_conduct_list(*, user: User) -> QuerySet[CodeOfConduct]:
    return CodeOfConduct.objects.restrict(user, Action.VIEW).annotate(acceptance_count=Count("acceptances"))


def code_of_conduct_current() -> CodeOfConduct | None:
    """The version suppliers are asked to accept now: the latest published (everyone on the register sees it)."""
    return CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-effective_from", "-pk").first()


def risk_tables(*, user: User) -> dict:
    """The scoring tables procurement edits (weights, countries, categories), for those who may read them."""
    return {
        "weights": RiskWeight.objects.restrict(user, Action.VIEW),
        "countries": CountryRisk.objects.restrict(user, Action.VIEW),
        "categories": CategoryRisk.objects.restrict(user, Action.VIEW),
    }


def register_summary(*, user: User) -> dict:
    """The risk picture for the top of the register: bands, decisions and overdue actions.

    Two queries over every supplier and action (4 ms on 10,000 suppliers), so kept in the cache
    until a supplier or an action changes (suppliers.figures), one copy a day: everyone who may
    read the register reads all of it, so it is the same figure for each of them.
    """
    if not role_rules.can_view_suppliers.test(user):
        return _register_summary(user)
    return cached_figures(REGISTER_FIGURES, ("summary", timezone.localdate()), lambda: _register_summary(user))


def register_count(suppliers: QuerySet[Supplier]) -> int:
    """How many suppliers a filtered register list has, cached until a supplier or an action changes.

    Keyed on the SQL and parameters of the list's keys (its WHERE: scope and filters, and the day
    for a filter that reads the date), not of the whole list: compiling the list's columns, joins
    and per-row counts for a key cost more (0.9 ms) than the COUNT it saved. Saves the page's
    COUNT over 10,000 suppliers.
    """
    try:
        sql, params = suppliers.values("pk").order_by().query.sql_with_params()
    except EmptyResultSet:  # none(), or a filter that can match nothing: no SQL to key on, nothing to count
        return 0
    return cached_figures(REGISTER_FIGURES, ("count", sql, params), suppliers.count)


def _register_summary(user: User) -> dict:
    live = Supplier.objects.restrict(user, Action.VIEW).exclude(status=Supplier.Status.TERMINATED)
    summary = live.aggregate(
        high=Count("pk", filter=Q(risk_band=RiskBand.HIGH)),
        medium=Count("pk", filter=Q(risk_band=RiskBand.MEDIUM)),
        low=Count("pk", filter=Q(risk_band=RiskBand.LOW)),
        decisions=Count("pk", filter=Q(termination_recommended_at__isnull=False)),
        reviews_due=Count("pk", filter=Q(next_review_due__lte=timezone.localdate() + timezone.timedelta(days=30))),
    )
    # The same rule (and so the same count) as the list behind the "Overdue" link.
    summary["overdue_actions"] = CorrectiveAction.objects.restrict(user, Action.VIEW).overdue().count()
    return summary


def code_of_conduct_acceptance_figures(*, as_of: datetime.date) -> tuple[int, int]:
    """(accepted, on the register): suppliers on the register on the date that had accepted the version then in force.

    The version in force is the latest published by the date with an effective
    date on or before it. Two queries; aggregate only, for the KPIs.
    """
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
    return SupplierImport.objects.restrict(user, Action.VIEW).defer("content").select_related("uploaded_by")


def supplier_import_get(*, user: User, pk: int) -> SupplierImport | None:
    # Only the people who may change the register see its imports; for everyone else they do not exist.
    return supplier_import_list(user=user).filter(pk=pk).first()


# --- Supplier portal ------------------------------------------------------------------


def portal_link_for_token(*, token: str) -> SupplierPortalLink | None:
    """The working portal link a token opens, or None: unknown, expired, revoked or terminated all look the same.

    No user: the link's token is the supplier contact's only credential.
    """
    if not token or len(token) > 100:
        return None
    return (
        SupplierPortalLink.objects.working().select_related("supplier").filter(token_hash=token_digest(token)).first()
    )


def portal_link_for_session(*, pk, token_hash) -> SupplierPortalLink | None:
    """The working portal link a contact's session holds (a revoke, expiry or termination ends the session's access)."""
    if not pk or not token_hash:
        return None
    return SupplierPortalLink.objects.working().select_related("supplier").filter(pk=pk, token_hash=token_hash).first()


def portal_contents(*, link: SupplierPortalLink) -> dict:
    """What the contact sees in the portal: their supplier's acceptances, certificates and open questionnaires."""
    supplier = link.supplier
    now = timezone.now()
    return {
        "acceptances": list(CodeOfConductAcceptance.objects.filter(supplier=supplier).select_related("code")),
        "certificates": list(SupplierCertificate.objects.filter(supplier=supplier)),
        "questionnaires": list(
            QuestionnaireRequest.objects.filter(
                supplier=supplier,
                status__in=QuestionnaireRequest.OPEN_STATUSES,
                expires_at__gt=now,
                token_hash__isnull=False,
            ).select_related("template")
        ),
    }


def portal_link_get(*, user: User, pk: int) -> SupplierPortalLink | None:
    return SupplierPortalLink.objects.restrict(user, Action.VIEW).select_related("supplier").filter(pk=pk).first()


def certificate_list(*, user: User) -> QuerySet[SupplierCertificate]:
    """Certificates and evidence suppliers gave, for the register's readers (their files open through document_get)."""
    return SupplierCertificate.objects.restrict(user, Action.VIEW).select_related(
        "supplier", "document", "uploaded_via"
    )


def conduct_acceptance_list(*, user: User) -> QuerySet[CodeOfConductAcceptance]:
    return CodeOfConductAcceptance.objects.restrict(user, Action.VIEW).select_related("supplier", "code", "recorded_by")
