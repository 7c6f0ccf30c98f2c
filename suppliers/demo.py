"""Demo suppliers for a UK care provider: ~36 across categories and risk bands, with
audits, findings, open and overdue corrective actions, agencies (one prohibited),
a code of conduct and questionnaires (one returned, one accepted). Idempotent."""

import datetime
import secrets

from django.utils import timezone

from compliance.models import User
from suppliers.figures import register_figures_changed
from suppliers.models import (
    AgencyFees,
    AgencyIdDocuments,
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CorrectiveActionEvent,
    CountryRisk,
    EnhancedDueDiligence,
    Finding,
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireSection,
    QuestionnaireTemplate,
    RiskBand,
    RiskWeight,
    Supplier,
    SupplierEvent,
    token_digest,
)
from suppliers.questionnaire_defaults import MSAT_NAME, seed_templates
from suppliers.risk_defaults import seed_tables
from suppliers.services import questionnaire as questionnaire_services
from suppliers.services import register as register_services

DOMAIN = "nextsmartstep.example"

# name, number, category, countries, spend, labour flags (agency, subcontracts, migrant, on-site), status
SUPPLIERS = [
    ("Brightway Cleaning Services Ltd", "07123456", "cleaning", ["GB"], 420_000, (1, 0, 1, 1), Supplier.Status.ACTIVE),
    ("Sparkle Facilities Management Ltd", "08234567", "cleaning", ["GB"], 95_000, (0, 1, 0, 1), Supplier.Status.ACTIVE),
    (
        "Yorkshire Linen Services Ltd",
        "06345678",
        "laundry",
        ["GB", "RO"],
        180_000,
        (1, 0, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    ("Pennine Laundry Co-operative", "IP031234", "laundry", ["GB"], 40_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    ("Harvest Table Catering Ltd", "09456789", "catering", ["GB"], 610_000, (1, 1, 1, 1), Supplier.Status.ACTIVE),
    (
        "Fresh Fields Produce Ltd",
        "05567890",
        "catering",
        ["GB", "ES", "MA"],
        150_000,
        (0, 1, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    ("Dales Bakery Supplies Ltd", "04678901", "catering", ["GB"], 22_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    (
        "Northstone Building Maintenance Ltd",
        "10789012",
        "construction",
        ["GB"],
        350_000,
        (1, 1, 1, 1),
        Supplier.Status.ACTIVE,
    ),
    ("Keystone Roofing Ltd", "11890123", "construction", ["GB"], 65_000, (0, 1, 0, 1), Supplier.Status.PROSPECTIVE),
    ("CareForce Staffing Ltd", "12901234", "agency_staffing", ["GB"], 1_200_000, (1, 0, 1, 1), Supplier.Status.ACTIVE),
    (
        "QuickShift Recruitment Ltd",
        "13012345",
        "agency_staffing",
        ["GB", "IN"],
        90_000,
        (1, 0, 1, 1),
        Supplier.Status.SUSPENDED,
    ),
    (
        "Global Care Recruitment Partners Ltd",
        "14123456",
        "agency_staffing",
        ["GB", "PH", "NG"],
        300_000,
        (1, 1, 1, 1),
        Supplier.Status.PROSPECTIVE,
    ),
    (
        "Nightingale Nursing Agency Ltd",
        "03234567",
        "agency_staffing",
        ["GB"],
        480_000,
        (1, 0, 0, 1),
        Supplier.Status.ACTIVE,
    ),
    (
        "Shield Medical Gloves Sdn Bhd",
        "MY-201901",
        "medical_ppe",
        ["MY"],
        260_000,
        (0, 1, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    (
        "SafeHands PPE Distribution Ltd",
        "15345678",
        "medical_ppe",
        ["GB", "CN"],
        140_000,
        (0, 1, 0, 0),
        Supplier.Status.ACTIVE,
    ),
    ("Meditex Consumables Ltd", "02456789", "medical_ppe", ["GB", "DE"], 75_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    ("Carewear Uniforms Ltd", "16567890", "textiles", ["GB", "BD"], 85_000, (0, 1, 1, 0), Supplier.Status.ACTIVE),
    ("Dhaka Garment Works Ltd", "BD-55821", "textiles", ["BD"], 30_000, (0, 1, 1, 0), Supplier.Status.PROSPECTIVE),
    (
        "Comfort Bedding & Textiles Ltd",
        "17678901",
        "textiles",
        ["GB", "PK", "TR"],
        55_000,
        (0, 1, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    (
        "Circuit Point IT Ltd",
        "18789012",
        "it_hardware",
        ["GB", "CN", "VN"],
        120_000,
        (0, 1, 0, 0),
        Supplier.Status.ACTIVE,
    ),
    ("TabletCare Devices Ltd", "19890123", "it_hardware", ["GB", "MY"], 48_000, (0, 1, 1, 0), Supplier.Status.ACTIVE),
    ("Ledger & Co Accountants LLP", "OC123456", "professional", ["GB"], 60_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    ("Harrow Legal Services LLP", "OC234567", "professional", ["GB"], 35_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    ("Insight HR Consulting Ltd", "20901234", "professional", ["GB"], 18_000, (0, 0, 0, 0), Supplier.Status.ACTIVE),
    ("Oak Tree Homecare Ltd", "21012345", "commissioned_care", ["GB"], 900_000, (1, 1, 1, 0), Supplier.Status.ACTIVE),
    (
        "Willow Domiciliary Care Ltd",
        "22123456",
        "commissioned_care",
        ["GB"],
        540_000,
        (0, 0, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    (
        "Heron Supported Living CIC",
        "23234567",
        "commissioned_care",
        ["GB"],
        260_000,
        (0, 0, 0, 0),
        Supplier.Status.ACTIVE,
    ),
    (
        "Sunrise Day Services Charity",
        "1123456",
        "commissioned_care",
        ["GB"],
        110_000,
        (0, 0, 0, 0),
        Supplier.Status.ACTIVE,
    ),
    ("GreenCut Grounds Maintenance Ltd", "24345678", "other", ["GB"], 28_000, (1, 1, 1, 1), Supplier.Status.ACTIVE),
    ("SecureGuard Security Services Ltd", "25456789", "other", ["GB"], 150_000, (1, 1, 1, 1), Supplier.Status.ACTIVE),
    ("Waste Away Collections Ltd", "26567890", "other", ["GB"], 45_000, (0, 1, 0, 1), Supplier.Status.ACTIVE),
    (
        "Northern Car Wash Fleet Valeting",
        "27678901",
        "cleaning",
        ["GB"],
        12_000,
        (0, 0, 1, 1),
        Supplier.Status.PROSPECTIVE,
    ),
    (
        "Premier Food Wholesale Ltd",
        "28789012",
        "catering",
        ["GB", "TH", "BR"],
        230_000,
        (0, 1, 1, 0),
        Supplier.Status.ACTIVE,
    ),
    (
        "Horizon Mobility Aids Ltd",
        "29890123",
        "medical_ppe",
        ["GB", "CN"],
        64_000,
        (0, 1, 0, 0),
        Supplier.Status.ACTIVE,
    ),
    ("Clearview Window Cleaning", "30901234", "cleaning", ["GB"], 9_000, (0, 0, 0, 1), Supplier.Status.ACTIVE),
    ("Keel Office Supplies Ltd", "31012345", "other", ["GB", "CN"], 26_000, (0, 1, 0, 0), Supplier.Status.ACTIVE),
    ("Riverside Hand Car Wash", "32123456", "other", ["GB"], 6_000, (0, 0, 1, 1), Supplier.Status.PROSPECTIVE),
    (
        "Evergreen Nail & Beauty Visits",
        "33234567",
        "professional",
        ["GB", "VN"],
        4_000,
        (0, 0, 1, 1),
        Supplier.Status.ACTIVE,
    ),
    ("Aire Valley Minibus Transport Ltd", "34345678", "other", ["GB"], 70_000, (1, 0, 0, 1), Supplier.Status.ACTIVE),
    (
        "Medisure Pharmacy Services Ltd",
        "35456789",
        "professional",
        ["GB"],
        320_000,
        (0, 0, 0, 1),
        Supplier.Status.ACTIVE,
    ),
]

CODE_CLAUSES = """No worker pays, directly or indirectly, any fee or cost to be recruited or to keep their job (the employer pays principle).

No one's passport, identity documents or wages are retained; workers are free to leave their employment and their accommodation.

Every worker has a written contract in a language they understand and is paid at least the National Living Wage for all hours worked, including travel time between visits.

Working hours comply with the Working Time Regulations; overtime is voluntary.

The supplier maps its own supply chain for these risks, passes these terms to its subcontractors and labour providers, and tells us within 48 hours of any modern slavery concern.

We may audit, announced or unannounced, and will end the contract if non-compliance persists after corrective action."""


def _user(local):
    return User.objects.filter(email=f"{local}@{DOMAIN}").first()


def seed(stdout=None) -> None:
    """Create (or leave in place) the demo supplier register."""
    # The risk tables and questionnaires come from a data migration; put back any that a
    # flushed database lost (both helpers only create what is missing).
    seed_tables(RiskWeight, CountryRisk, CategoryRisk)
    seed_templates(QuestionnaireTemplate, QuestionnaireSection, Question)
    procurement = _user("procurement")
    manager = _user("manager")
    lead = _user("lead")
    owners = [u for u in (procurement, manager) if u] or [None]
    today = timezone.localdate()

    code, _ = CodeOfConduct.objects.get_or_create(
        version="2025.1",
        defaults={
            "title": "Supplier code of conduct",
            "clauses": CODE_CLAUSES,
            "effective_from": datetime.date(2025, 4, 1),
            "published_at": timezone.now(),
            "published_by": procurement,
        },
    )

    created = 0
    suppliers = {}
    for i, (name, number, category, countries, spend, flags, status) in enumerate(SUPPLIERS):
        agency, subcontracts, migrant, on_site = (bool(f) for f in flags)
        supplier, was_created = Supplier.objects.get_or_create(
            name=name,
            defaults={
                "registration_number": number,
                "category": category,
                "countries": countries,
                "annual_spend": spend,
                "contract_owner": owners[i % len(owners)],
                "contract_start": today - datetime.timedelta(days=200 + 30 * i),
                "contract_end": today + datetime.timedelta(days=500 + 20 * i),
                "uses_agency_labour": agency,
                "subcontracts": subcontracts,
                "migrant_workforce": migrant,
                "on_site_at_our_premises": on_site,
                "is_recruitment_agency": category == "agency_staffing",
                "status": status,
                "contact_name": "Supplier contact",
                "contact_email": f"compliance@{name.split()[0].lower()}.example",
            },
        )
        suppliers[name] = supplier
        if was_created:
            created += 1
            register_services.supplier_event_record(
                supplier=supplier, kind=SupplierEvent.Kind.CREATED, message="Added to the register (demo data)."
            )
            if status == Supplier.Status.ACTIVE:
                CodeOfConductAcceptance.objects.get_or_create(
                    supplier=supplier,
                    code=code,
                    defaults={"accepted_on": datetime.date(2025, 4, 15), "signed_by_name": "Managing director"},
                )

    if created:
        _agencies(suppliers, procurement)
        _audits(suppliers, procurement, manager, lead, today)
        _questionnaires(suppliers, procurement, today)
        for supplier in suppliers.values():
            register_services.risk_assess(supplier=supplier, reason="Demo audits and questionnaires")
        for supplier in suppliers.values():
            if supplier.risk_band == RiskBand.HIGH and supplier.status == Supplier.Status.ACTIVE:
                EnhancedDueDiligence.objects.get_or_create(
                    supplier=supplier,
                    defaults={
                        "recorded_by": procurement,
                        "ownership_verified": True,
                        "supply_chain_mapped": True,
                        "worker_interviews": True,
                        "summary": "Demo: enhanced checks done before the contract started.",
                    },
                )
        # Spread the annual reviews so the daily task has something to do most weeks.
        for i, supplier in enumerate(Supplier.objects.filter(pk__in=[s.pk for s in suppliers.values()]).order_by("pk")):
            due = today + datetime.timedelta(days=(i * 11) % 365 - 5)
            Supplier.objects.filter(pk=supplier.pk).update(next_review_due=due)
    register_figures_changed()  # the review dates and agency checks above are update()s
    if stdout:
        stdout.write(f"Suppliers: {len(suppliers)} in the demo register ({created} new).")


def _agencies(suppliers, procurement):
    """Realistic agency checks: one current, one lapsed (the daily schedule raises a review), one prohibited;
    Global Care Recruitment Partners (prospective) has never been checked, so it cannot be activated yet."""
    quick = suppliers["QuickShift Recruitment Ltd"]
    if quick.agency_fees_outcome:
        return  # seeded on an earlier run
    today = timezone.localdate()
    evidence = "Three workers interviewed on site said they paid £350 'registration' and their passports are kept at the branch."
    Supplier.objects.filter(pk=quick.pk).update(
        agency_fees_outcome=AgencyFees.CHARGED,
        agency_fees_checked_on=today - datetime.timedelta(days=40),
        agency_fees_checked_by=procurement,
        agency_fees_evidence=evidence,
        agency_ids_outcome=AgencyIdDocuments.RETAINED,
        agency_ids_checked_on=today - datetime.timedelta(days=40),
        agency_ids_checked_by=procurement,
        agency_ids_evidence=evidence,
    )
    register_services.supplier_event_record(
        supplier=quick,
        kind=SupplierEvent.Kind.AGENCY,
        actor=procurement,
        message="PROHIBITED. Agency checks recorded: charges workers fees; retains workers' identity documents.",
    )
    clean = (
        "Contract clause 9 (no fees); sample of 10 workers' pay slips; workers interviewed without the agency present."
    )
    documents = "Passports returned at the right-to-work check; 8 workers confirmed they hold their own documents."
    # CareForce re-checked two months ago; Nightingale's checks are 13 months old (lapsed while active).
    for name, days_ago in (("CareForce Staffing Ltd", 60), ("Nightingale Nursing Agency Ltd", 400)):
        checked_on = today - datetime.timedelta(days=days_ago)
        Supplier.objects.filter(pk=suppliers[name].pk).update(
            agency_fees_outcome=AgencyFees.NONE_CHARGED,
            agency_fees_checked_on=checked_on,
            agency_fees_checked_by=procurement,
            agency_fees_evidence=clean,
            agency_ids_outcome=AgencyIdDocuments.NOT_RETAINED,
            agency_ids_checked_on=checked_on,
            agency_ids_checked_by=procurement,
            agency_ids_evidence=documents,
        )
    # The rescoring after this reads these objects: give them the checks just written.
    for name in ("QuickShift Recruitment Ltd", "CareForce Staffing Ltd", "Nightingale Nursing Agency Ltd"):
        suppliers[name].refresh_from_db()


def _finding(audit, severity, text, procurement):
    return Finding.objects.create(
        audit=audit, supplier=audit.supplier, severity=severity, description=text, created_by=procurement
    )


def _action(finding, owner, due, text, level=0, status=CorrectiveAction.Status.OPEN):
    action = CorrectiveAction.objects.create(
        finding=finding,
        supplier=finding.supplier,
        description=text,
        owner=owner,
        due_date=due,
        status=status,
        escalation_level=level,
    )
    CorrectiveActionEvent.objects.create(
        action=action, kind=CorrectiveActionEvent.Kind.OPENED, message=f"Opened, due {due:%d %b %Y}."
    )
    if level >= 1:
        CorrectiveActionEvent.objects.create(
            action=action, kind=CorrectiveActionEvent.Kind.REMINDED, message="Overdue: owner reminded."
        )
    if level >= 2:
        CorrectiveActionEvent.objects.create(
            action=action, kind=CorrectiveActionEvent.Kind.ESCALATED, message="Overdue: escalated to procurement."
        )
    return action


def _audits(suppliers, procurement, manager, lead, today):
    owner = manager or procurement
    d = datetime.timedelta
    plans = [
        (
            "Brightway Cleaning Services Ltd",
            "planned",
            "on_site",
            -60,
            "major",
            [
                ("major", "Night cleaners rostered 66 hours a week; no overtime opt-out on file", -10, 2),
                ("minor", "Whistleblowing poster not displayed in staff room", 20, 0),
            ],
        ),
        (
            "Harvest Table Catering Ltd",
            "spot_check",
            "on_site",
            -35,
            "critical",
            [
                (
                    "critical",
                    "Two kitchen porters said their passports are held by the agency that placed them; one sleeps on site",
                    -30,
                    2,
                )
            ],
        ),
        (
            "Yorkshire Linen Services Ltd",
            "planned",
            "remote",
            -90,
            "minor",
            [("minor", "Contracts for agency workers only in English", 30, 0)],
        ),
        (
            "Northstone Building Maintenance Ltd",
            "planned",
            "desk",
            -20,
            "major",
            [("major", "Cannot name the labour provider used by its plastering subcontractor", 10, 0)],
        ),
        (
            "Shield Medical Gloves Sdn Bhd",
            "planned",
            "on_site",
            -120,
            "major",
            [("major", "Recruitment fee repayment plan incomplete for 40 migrant workers", -40, 3)],
        ),
        (
            "Oak Tree Homecare Ltd",
            "planned",
            "desk",
            -15,
            "minor",
            [("minor", "Travel time between visits not paid for 3 of 20 sampled carers", 25, 0)],
        ),
        ("CareForce Staffing Ltd", "spot_check", "remote", -5, "compliant", []),
        ("Carewear Uniforms Ltd", "planned", "desk", -200, "compliant", []),
        ("SecureGuard Security Services Ltd", "planned", "on_site", 21, "", []),
        ("Premier Food Wholesale Ltd", "planned", "desk", 40, "", []),
        (
            "Willow Domiciliary Care Ltd",
            "spot_check",
            "on_site",
            -45,
            "minor",
            [("minor", "Sponsored staff asked to repay training costs if they leave within two years", -3, 1)],
        ),
    ]
    for name, kind, method, offset, result, findings in plans:
        supplier = suppliers[name]
        if supplier.audits.exists():
            continue  # seeded on an earlier run
        planned = today + d(days=offset)
        audit = Audit.objects.create(
            supplier=supplier,
            kind=kind,
            method=method,
            planned_date=planned,
            auditor=procurement,
            scope="Working hours, pay against National Living Wage, agency use, identity documents, grievance routes",
            status=Audit.Status.COMPLETED if result else Audit.Status.PLANNED,
            result=result,
            completed_date=planned if result else None,
            created_by=procurement,
        )
        register_services.supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.AUDIT,
            actor=procurement,
            message=f"{audit.get_kind_display()} on {planned:%d %b %Y}"
            + (f": {audit.get_result_display()}." if result else " planned."),
        )
        for severity, text, due_offset, level in findings:
            finding = _finding(audit, severity, text, procurement)
            if severity == "critical":
                finding.safeguarding_note = (
                    "Safeguarding case requested from this finding; the Modern Slavery Lead was told."
                )
                finding.save()
            action = _action(
                finding,
                supplier.contract_owner or owner,
                today + d(days=due_offset),
                f"Put right: {text[:120]}",
                level=min(level, 2),
            )
            if level >= 3:
                action.escalation_level = CorrectiveAction.Escalation.TERMINATION_RECOMMENDED
                action.save()
                supplier.termination_recommended_at = timezone.now()
                supplier.termination_recommendation = (
                    f"Corrective action \u201c{action.description[:120]}\u201d is {-due_offset} days overdue after a reminder and an escalation. "
                    "Decide: suspend, terminate, or extend the deadline with a reason."
                )
                supplier.save()
        # A verified, closed action for the history.
    yl = suppliers["Pennine Laundry Co-operative"]
    if yl.audits.exists():
        return
    audit = Audit.objects.create(
        supplier=yl,
        kind=Audit.Kind.PLANNED,
        method=Audit.Method.ON_SITE,
        planned_date=today - d(days=300),
        auditor=procurement,
        scope="Annual visit",
        status=Audit.Status.COMPLETED,
        result=Audit.Result.MINOR,
        completed_date=today - d(days=300),
    )
    finding = _finding(audit, "minor", "No modern slavery training for shift supervisors", procurement)
    action = _action(finding, owner, today - d(days=250), "Train all supervisors")
    # Verified together with its date: the database refuses a verified action without one.
    action.status, action.verified_by, action.verified_at, action.evidence = (
        CorrectiveAction.Status.VERIFIED,
        procurement,
        timezone.now() - d(days=245),
        "Training register for 6 supervisors",
    )
    action.save()
    finding.status, finding.closed_at = "closed", timezone.now() - d(days=245)
    finding.save()


def _questionnaires(suppliers, procurement, today):
    template = QuestionnaireTemplate.objects.filter(name=MSAT_NAME).first()
    if template is None:
        return
    questions = list(Question.objects.filter(section__template=template))

    def answered(supplier, status, gaps=()):
        if supplier.questionnaires.exists():
            return
        request = QuestionnaireRequest.objects.create(
            supplier=supplier,
            template=template,
            contact_name=supplier.contact_name,
            contact_email=supplier.contact_email,
            expires_at=timezone.now() + datetime.timedelta(days=20),
            sent_by=procurement,
            sent_at=timezone.now() - datetime.timedelta(days=25),
            submitted_at=timezone.now() - datetime.timedelta(days=10),
            status=status,
            token_hash=token_digest(secrets.token_urlsafe(32))
            if status == QuestionnaireRequest.Status.RETURNED
            else None,
            reviewed_by=procurement,
            reviewed_at=timezone.now() - datetime.timedelta(days=5),
            review_comments="Please explain how agency workers' fees are reimbursed and attach your policy."
            if status == QuestionnaireRequest.Status.RETURNED
            else "",
        )
        for q in questions:
            if q.kind == Question.Kind.YES_NO:
                good = "no" if q.gap_answer == "yes" else "yes"
                value = (q.gap_answer or good) if any(g in q.text for g in gaps) else good
            elif q.kind == Question.Kind.CHOICE:
                value = q.choice_list[0]
            elif q.kind == Question.Kind.TEXT:
                value = "United Kingdom; agency staff from Romania and India"
            else:
                continue
            QuestionnaireAnswer.objects.create(request=request, question=q, value=value)
        register_services.supplier_event_record(
            supplier=supplier,
            kind=SupplierEvent.Kind.QUESTIONNAIRE,
            message=f"{template.name} {request.get_status_display().lower()} (demo).",
        )
        if status == QuestionnaireRequest.Status.ACCEPTED:
            # As accepting on the review page does: gaps at or above the threshold become findings.
            questionnaire_services.questionnaire_findings_raise(questionnaire=request, actor=procurement)

    answered(suppliers["CareForce Staffing Ltd"], QuestionnaireRequest.Status.ACCEPTED)
    answered(
        suppliers["Nightingale Nursing Agency Ltd"],
        QuestionnaireRequest.Status.ACCEPTED,
        # A low gap (moves the score only) and a medium one (a finding with a proposed corrective action).
        gaps=("mapped your supply chain", "trained to recognise"),
    )
    answered(
        suppliers["Brightway Cleaning Services Ltd"],
        QuestionnaireRequest.Status.RETURNED,
        gaps=("any workers pay fees", "written contract"),
    )
    answered(suppliers["Harvest Table Catering Ltd"], QuestionnaireRequest.Status.SUBMITTED, gaps=("passports",))
    # Sent and waiting (the chaser will remind the contact).
    if suppliers["Fresh Fields Produce Ltd"].questionnaires.exists():
        return
    QuestionnaireRequest.objects.create(
        supplier=suppliers["Fresh Fields Produce Ltd"],
        template=template,
        contact_name="Supplier contact",
        contact_email=suppliers["Fresh Fields Produce Ltd"].contact_email,
        expires_at=timezone.now() + datetime.timedelta(days=22),
        sent_by=procurement,
        sent_at=timezone.now() - datetime.timedelta(days=8),
        token_hash=token_digest(secrets.token_urlsafe(32)),
    )
