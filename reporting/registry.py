"""The GOV.UK modern slavery statement registry's CSV, so a submission is a copy, not new work.

Sources (checked with the search tool; the live service itself was not reachable):
* Columns, their order and how each answer is written: the registry service's own
  download model, `StatementSummaryDownloadModel` in its source code
  (github.com/mccabesp/ModernSlavery-Beta, ModernSlavery.WebAPI/Models/
  StatementSummaryDownloadModel.cs), which maps each statement to the rows of the
  yearly "Download statement summary data" file on
  https://modern-slavery-statement-registry.service.gov.uk/data-about-modern-slavery-statement-registry.
  The same source's `SubmissionLogModel` has the same columns.
* Answer lists and bands: the registry's `StatementSummary` V1 enums (policies,
  training, partners, social audits, grievance mechanisms, risk source, supply-chain
  tiers, affected groups, ILO indicators, remediation), `Statement.StatementTurnoverRanges`
  and `Statement.StatementYearRanges`, and MSU-StatementSectorTypes.csv for sectors
  (see reporting/models.py).
* Cell format: a parser of the live yearly files (stefanoseggio/
  uk-modern-slavery-statement-registry-monitor, src/types.ts) reads booleans as
  "Yes" or empty and lists as CRLF-joined; dates are the registry's en-GB short
  dates (dd/mm/yyyy). That parser counts 76 columns in the live 2026 file: the 71
  below plus columns the registry itself adds (e.g. PDFURL, PDFDate), which an
  organisation does not supply and this export leaves out.
* Registry year: the financial year end plus six months, as the data page explains.
"""

from __future__ import annotations

import datetime

from reporting import models as reporting_models
from reporting.models import NONE, OTHER, Statement

# s.54(5)'s six areas as the registry names them: (section key, area flag, reason column), registry order.
AREA_COLUMNS = [
    ("structure", "StatementIncludesOrgStructure", "NoOrgStructureReason"),
    ("policies", "StatementIncludesPolicies", "NoPoliciesReason"),
    ("risk_assessment", "StatementIncludesRisksAssessment", "NoRiskAssessmentReason"),
    ("due_diligence", "StatementIncludesDueDiligence", "NoDueDiligenceReason"),
    ("training", "StatementIncludesTraining", "NoTrainingReason"),
    ("effectiveness", "StatementIncludesGoals", "NoGoalsReason"),
]
RISK_SUFFIXES = ["", "Area", "SupplyChainTier", "GroupAffected", "OtherGroupAffected", "Location", "Mitigation"]

HEADER = [
    "StatementYear",
    "OrganisationName",
    "Address",
    "SectorType",
    "CompanyNumber",
    "LastUpdated",
    "GroupSubmission",
    "ParentName",
    "StatementURL",
    "EmailAddressNoURL",
    "StatementSummaryURL",
    "StatementStartDate",
    "StatementEndDate",
    "ApprovingPerson",
    "DateApproved",
    *[column for _, flag, reason in AREA_COLUMNS for column in (flag, reason)],
    "OrganisationSectors",
    "OtherOrganisationSector",
    "Turnover",
    "YearsProducingStatements",
    "Policies",
    "OtherPolicies",
    "NoPolicies",
    "Training",
    "OtherTraining",
    "NoTraining",
    "WorkingConditionsEngagement",
    "NoEngagement",
    "SocialAudits",
    "NoSocialAudits",
    "GrievanceMechanisms",
    "NoGrievanceMechanisms",
    "OtherMonitoring",
    "NoRisks",
    *[f"Risk{n}{suffix}" for n in range(1, reporting_models.MAX_REGISTRY_RISKS + 1) for suffix in RISK_SUFFIXES],
    "ILOIndicatorsInStatement",
    "NoILOIndicatorsInStatement",
    "ILOIndicatorsActions",
    "ILOIndicatorsNoActions",
    "DemonstrateProgress",
]

# The registry's SectorTypes: public bodies are "Public", everyone else "Private".
PUBLIC_SECTORS = {"nhs", "public"}
NEWLINE = "\r\n"  # the registry joins lists and address lines with the host's newline (Windows)
YES = "Yes"


def registry_year(period_end: datetime.date) -> int:
    """The registry year: the year end plus six months (Jan-Jun year ends keep their year)."""
    return period_end.year if period_end.month <= 6 else period_end.year + 1


