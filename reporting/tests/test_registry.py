"""The GOV.UK registry export: the registry's own columns and answer lists, row by row, and the pre-filled answers.

The expected columns and answer wording below are copied from the registry service's
source (StatementSummaryDownloadModel and the StatementSummary V1 enums; see
reporting/registry.py for where), not from this application's code, so a drift on
either side fails here.
"""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog, LegalEntity
from reporting import models as reporting_models
from reporting import registry, registry_prefill, services
from reporting.periods import financial_year
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory
from tests.support import download_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]

TODAY = datetime.date(2025, 7, 1)

REGISTRY_COLUMNS = [
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
    "StatementIncludesOrgStructure",
    "NoOrgStructureReason",
    "StatementIncludesPolicies",
    "NoPoliciesReason",
    "StatementIncludesRisksAssessment",
    "NoRiskAssessmentReason",
    "StatementIncludesDueDiligence",
    "NoDueDiligenceReason",
    "StatementIncludesTraining",
    "NoTrainingReason",
    "StatementIncludesGoals",
    "NoGoalsReason",
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
    "Risk1",
    "Risk1Area",
    "Risk1SupplyChainTier",
    "Risk1GroupAffected",
    "Risk1OtherGroupAffected",
    "Risk1Location",
    "Risk1Mitigation",
    "Risk2",
    "Risk2Area",
    "Risk2SupplyChainTier",
    "Risk2GroupAffected",
    "Risk2OtherGroupAffected",
    "Risk2Location",
    "Risk2Mitigation",
    "Risk3",
    "Risk3Area",
    "Risk3SupplyChainTier",
    "Risk3GroupAffected",
    "Risk3OtherGroupAffected",
    "Risk3Location",
    "Risk3Mitigation",
    "ILOIndicatorsInStatement",
    "NoILOIndicatorsInStatement",
    "ILOIndicatorsActions",
    "ILOIndicatorsNoActions",
    "DemonstrateProgress",
]

