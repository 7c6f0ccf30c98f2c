"""Explainable risk scoring: every point on the score is a named factor.

The score is the sum of the factors' points, so the explanation on the detail
page always adds up to the number. Weights and tables are data (RiskWeight,
CountryRisk, CategoryRisk) so procurement can recalibrate without a release.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from suppliers.models import (
    CategoryRisk,
    CountryRisk,
    Finding,
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireSection,
    RiskBand,
    RiskWeight,
    SubSupplier,
    Supplier,
)
from suppliers.risk_defaults import WEIGHTS


@dataclass
class Factor:
    key: str
    label: str
    detail: str
    points: int


@dataclass
class Tables:
    weights: dict[str, int]
    countries: dict[str, CountryRisk]
    categories: dict[str, int]

    @classmethod
    def load(cls) -> Tables:
        # Three queries, once per scoring run (the annual review scores many suppliers with one load).
        weights = {key: value for key, (value, _label, _help) in WEIGHTS.items()}
        weights.update(dict(RiskWeight.objects.values_list("key", "value")))
        return cls(
            weights=weights,
            countries={c.country.code: c for c in CountryRisk.objects.all()},
            categories=dict(CategoryRisk.objects.values_list("category", "points")),
        )

    def w(self, key: str) -> int:
        return int(self.weights.get(key, 0))


@dataclass
class Score:
    score: int
    band: str
    factors: list[Factor]
    # Critical gap answers in the accepted questionnaire: they force the band to high.
    critical_answers: list[QuestionnaireAnswer] = field(default_factory=list)
    questionnaire_id: int | None = None

    def factor_dicts(self) -> list[dict]:
        return [asdict(f) for f in self.factors]


def band_for(score: int, tables: Tables) -> str:
    if score >= tables.w("band_high_from"):
        return RiskBand.HIGH
    if score >= tables.w("band_medium_from"):
        return RiskBand.MEDIUM
    return RiskBand.LOW


def _country_factor(supplier: Supplier, tables: Tables) -> Factor | None:
    worst: Factor | None = None
    for country in supplier.countries:
        entry = tables.countries.get(country.code)
        if entry is None:
            candidate = Factor(
                "country",
                "Country of operation",
                f"{country.name}: not in the country table",
                tables.w("country_unlisted"),
            )
        else:
            candidate = Factor(
                "country", "Country of operation", f"{country.name}: {entry.get_band_display()}", entry.points
            )
        if worst is None or candidate.points > worst.points:
            worst = candidate
    return worst


def _spend_factor(supplier: Supplier, tables: Tables) -> Factor | None:
    spend = Decimal(supplier.annual_spend or 0)
    if spend >= tables.w("spend_large_from"):
        return Factor("spend", "Annual spend", f"£{spend:,.0f}: large spend", tables.w("spend_large"))
    if spend >= tables.w("spend_medium_from"):
        return Factor("spend", "Annual spend", f"£{spend:,.0f}: medium spend", tables.w("spend_medium"))
    return None


@dataclass
class SubSupplierRisk:
    sub_supplier: SubSupplier
    country: str
    country_points: int
    category_points: int

    @property
    def points(self) -> int:
        return self.country_points + self.category_points


def sub_supplier_risk(sub: SubSupplier, tables: Tables) -> SubSupplierRisk:
    """A tier-2/3 supplier's own country and category risk, from the same tables as a direct supplier's."""
    entry = tables.countries.get(sub.country.code)
    if entry is None:
        country, points = f"{sub.country.name}: not in the country table", tables.w("country_unlisted")
    else:
        country, points = f"{sub.country.name}: {entry.get_band_display()}", entry.points
    return SubSupplierRisk(sub, country, points, tables.categories.get(sub.category, 0))


def _tier_factor(subs: list[SubSupplier], tables: Tables) -> Factor | None:
    """The worst tier-2/3 supplier counts, at its tier's share of its points (weights tier2_share, tier3_share)."""
    worst: Factor | None = None
    for sub in subs:
        risk = sub_supplier_risk(sub, tables)
        share = tables.w(f"tier{sub.tier}_share")
        points = round(risk.points * share / 100)
        detail = (
            f"{sub.get_tier_display()}: {sub.name} ({risk.country}; {sub.get_category_display()}), "
            f"{share}% of {risk.points} points"
        )
        if worst is None or points > worst.points:
            worst = Factor("supply_chain_tier", "Tier-2/3 supply chain: worst country/category risk", detail, points)
    return worst


