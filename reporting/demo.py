"""Demo data for reporting: last year's published statement, this year's draft, the risk register, meetings, plan.

Idempotent: records are found by their natural keys and created only once; the
statement workflow runs through the real services so the timeline is genuine.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from compliance.demo import DEMO_DOMAIN
from compliance.models import User
from compliance.services import organisation_get
from reporting import governance, periods, services
from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, RiskRegisterReview, Statement

RISKS = [
    (
        "Agency staff charged recruitment fees or with documents held",
        "agency_staff",
        4,
        5,
        "Only agencies on the approved list; agency questionnaire on fees and ID documents; "
        "spot-check interviews with agency workers without the agency present.",
    ),
    (
        "Laundry and cleaning subcontractors using forced labour",
        "suppliers",
        3,
        5,
        "Enhanced due diligence for high-risk categories; unannounced site visits; Supplier Code of Conduct.",
    ),
    (
        "Overseas recruitment of care workers through unlicensed intermediaries",
        "recruitment",
        3,
        4,
        "Right-to-work checks; contracts in the worker's language; no worker-paid fees (policy 4.3).",
    ),
    (
        "Service users exploited by people visiting them at home",
        "service_users",
        2,
        5,
        "Safeguarding training for domiciliary carers; signs of exploitation in care plans.",
    ),
    (
        "Maintenance contractors' workers on our sites",
        "contractors",
        2,
        3,
        "Contractor induction includes the helpline number; contractor questionnaire.",
    ),
]

MEETINGS = [
    (
        -250,
        "board",
        "Board meeting",
        "Annual Board report on modern slavery received. Two concerns in the year, both closed.",
        "Approve the statement for the last financial year.",
    ),
    (
        -160,
        "committee",
        "Quality and Safeguarding Committee",
        "Reviewed the risk register; laundry supplier audit found excessive hours.",
        "Corrective action plan for the laundry supplier; re-audit in three months.",
    ),
    (
        -70,
        "committee",
        "Quality and Safeguarding Committee",
        "Training completion reviewed by department; agency questionnaire returns chased.",
        "HR to report agency questionnaire returns at the next meeting.",
    ),
]

STATEMENT_TEXT = {
    "structure": (
        "Nextsmartstep provides residential and domiciliary care in West Yorkshire from two care homes and a "
        "domiciliary service, employing about 150 staff with agency staff at busy times. Our main supply chains "
        "are agency staffing, food and catering, laundry and cleaning, medical consumables and PPE, and maintenance."
    ),
    "policies": (
        "Our Modern Slavery Policy sets a zero-tolerance approach and is reviewed every year. It sits alongside our "
        "Whistleblowing, Safeguarding and Safer Recruitment policies and our Supplier Code of Conduct."
    ),
    "due_diligence": (
        "Suppliers are risk-scored by country, sector, spend and labour model. High-risk suppliers receive enhanced "
        "due diligence, questionnaires and audits; findings lead to corrective actions and, where non-compliance "
        "persists, termination."
    ),
    "risk_assessment": (
        "We keep a modern slavery risk register reviewed by the Quality and Safeguarding Committee each quarter "
        "and in full each year. Our highest risks are agency staffing and laundry subcontracting."
    ),
    "effectiveness": (
        "We measure the number of concerns received and resolved, the time to resolve them, training completion, "
        "supplier audits and corrective actions, and report them to the Board each year."
    ),
    "training": (
        "All new staff complete modern slavery induction training; all staff complete an annual safeguarding "
        "refresher that covers the signs of modern slavery; managers, HR and procurement complete specialised training."
    ),
}


def _user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def seed(stdout=None) -> None:
    lead, board, director = _user("lead"), _user("board"), _user("director")
    if not (lead and board and director):
        return
    today = timezone.localdate()
    organisation = organisation_get()

    for title, area, likelihood, impact, mitigations in RISKS:
        if not RiskRegisterEntry.objects.filter(title=title).exists():
            governance.risk_entry_save(
                actor=lead,
                data={
                    "title": title,
                    "area": area,
                    "likelihood": likelihood,
                    "impact": impact,
                    "owner": lead,
                    "mitigations": mitigations,
                    # One review falls due soon so the reminder and the dashboard warning show.
                    "review_due": today + datetime.timedelta(days=10 if area == "agency_staff" else 120),
                    "status": "open",
                },
            )
    meetings = []
    # The Board approves last year's statement after that year has ended (s.54(4) reports the whole year).
    last_year_end = periods.financial_year(organisation, periods.financial_year_containing(organisation, today) - 1).end
    for days, body, title, minutes, decisions in MEETINGS:
        held_on = today + datetime.timedelta(days=days)
        if body == "board":
            held_on = min(today, last_year_end + datetime.timedelta(days=45))
        meeting = GovernanceMeeting.objects.filter(held_on=held_on, title=title).first()
        if meeting is None:
            meeting = governance.meeting_save(
                actor=lead,
                data={"held_on": held_on, "body": body, "title": title, "minutes": minutes, "decisions": decisions},
            )
        meetings.append(meeting)
    if not RiskRegisterReview.objects.exists():
        governance.register_review_record(
            actor=lead,
            reviewed_on=meetings[1].held_on,
            summary="Added overseas recruitment risk; raised laundry subcontracting after the audit finding.",
            meeting=meetings[1],
            next_review_due=meetings[1].held_on + datetime.timedelta(days=365),
        )

    this_year = periods.financial_year_containing(organisation, today)
    last_year = this_year - 1
    if not Statement.objects.filter(financial_year=last_year).exists():
        statement = services.statement_create(actor=lead, financial_year=last_year)
        data = {**STATEMENT_TEXT}
        data["next_steps"] = (
            "Map tier 2 suppliers of laundry and cleaning\nTrain all procurement staff\nAudit every agency we use"
        )
        data["policy_areas"] = ["recruitment_fees", "id_documents", "freedom_of_movement", "remedy"]
        data["training_audiences"] = ["whole_organisation", "front_line", "hr", "procurement"]
        data["monitoring_partners"] = ["suppliers", "workers"]
        data["social_audits"] = ["own_staff", "unannounced"]
        data["grievance_mechanisms"] = ["whistleblowing"]
        data["registry_sectors"] = ["health_social_work"]
        data["monitoring_partners"] = ["suppliers", "workers", "government"]
        data["risks"] = [
            {
                "description": "Agency care workers charged recruitment fees by overseas recruiters.",
                "area": "supply_chains",
                "other_area": "",
                "tiers": ["tier1", "tier2"],
                "groups": ["migrants"],
                "other_groups": "",
                "countries": ["United Kingdom", "India", "Philippines"],
                "mitigation": "Approved agencies only; fee checks at induction; repayment where fees were paid.",
            },
            {
                "description": "Excessive hours at a laundry subcontractor.",
                "area": "supply_chains",
                "other_area": "",
                "tiers": ["tier2"],
                "groups": ["women", "migrants"],
                "other_groups": "",
                "countries": ["United Kingdom"],
                "mitigation": "Audit, corrective action plan and re-audit.",
            },
            {
                "description": "Service users exploited by people outside the home.",
                "area": "other",
                "other_area": "In the community around our services",
                "tiers": [],
                "groups": ["other"],
                "other_groups": "Adults with care and support needs",
                "countries": ["United Kingdom"],
                "mitigation": "Safeguarding training covers the signs; concerns go to the local authority.",
            },
        ]
        data["progress_measurement"] = "Concerns, training completion, supplier audits and corrective actions, yearly."
        statement = services.statement_update(statement=statement, actor=lead, data=data)
        approved_on = meetings[0].held_on
        services.statement_approve(statement=statement, actor=board, approved_on=approved_on, meeting=meetings[0])
        services.statement_sign(
            statement=statement, actor=director, signatory_title="Chief executive", signed_on=approved_on
        )
        services.statement_publish(statement=statement, actor=lead, published_on=approved_on)
        services.statement_record_registry(
            statement=statement, actor=lead, homepage_link_checked_on=approved_on, registry_submitted_on=approved_on
        )
        services.action_items_from_statement(
            statement=statement, actor=lead, owner=lead, due_on=periods.financial_year(organisation, this_year).end
        )
        first = ActionPlanItem.objects.filter(source_statement=statement).order_by("pk").first()
        if first is not None:
            governance.action_item_progress(
                actor=lead,
                item=first,
                status=ActionPlanItem.Status.IN_PROGRESS,
                note="Laundry supplier's subcontractors listed.",
            )
    if not Statement.objects.filter(financial_year=this_year).exists():
        draft = services.statement_create(actor=lead, financial_year=this_year)
        services.statement_update(
            statement=draft,
            actor=lead,
            data={"structure": STATEMENT_TEXT["structure"], "training": STATEMENT_TEXT["training"]},
        )
    # A year of monthly KPI snapshots so the trend chart has a history (taken once; reruns keep them).
    month_start = today.replace(day=1)
    for _ in range(12):
        services.kpi_snapshot_take(today=month_start)
        month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    if stdout is not None:
        stdout.write("Reporting: statements, risk register, meetings, action plan and KPI history ready.")