REGISTRY_ANSWERS = {
    "POLICY_AREAS": [
        "Freedom of workers to terminate employment",
        "Freedom of movement",
        "Freedom of association",
        "Prohibits any threat of violence, harassment and intimidation",
        "Prohibits the use of worker-paid recruitment fees",
        "Prohibits compulsory overtime",
        "Prohibits child labour",
        "Prohibits discrimination",
        "Prohibits confiscation of workers original identification documents",
        "Provides access to remedy, compensation and justice for victims of modern slavery",
        "Other",
        "Your organisation's policies do not include any of these provisions in relation to modern slavery",
    ],
    "TRAINING_AUDIENCES": [
        "Your whole organisation",
        "Your front line staff",
        "Human resources",
        "Executive-level staff",
        "Procurement staff",
        "Your suppliers",
        "The wider community",
        "Other",
        "Your organisation did not provide training on modern slavery during the period of the statement",
    ],
    "MONITORING_PARTNERS": [
        "Your suppliers",
        "Trade unions or worker representative groups",
        "Civil society organisations",
        "Professional auditors",
        "Workers within your organisation",
        "Workers within your supply chain",
        "Central or local government",
        "Law enforcement, such as police, GLAA and other local labour market inspectorates",
        "Businesses in your industry or sector",
        "Your organisation did not engage with others to help monitor working conditions across your organisation "
        "and supply chain",
    ],
    "SOCIAL_AUDITS": [
        "Audit conducted by your staff",
        "Third party audit arranged by your organisation",
        "Audit conducted by your supplier\u2019s staff",
        "Third party audit arranged by your supplier",
        "Announced audits",
        "Unannounced audits",
        "Your organisation did not carry out any social audits during the period of the statement",
    ],
    "GRIEVANCE_MECHANISMS": [
        "Anonymous whistleblowing services, such as a helpline or an app",
        "Through trade unions or other worker representative groups",
        "Your operations and supply chain did not have grievance mechanisms in place during the period of the "
        "statement",
    ],
    "RISK_AREAS": ["Within your own operations", "Within your supply chains", "Other"],
    "SUPPLY_CHAIN_TIERS": ["Tier 1 suppliers", "Tier 2 suppliers", "Tier 3 suppliers and below", "Don't know"],
    "AFFECTED_GROUPS": ["Women", "Migrants", "Refugees", "Children", "Other vulnerable group(s)"],
    "ILO_INDICATORS": [
        "Abuse of vulnerability",
        "Deception",
        "Restriction of movement",
        "Isolation",
        "Physical and sexual violence",
        "Intimidation and threats",
        "Retention of identity documents",
        "Withholding of wages",
        "Debt bondage",
        "Abusive working and living conditions",
        "Excessive overtime",
        "Other",
        "My statement does not refer to finding any ILO indicators of forced labour",
    ],
    "REMEDIATION": [
        "Financial remediation, including repayment of recruitment fees",
        "Change in policy",
        "Change in training",
        "Referring victims to government service",
        "Supporting victims via NGO",
        "Supporting investigations by relevant authorities",
        "Other",
        "My statement does not refer to actions taken in response to finding indicators of forced labour",
    ],
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_header_is_the_registrys_columns_in_order():
    assert registry.HEADER == REGISTRY_COLUMNS
    assert len(registry.HEADER) == 71


@pytest.mark.parametrize("name", sorted(REGISTRY_ANSWERS))
def test_each_answer_list_is_the_registrys(name):
    assert [label for _, label in getattr(reporting_models, name)] == REGISTRY_ANSWERS[name]


def test_bands_are_the_registrys(organisation):
    from compliance.models import Organisation

    assert [label for _, label in Organisation.TurnoverBand.choices] == [
        "Under £36 million",
        "£36 million to £60 million",
        "£60 million to £100 million",
        "£100 million to £500 million",
        "Over £500 million",
    ]
    assert [reporting_models.years_producing_band(n) for n in (1, 2, 5, 6)] == [
        "This is the first time",
        "1 to 5 years",
        "1 to 5 years",
        "More than 5 years",
    ]


RISKS = [
    {
        "description": "Agency care workers charged recruitment fees",
        "area": "supply_chains",
        "other_area": "",
        "tiers": ["tier1", "tier2"],
        "groups": ["migrants", "women"],
        "other_groups": "",
        "countries": ["United Kingdom", "India"],
        "mitigation": "Approved agencies only",
    },
    {
        "description": "Night shifts at our own homes",
        "area": "own_operations",
        "other_area": "",
        "tiers": [],
        "groups": ["other"],
        "other_groups": "Night workers",
        "countries": ["United Kingdom"],
        "mitigation": "Rota checks",
    },
    {
        "description": "Exploitation of service users by outsiders",
        "area": "other",
        "other_area": "In the community",
        "tiers": ["unknown"],
        "groups": ["children"],
        "other_groups": "",
        "countries": ["United Kingdom"],
        "mitigation": "Safeguarding training",
    },
]


def _demo_statement(lead, board, director, organisation):
    organisation.address = "1 High Street\nLeeds\nLS1 1AA"
    organisation.turnover_band = "36m_60m"
    organisation.save()
    LegalEntity.objects.create(organisation=organisation, name="Test Care Ltd")
    LegalEntity.objects.create(organisation=organisation, name="Test Care Homes Ltd")
    statement = StatementFactory(
        created_by=lead,
        due_diligence="",
        area_reasons={"due_diligence": "We started supplier due diligence after the year end."},
        registry_sectors=["health_social_work", "other"],
        other_sector="Adult social care",
        policy_areas=["recruitment_fees", "id_documents", "other"],
        other_policies="Safer recruitment",
        training_audiences=["none"],
        monitoring_partners=["suppliers", "law_enforcement"],
        social_audits=["own_staff", "unannounced"],
        grievance_mechanisms=["whistleblowing"],
        other_monitoring="Spot checks of agency staff at night",
        risks=RISKS,
        ilo_indicators=["excessive_overtime", "retention_of_id"],
        remediation=["none"],
        progress_measurement="KPIs reviewed by the Board",
        years_producing=3,
    )
    services.statement_approve(
        statement=statement,
        actor=board,
        meeting=GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 20)),
        minute="B/25/14",
    )
    director.full_name = "Dr Jane Smith"
    director.save()
    services.statement_sign(statement=statement, actor=director, signatory_title="Chief executive", signed_on=TODAY)
    services.statement_publish(statement=statement, actor=lead, published_on=TODAY, url="https://care.example/msa")
    services.statement_record_registry(
        statement=statement,
        actor=lead,
        registry_submitted_on=TODAY,
        registry_summary_url="https://modern-slavery-statement-registry.service.gov.uk/statement-summary/AB12/2025",
    )
    statement.refresh_from_db()
    return statement


