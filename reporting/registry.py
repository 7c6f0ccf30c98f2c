"""The GOV.UK modern slavery statement registry's fields, so a submission is a copy, not new work.

Column names follow the registry's public CSV (StatementYear ... Goals), then
the submission form's extra questions.
"""

from __future__ import annotations

from reporting import models as m
from reporting.models import Statement

SECTION_COLUMNS = [registry for _, _, registry in Statement.SECTIONS]

HEADER = [
    "StatementYear",
    "OrganisationName",
    "Address",
    "SectorType",
    "CompanyNumber",
    "GroupSubmission",
    "ParentName",
    "OrganisationsCovered",
    "StatementURL",
    "StatementStartDate",
    "StatementEndDate",
    "ApproverFirstName",
    "ApproverLastName",
    "ApproverJobTitle",
    "DateApproved",
    "ApprovedBy",
    "LastUpdated",
    "OrganisationSectors",
    "Turnover",
    "Status",
    "Version",
    "CarriedForward",
    *SECTION_COLUMNS,
    "PolicyAreas",
    "TrainingAudiences",
    "MonitoringPartners",
    "SocialAudits",
    "GrievanceMechanisms",
    "RiskDescription",
    "RiskLocations",
    "AffectedGroups",
    "RiskCountries",
    "ILOIndicators",
    "Remediation",
    "ProgressMeasurement",
    "KeyAchievements",
    "YearsProducingStatements",
]

PUBLIC_SECTORS = {"nhs", "public"}


def _labels(values: list, choices: list) -> str:
    lookup = dict(choices)
    return "; ".join(lookup.get(v, v) for v in values)


def rows(statements, *, organisation):
    # Cells are made formula-safe by compliance.exports, which writes every CSV.
    yield from _rows(statements, organisation=organisation)


def _rows(statements, *, organisation):
    entities = list(organisation.legal_entities.values_list("name", flat=True))
    company = organisation.company_number or organisation.charity_number or organisation.ods_code
    for s in statements:
        first, _, last = (s.signatory_name or "").partition(" ")
        yield [
            s.period_end.year,
            organisation.legal_name,
            " ".join(organisation.address.split()),
            "Public" if organisation.sector in PUBLIC_SECTORS else "Private",
            company,
            "Yes" if len(entities) > 1 else "No",
            organisation.legal_name if len(entities) > 1 else "",
            "; ".join(entities),
            s.published_url,
            s.period_start.isoformat(),
            s.period_end.isoformat(),
            first,
            last,
            s.signatory_title,
            s.approved_on.isoformat() if s.approved_on else "",
            str(s.approved_meeting or s.approved_minute),
            s.updated_at.date().isoformat(),
            organisation.get_sector_display(),
            organisation.get_turnover_band_display() if organisation.turnover_band else "",
            s.get_status_display(),
            s.version,
            "Yes" if s.carried_forward else "No",
            # The registry marks each area covered with "Yes", leaving it blank otherwise.
            *["Yes" if (getattr(s, key) or "").strip() else "" for key, _, _ in Statement.SECTIONS],
            _labels(s.policy_areas, m.POLICY_AREAS) or "None",
            _labels(s.training_audiences, m.TRAINING_AUDIENCES),
            _labels(s.monitoring_partners, m.MONITORING_PARTNERS),
            _labels(s.social_audits, m.SOCIAL_AUDITS),
            _labels(s.grievance_mechanisms, m.GRIEVANCE_MECHANISMS),
            " ".join(s.risk_description.split()),
            _labels(s.risk_locations, m.RISK_LOCATIONS),
            _labels(s.affected_groups, m.AFFECTED_GROUPS),
            s.risk_countries,
            _labels(s.ilo_indicators, m.ILO_INDICATORS) or "None",
            _labels(s.remediation, m.REMEDIATION),
            " ".join(s.progress_measurement.split()),
            " ".join(s.key_achievements.split()),
            s.years_producing,
        ]