def _date(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _labels(values: list, choices: list) -> str:
    """The ticked answers in the registry's words, without "none" (that has its own column)."""
    lookup = dict(choices)
    return NEWLINE.join(lookup[v] for v, _ in choices if v in (values or []) and v != NONE)


def _none(values: list) -> str:
    return _yes(NONE in (values or []))


def covers(statement: Statement, key: str) -> bool:
    return bool((getattr(statement, key) or "").strip())


def _risk_cells(risk: dict | None) -> list[str]:
    if not risk:
        return [""] * len(RISK_SUFFIXES)
    area = risk.get("area", "")
    area_text = risk.get("other_area", "") if area == OTHER else dict(reporting_models.RISK_AREAS).get(area, "")
    return [
        risk.get("description", ""),
        area_text,
        _labels(risk.get("tiers", []), reporting_models.SUPPLY_CHAIN_TIERS),
        _labels(risk.get("groups", []), reporting_models.AFFECTED_GROUPS),
        risk.get("other_groups", "") if OTHER in risk.get("groups", []) else "",
        NEWLINE.join(c.strip() for c in risk.get("countries", []) if c.strip()),
        risk.get("mitigation", ""),
    ]


def rows(statements, *, organisation):
    # Cells are made formula-safe by compliance.exports, which writes every CSV.
    yield from _rows(statements, organisation=organisation)


def row_dict(statement: Statement, *, organisation) -> dict:
    """One statement's registry row, column name to cell (for the page that shows what will be submitted)."""
    return dict(zip(HEADER, next(_rows([statement], organisation=organisation)), strict=True))


def _rows(statements, *, organisation):
    entities = list(organisation.legal_entities.values_list("name", flat=True))
    group = len(entities) > 1
    company = organisation.company_number or organisation.charity_number or organisation.ods_code
    address = NEWLINE.join(line.strip() for line in organisation.address.splitlines() if line.strip())
    for s in statements:
        reasons = s.area_reasons or {}
        risks = list(s.risks or [])[: reporting_models.MAX_REGISTRY_RISKS]
        risks += [None] * (reporting_models.MAX_REGISTRY_RISKS - len(risks))
        other = OTHER in (s.policy_areas or [])
        yield [
            registry_year(s.period_end),
            organisation.legal_name,
            address,
            "Public" if organisation.sector in PUBLIC_SECTORS else "Private",
            company,
            f"{s.updated_at:%d/%m/%Y %H:%M:%S}",
            _yes(group),
            organisation.legal_name if group else "",
            s.published_url,
            s.statement_email if not s.published_url else "",
            s.registry_summary_url,
            _date(s.period_start),
            _date(s.period_end),
            # One approving-person field: the registry never splits a name ("Dr Jane Smith").
            s.signatory_name,
            _date(s.approved_on),
            *[
                cell
                for key, _, _ in AREA_COLUMNS
                for cell in (_yes(covers(s, key)), "" if covers(s, key) else reasons.get(key, ""))
            ],
            _labels(s.registry_sectors, reporting_models.REGISTRY_SECTORS),
            s.other_sector if OTHER in (s.registry_sectors or []) else "",
            organisation.get_turnover_band_display() if organisation.turnover_band else "",
            reporting_models.years_producing_band(s.years_producing),
            _labels(s.policy_areas, reporting_models.POLICY_AREAS),
            s.other_policies if other else "",
            _none(s.policy_areas),
            _labels(s.training_audiences, reporting_models.TRAINING_AUDIENCES),
            s.other_training if OTHER in (s.training_audiences or []) else "",
            _none(s.training_audiences),
            _labels(s.monitoring_partners, reporting_models.MONITORING_PARTNERS),
            _none(s.monitoring_partners),
            _labels(s.social_audits, reporting_models.SOCIAL_AUDITS),
            _none(s.social_audits),
            _labels(s.grievance_mechanisms, reporting_models.GRIEVANCE_MECHANISMS),
            _none(s.grievance_mechanisms),
            s.other_monitoring,
            _yes(s.no_risks),
            *[cell for risk in risks for cell in _risk_cells(None if s.no_risks else risk)],
            _labels(s.ilo_indicators, reporting_models.ILO_INDICATORS),
            _none(s.ilo_indicators),
            _labels(s.remediation, reporting_models.REMEDIATION),
            _none(s.remediation),
            s.progress_measurement,
        ]