def test_demo_statement_with_three_risks_exports_row_by_row(client, login, lead, board, director, organisation):
    statement = _demo_statement(lead, board, director, organisation)
    login(lead)
    response = client.get(reverse("reporting:registry_csv"))
    reader = csv.reader(io.StringIO(download_text(response), newline=""))
    header, row = next(reader), next(reader)
    assert header == REGISTRY_COLUMNS
    assert list(reader) == []
    crlf = "\r\n"
    expected = {
        "StatementYear": "2025",
        "OrganisationName": "Test Care Ltd",
        "Address": "1 High Street\r\nLeeds\r\nLS1 1AA",
        "SectorType": "Private",
        "CompanyNumber": "01234567",
        "LastUpdated": f"{statement.updated_at:%d/%m/%Y %H:%M:%S}",
        "GroupSubmission": "Yes",
        "ParentName": "Test Care Ltd",
        "StatementURL": "https://care.example/msa",
        "EmailAddressNoURL": "",
        "StatementSummaryURL": "https://modern-slavery-statement-registry.service.gov.uk/statement-summary/AB12/2025",
        "StatementStartDate": "01/04/2024",
        "StatementEndDate": "31/03/2025",
        # One approving-person field: never split at the first space.
        "ApprovingPerson": "Dr Jane Smith",
        "DateApproved": "20/06/2025",
        "StatementIncludesOrgStructure": "Yes",
        "NoOrgStructureReason": "",
        "StatementIncludesPolicies": "Yes",
        "NoPoliciesReason": "",
        "StatementIncludesRisksAssessment": "Yes",
        "NoRiskAssessmentReason": "",
        "StatementIncludesDueDiligence": "",
        "NoDueDiligenceReason": "We started supplier due diligence after the year end.",
        "StatementIncludesTraining": "Yes",
        "NoTrainingReason": "",
        "StatementIncludesGoals": "Yes",
        "NoGoalsReason": "",
        "OrganisationSectors": f"Human health and social work activities{crlf}Other",
        "OtherOrganisationSector": "Adult social care",
        "Turnover": "£36 million to £60 million",
        "YearsProducingStatements": "1 to 5 years",
        "Policies": crlf.join(
            [
                "Prohibits the use of worker-paid recruitment fees",
                "Prohibits confiscation of workers original identification documents",
                "Other",
            ]
        ),
        "OtherPolicies": "Safer recruitment",
        "NoPolicies": "",
        "Training": "",
        "OtherTraining": "",
        "NoTraining": "Yes",
        "WorkingConditionsEngagement": "Your suppliers"
        + crlf
        + "Law enforcement, such as police, GLAA and other local labour market inspectorates",
        "NoEngagement": "",
        "SocialAudits": f"Audit conducted by your staff{crlf}Unannounced audits",
        "NoSocialAudits": "",
        "GrievanceMechanisms": "Anonymous whistleblowing services, such as a helpline or an app",
        "NoGrievanceMechanisms": "",
        "OtherMonitoring": "Spot checks of agency staff at night",
        "NoRisks": "",
        "Risk1": "Agency care workers charged recruitment fees",
        "Risk1Area": "Within your supply chains",
        "Risk1SupplyChainTier": f"Tier 1 suppliers{crlf}Tier 2 suppliers",
        "Risk1GroupAffected": f"Women{crlf}Migrants",
        "Risk1OtherGroupAffected": "",
        "Risk1Location": f"United Kingdom{crlf}India",
        "Risk1Mitigation": "Approved agencies only",
        "Risk2": "Night shifts at our own homes",
        "Risk2Area": "Within your own operations",
        "Risk2SupplyChainTier": "",
        "Risk2GroupAffected": "Other vulnerable group(s)",
        "Risk2OtherGroupAffected": "Night workers",
        "Risk2Location": "United Kingdom",
        "Risk2Mitigation": "Rota checks",
        "Risk3": "Exploitation of service users by outsiders",
        "Risk3Area": "In the community",
        "Risk3SupplyChainTier": "Don't know",
        "Risk3GroupAffected": "Children",
        "Risk3OtherGroupAffected": "",
        "Risk3Location": "United Kingdom",
        "Risk3Mitigation": "Safeguarding training",
        "ILOIndicatorsInStatement": f"Retention of identity documents{crlf}Excessive overtime",
        "NoILOIndicatorsInStatement": "",
        "ILOIndicatorsActions": "",
        "ILOIndicatorsNoActions": "Yes",
        "DemonstrateProgress": "KPIs reviewed by the Board",
    }
    assert list(expected) == REGISTRY_COLUMNS
    for column, cell in zip(header, row, strict=True):
        assert cell == expected[column], column
    assert AccessLog.objects.filter(user=lead, action=AccessLog.Action.EXPORT).exists()