def supplier_score(supplier: Supplier, *, tables: Tables | None = None) -> Score:
    """Score a supplier (saved or not) and explain each point."""
    tables = tables or Tables.load()
    factors: list[Factor] = []
    critical: list[QuestionnaireAnswer] = []
    questionnaire_id = None

    country = _country_factor(supplier, tables)
    if country:
        factors.append(country)
    category_points = tables.categories.get(supplier.category, 0)
    factors.append(Factor("category", "Category", supplier.get_category_display(), category_points))
    spend = _spend_factor(supplier, tables)
    if spend:
        factors.append(spend)
    for flag, key, label in (
        (supplier.uses_agency_labour, "labour_agency", "Uses agency labour"),
        (supplier.subcontracts, "labour_subcontracts", "Subcontracts the work"),
        (supplier.migrant_workforce, "labour_migrant", "Migrant workforce"),
        (supplier.on_site_at_our_premises, "labour_on_site", "Works on site at our premises"),
    ):
        if flag:
            factors.append(Factor(key, "Labour model", label, tables.w(key)))
    if supplier.is_prohibited_agency:
        reasons = []
        if supplier.agency_charges_worker_fees:
            reasons.append("charges workers fees")
        if supplier.agency_retains_id_documents:
            reasons.append("retains identity documents")
        factors.append(
            Factor("prohibited_agency", "Prohibited agency", " and ".join(reasons), tables.w("prohibited_agency"))
        )

    if supplier.pk:
        tier = _tier_factor(list(SubSupplier.objects.filter(supplier=supplier)), tables)
        if tier:
            factors.append(tier)
        # A questionnaire finding is the same fact as its gap answer, which is scored below: counting
        # it here as well would score one admission twice.
        open_findings = Finding.objects.filter(
            supplier=supplier, status=Finding.Status.OPEN, source=Finding.Source.AUDIT
        )
        counts: dict[str, int] = {}
        for severity in open_findings.values_list("severity", flat=True):
            counts[severity] = counts.get(severity, 0) + 1
        for severity in (Finding.Severity.CRITICAL, Finding.Severity.MAJOR, Finding.Severity.MINOR):
            n = counts.get(severity, 0)
            if n:
                key = f"finding_{severity}"
                factors.append(
                    Factor(
                        key, "Open findings", f"{n} open {severity} finding{'s' if n != 1 else ''}", n * tables.w(key)
                    )
                )
        accepted = (
            QuestionnaireRequest.objects.filter(supplier=supplier, status=QuestionnaireRequest.Status.ACCEPTED)
            .order_by("-reviewed_at", "-pk")
            .first()
        )
        if accepted is None:
            factors.append(
                Factor(
                    "questionnaire_missing",
                    "Questionnaire",
                    "No accepted questionnaire",
                    tables.w("questionnaire_missing"),
                )
            )
        else:
            questionnaire_id = accepted.pk
            for answer in questionnaire_gaps(accepted):
                severity = answer.question.severity
                factors.append(
                    Factor(
                        "questionnaire_answer",
                        "Questionnaire answer",
                        f"{answer.question.text} Answered “{answer.value.strip()}” ({severity} gap)",
                        tables.w(f"questionnaire_gap_{severity}"),
                    )
                )
                if severity == Question.Severity.CRITICAL:
                    critical.append(answer)
            if critical:
                # Points alone could leave a supplier that admits forced-labour indicators in
                # "medium"; the band is forced to high, as for a prohibited agency, and this
                # row says why (0 points, so the explanation still adds up to the score).
                factors.append(
                    Factor(
                        "critical_indicator",
                        "Critical indicator",
                        f"{len(critical)} critical questionnaire gap{'s' if len(critical) != 1 else ''}: "
                        "high risk whatever the points",
                        0,
                    )
                )
    else:
        factors.append(
            Factor(
                "questionnaire_missing", "Questionnaire", "No accepted questionnaire", tables.w("questionnaire_missing")
            )
        )

    total = max(0, sum(f.points for f in factors))
    band = RiskBand.HIGH if critical else band_for(total, tables)
    return Score(score=total, band=band, factors=factors, critical_answers=critical, questionnaire_id=questionnaire_id)


def questionnaire_gaps(questionnaire: QuestionnaireRequest) -> list[QuestionnaireAnswer]:
    """The accepted answers that are gaps and count (severity above "none"), in questionnaire order."""
    answers = (
        QuestionnaireAnswer.objects.filter(request=questionnaire)
        .exclude(question__severity=Question.Severity.NONE)
        .select_related("question__section")
        .order_by("question__section__order", "question__order", "question__pk")
    )
    return [a for a in answers if a.is_gap]


@dataclass
class SectionScore:
    section: QuestionnaireSection
    questions: int
    gaps: int
    points: int


def questionnaire_section_scores(
    questionnaire: QuestionnaireRequest, *, tables: Tables | None = None
) -> list[SectionScore]:
    """Per section of a questionnaire: its questions, its gap answers, and the points those gaps weigh.

    Reads the template's sections, questions and answers already prefetched on the
    questionnaire (selectors.questionnaire_get), plus the weights.
    """
    tables = tables or Tables.load()
    answers = {a.question_id: a for a in questionnaire.answers.all()}
    scores = []
    for section in questionnaire.template.sections.all():
        questions = list(section.questions.all())
        gaps = [
            q
            for q in questions
            if q.pk in answers and q.is_gap(answers[q.pk].value) and q.severity != Question.Severity.NONE
        ]
        scores.append(
            SectionScore(
                section=section,
                questions=len(questions),
                gaps=len(gaps),
                points=sum(tables.w(f"questionnaire_gap_{q.severity}") for q in gaps),
            )
        )
    return scores