def test_statement_email_stands_in_for_a_missing_website(lead, board, director, organisation):
    statement = StatementFactory(statement_email="statements@care.example", policy_areas=[])
    row = registry.row_dict(statement, organisation=organisation)
    assert (row["StatementURL"], row["EmailAddressNoURL"]) == ("", "statements@care.example")
    # Nothing ticked is not "None": the registry's None column stays empty.
    assert (row["Policies"], row["NoPolicies"]) == ("", "")
    assert row["NoRisks"] == "" and row["Risk1"] == ""


def test_public_body_and_no_risks(organisation):
    organisation.sector = "nhs"
    organisation.save()
    statement = StatementFactory(no_risks=True, risks=[])
    row = registry.row_dict(statement, organisation=organisation)
    assert (row["SectorType"], row["NoRisks"], row["Risk1Area"]) == ("Public", "Yes", "")


def test_registry_year_adds_six_months_to_the_year_end():
    assert registry.registry_year(datetime.date(2025, 3, 31)) == 2025
    assert registry.registry_year(datetime.date(2025, 6, 30)) == 2025
    assert registry.registry_year(datetime.date(2025, 7, 31)) == 2026
    assert registry.registry_year(datetime.date(2024, 12, 31)) == 2025


def test_registry_answers_are_edited_on_the_statement_form(client, login, lead):
    statement = StatementFactory(created_by=lead)
    login(lead)
    url = reverse("reporting:statement_edit", args=[statement.pk])
    base = {"title": "Statement", "structure": "We run care homes.", "years_producing": "2"}
    response = client.post(url, {**base, "policy_areas": ["child_labour", "none"], "risk1_area": "supply_chains"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be ticked with other answers" in html
    assert "Describe the risk, or clear its other answers." in html
    response = client.post(
        url,
        {
            **base,
            "policy_areas": ["child_labour"],
            "reason_due_diligence": "Not yet started",
            "risk1_description": "Agency fees",
            "risk1_area": "other",
            "risk1_other_area": "Recruitment abroad",
            "risk1_tiers": ["tier2"],
            "risk1_groups": ["migrants"],
            "risk1_countries": "India\nPhilippines",
            "risk1_mitigation": "Fee checks",
            "risk2_description": "Laundry hours",
            "risk2_area": "supply_chains",
            "risk2_tiers": ["tier1"],
        },
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.area_reasons == {"due_diligence": "Not yet started"}
    assert [r["description"] for r in statement.risks] == ["Agency fees", "Laundry hours"]
    assert statement.risks[0]["countries"] == ["India", "Philippines"]
    assert statement.risks[0]["other_area"] == "Recruitment abroad"
    # The saved answers come back on the form for the next edit.
    html = client.get(url).content.decode()
    assert "Recruitment abroad" in html and "India\nPhilippines" in html


# --- Pre-filled from the records ------------------------------------------------------------------


def test_answers_are_prefilled_from_live_records(lead, make_user, organisation):
    from django.contrib.auth.models import Group

    from safeguarding.models import Channel, Outcome, Status
    from safeguarding.tests.factories import ConcernFactory, ReferralFactory
    from suppliers.models import Audit, CorrectiveAction
    from suppliers.tests.factories import AuditFactory, CorrectiveActionFactory
    from training.tests.factories import AssignmentRuleFactory

    year = financial_year(organisation, 2025)  # April 2024 to March 2025
    inside = datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC)
    outside = datetime.datetime(2025, 5, 1, 12, tzinfo=datetime.UTC)
    AuditFactory(kind=Audit.Kind.SPOT_CHECK, status="completed", completed_date=datetime.date(2024, 9, 1), auditor=lead)
    AuditFactory(kind=Audit.Kind.PLANNED, status="completed", completed_date=datetime.date(2025, 5, 1), auditor=lead)
    ConcernFactory(channel=Channel.ANONYMOUS_FORM, created_at=inside)
    AssignmentRuleFactory(created_at=inside)  # everyone
    AssignmentRuleFactory(role=Group.objects.get(name=roles.PROCUREMENT), created_at=inside)
    case = ConcernFactory(
        status=Status.CLOSED,
        outcome=Outcome.SUBSTANTIATED,
        closed_at=inside,
        indicators=["no_id", "excessive_hours"],
    )
    ConcernFactory(status=Status.CLOSED, outcome=Outcome.SUBSTANTIATED, closed_at=outside, indicators=["injuries"])
    ReferralFactory(concern=case, kind="police", made_on=datetime.date(2024, 9, 2))
    CorrectiveActionFactory(
        description="Repay the recruitment fees workers paid",
        status=CorrectiveAction.Status.VERIFIED,
        verified_at=inside,
    )
    answers = registry_prefill.answers(organisation=organisation, period=year)
    assert answers == {
        "social_audits": ["own_staff", "unannounced"],
        "grievance_mechanisms": ["whistleblowing"],
        "training_audiences": ["whole_organisation", "procurement"],
        "ilo_indicators": ["retention_of_id", "withholding_wages", "excessive_overtime"],
        "remediation": ["repay_fees", "criminal_justice"],
    }
    # A year with no records answers "none" where the registry has a None answer.
    empty = registry_prefill.answers(organisation=organisation, period=financial_year(organisation, 2020))
    assert empty == {
        "social_audits": ["none"],
        "grievance_mechanisms": [],
        "training_audiences": ["none"],
        "ilo_indicators": ["none"],
        "remediation": ["none"],
    }
    # A new draft starts from them, and they stay editable.
    statement = services.statement_create(actor=lead, financial_year=2025)
    assert statement.ilo_indicators == ["retention_of_id", "withholding_wages", "excessive_overtime"]
    services.statement_update(statement=statement, actor=lead, data={"ilo_indicators": ["none"]})
    statement.refresh_from_db()
    assert statement.ilo_indicators == ["none"]
