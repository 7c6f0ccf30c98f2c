"""Demo cases: a realistic spread of concerns in every state, made through the real services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from compliance.demo import DEMO_DOMAIN
from compliance.models import Site, User
from safeguarding import services
from safeguarding.first_responder_defaults import seed_first_responders
from safeguarding.models import (
    INTAKE_CHANNELS,
    Channel,
    Concern,
    FirstResponder,
    Indicator,
    Outcome,
    Referral,
    Status,
    SubjectType,
    TimelineEntry,
)


@dataclass
class Demo:
    narrative: str
    subject_type: str
    indicators: list[str]
    days_ago: int
    status: str
    channel: str = Channel.STAFF_FORM
    reporter: str | None = "staff"
    site: str | None = "Oakwood Care Home"
    location_text: str = ""
    immediate_danger: bool = False
    risk: str = "medium"
    assignee: str | None = "safeguarding"
    outcome: str = ""
    referral: dict = field(default_factory=dict)
    on_behalf_of: str = ""
    message: str = ""
    supplier: bool = False


CASES = [
    Demo(
        "A new agency night carer said the agency keeps her passport 'for safety' and takes £200 a week from her "
        "wages for a shared room. She looked frightened when her driver arrived early.",
        SubjectType.AGENCY_WORKER,
        [Indicator.NO_ID, Indicator.EXCESSIVE_HOURS, Indicator.CONTROLLED],
        1,
        Status.NEW,
        immediate_danger=False,
        supplier=True,
    ),
    Demo(
        "A resident's grandson told me a man has been collecting Mrs B's pension every week and she has no food at home.",
        SubjectType.SERVICE_USER,
        [Indicator.CONTROLLED],
        0,
        Status.NEW,
        channel=Channel.ANONYMOUS_FORM,
        reporter=None,
        site=None,
        location_text="Client's home, Chapel Allerton",
        immediate_danger=True,
    ),
    Demo(
        "Kitchen porter from the catering contractor sleeps in the bin store between double shifts; says he owes his "
        "boss for the flight.",
        SubjectType.SUPPLIER_WORKER,
        [Indicator.EXCESSIVE_HOURS, Indicator.CONTROLLED],
        6,
        Status.TRIAGED,
        site="Meadow View Care Home",
        risk="high",
        supplier=True,
    ),
    Demo(
        "A domiciliary client asked me to help 'the lady who cleans for him' who never leaves the house and has no phone.",
        SubjectType.SERVICE_USER,
        [Indicator.RESTRICTED_MOVEMENT],
        12,
        Status.INVESTIGATING,
        channel=Channel.MANAGER_ON_BEHALF,
        reporter="manager",
        on_behalf_of="Jo Carer",
        site="Domiciliary care: Leeds North",
        risk="high",
        message="Thank you for telling us. Could Jo tell us which days the cleaner is usually there?",
    ),
    Demo(
        "Two car-wash workers next to the care home are there 7am to 9pm every day; one had a cut hand wrapped in a bag.",
        SubjectType.PUBLIC,
        [Indicator.EXCESSIVE_HOURS, Indicator.INJURIES],
        20,
        Status.REFERRED,
        site=None,
        location_text="Hand car wash, Oakwood Lane",
        risk="medium",
        referral={
            "responder": "Police (local force)",
            "kind": Referral.Kind.POLICE,
            "consent": Referral.Consent.NOT_REQUIRED,
            "police_force": "West Yorkshire Police",
            "crime_reference": "13240012345",
            "organisation": "West Yorkshire Police",
        },
    ),
    Demo(
        "Temporary housekeeper says her 'agent' holds her bank card and she has not been paid directly since she started.",
        SubjectType.STAFF,
        [Indicator.NO_ID, Indicator.EXCESSIVE_HOURS],
        35,
        Status.REFERRED,
        risk="critical",
        assignee="lead",
        referral={
            "responder": "Local authority adult social care",
            "kind": Referral.Kind.NRM,
            "consent": Referral.Consent.GIVEN,
            "organisation": "Leeds City Council adult social care",
            "communication_needs": "Romanian interpreter; prefers a woman interpreter",
            "fears_reexploitation": "yes",
            "exploitation_place": "uk",
            "external_reference": "NRM-26-0412",
            "exploitation_types": [Referral.Exploitation.WAGES_TAKEN, Referral.Exploitation.FORCED_WORK],
        },
    ),
    Demo(
        "A 16-year-old visiting his aunt (a resident) says he is driven to other towns to 'deliver parcels' after school.",
        SubjectType.PUBLIC,
        [Indicator.CONTROLLED, Indicator.OTHER],
        9,
        Status.REFERRED,
        risk="critical",
        assignee="lead",
        referral={
            "responder": "Local authority children's services",
            "kind": Referral.Kind.NRM,
            "age_group": "child",
            "organisation": "Leeds Children's Services",
            "children_services_contacted": True,
            "exploitation_types": [Referral.Exploitation.CHILD_CRIMINAL],
        },
    ),
    Demo(
        "Agency cover staff were dropped off in a minibus and all gave the same address; none had their own phones.",
        SubjectType.AGENCY_WORKER,
        [Indicator.CONTROLLED, Indicator.RESTRICTED_MOVEMENT],
        60,
        Status.CLOSED,
        site="Meadow View Care Home",
        risk="medium",
        outcome=Outcome.NOT_SUBSTANTIATED,
        supplier=True,
    ),
    Demo(
        "Resident's son believes his mother's carer from an overseas sponsorship route works 70 hours a week for another "
        "employer too.",
        SubjectType.STAFF,
        [Indicator.EXCESSIVE_HOURS],
        95,
        Status.CLOSED,
        channel=Channel.PHONE,
        reporter="lead",
        on_behalf_of="The resident's son (by phone)",
        risk="high",
        outcome=Outcome.SUBSTANTIATED,
        referral={
            "responder": "Modern Slavery & Exploitation Helpline",
            "kind": Referral.Kind.HELPLINE,
            "consent": Referral.Consent.GIVEN,
            "organisation": "Modern Slavery Helpline",
            "external_reference": "MSH-55821",
        },
    ),
    Demo(
        "Window cleaners on site looked very young and were not allowed to speak to staff by their supervisor.",
        SubjectType.SUPPLIER_WORKER,
        [Indicator.NO_ID],
        120,
        Status.CLOSED,
        site="Head office",
        risk="low",
        outcome=Outcome.NO_FURTHER_ACTION,
    ),
    Demo(
        "A service user with learning disabilities told me 'friends' stay in his flat and make him hand over his "
        "benefits.",
        SubjectType.SERVICE_USER,
        [Indicator.CONTROLLED, Indicator.INJURIES],
        150,
        Status.CLOSED,
        site="Domiciliary care: Leeds North",
        risk="critical",
        outcome=Outcome.REFERRED_ON,
        referral={
            "responder": "Local authority adult social care",
            "kind": Referral.Kind.SAFEGUARDING_ENQUIRY,
            "consent": Referral.Consent.GIVEN,
            "organisation": "Leeds Adult Safeguarding",
            "external_reference": "ASC-884213",
            "care_act_enquiry_reference": "S42-2026-0193",
            "exploitation_types": [Referral.Exploitation.FORCED_FRAUD],
        },
    ),
    Demo(
        "Laundry contractor's staff say they work 6 days at £3 an hour, paid in cash by a man who brings them in a van.",
        SubjectType.SUPPLIER_WORKER,
        [Indicator.EXCESSIVE_HOURS, Indicator.CONTROLLED],
        8,
        Status.INVESTIGATING,
        channel=Channel.ANONYMOUS_FORM,
        reporter=None,
        site="Oakwood Care Home",
        risk="critical",
        assignee="lead",
        message="Thank you. Do you know the name of the laundry company on the van?",
        supplier=True,
    ),
]


def _user(local: str | None) -> User | None:
    if not local:
        return None
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _supplier():
    from suppliers.models import Supplier

    return Supplier.objects.order_by("-is_recruitment_agency", "name").first()


def seed(stdout=None) -> int:
    """Create the demo cases that are not there yet (matched by narrative); returns how many were made."""
    # The first responders come from a data migration; put back any a flushed database lost.
    seed_first_responders(FirstResponder)
    lead = _user("lead")
    if lead is None:
        return 0
    made = 0
    # The narrative is encrypted at rest, so it cannot be matched in SQL: compare in Python
    # (a demo database holds a handful of cases).
    by_narrative = {c.narrative: c for c in Concern.objects.only("pk", "narrative", "linked_supplier_id")}
    for demo in CASES:
        existing = by_narrative.get(demo.narrative)
        if existing is not None:
            # Suppliers may have been seeded after the cases were: link them now.
            if demo.supplier and existing.linked_supplier_id is None and (supplier := _supplier()) is not None:
                Concern.objects.filter(pk=existing.pk).update(linked_supplier=supplier)
            continue
        reporter = _user(demo.reporter) if demo.channel != Channel.ANONYMOUS_FORM else None
        if demo.channel != Channel.ANONYMOUS_FORM and reporter is None:
            continue
        # A call is written down by the Lead: the caller is the reporter, by name, not the Lead's account.
        intake = demo.channel in INTAKE_CHANNELS
        concern = services.concern_submit(
            reporter=None if intake else reporter,
            recorded_by=reporter if intake else None,
            channel=demo.channel,
            subject_type=demo.subject_type,
            indicators=demo.indicators,
            indicators_other="Repeatedly asked for money by an older boy" if Indicator.OTHER in demo.indicators else "",
            narrative=demo.narrative,
            site=Site.objects.filter(name=demo.site).first() if demo.site else None,
            location_text=demo.location_text,
            occurred_on=timezone.localdate() - datetime.timedelta(days=demo.days_ago + 1),
            linked_supplier=_supplier() if demo.supplier else None,
            immediate_danger=demo.immediate_danger,
            on_behalf_of=demo.on_behalf_of,
        )
        if demo.status != Status.NEW:
            assignee = _user(demo.assignee) or lead
            concern = services.concern_triage(concern=concern, actor=lead, risk_level=demo.risk, assignee=assignee)
            if demo.message:
                services.concern_message_reporter(concern=concern, actor=lead, body=demo.message)
            if demo.status in {Status.INVESTIGATING, Status.CLOSED}:
                concern = services.concern_investigate(concern=concern, actor=assignee)
                services.concern_note_add(
                    concern=concern,
                    actor=assignee,
                    body="Spoke to the site manager; rota and sign-in sheets requested.",
                )
            if demo.referral:
                referral = dict(demo.referral)
                referral["responder"] = FirstResponder.objects.get(name=referral["responder"])
                services.referral_record(
                    concern=concern,
                    actor=assignee,
                    made_on=timezone.localdate() - datetime.timedelta(days=max(demo.days_ago - 2, 0)),
                    **referral,
                )
            if demo.status == Status.CLOSED:
                concern.refresh_from_db()
                services.concern_close(
                    concern=concern,
                    actor=lead,
                    outcome=demo.outcome,
                    summary="Findings shared with the supplier manager and recorded in the risk register.",
                )
        # Spread the cases over the past months so lists, SLAs and KPIs look lived-in.
        shift = datetime.timedelta(days=demo.days_ago)
        if shift:
            Concern.objects.filter(pk=concern.pk).update(created_at=F("created_at") - shift)
            Concern.objects.filter(pk=concern.pk, triaged_at__isnull=False).update(triaged_at=F("triaged_at") - shift)
            Concern.objects.filter(pk=concern.pk, due_at__isnull=False).update(due_at=F("due_at") - shift)
            closed_shift = shift - datetime.timedelta(days=min(demo.days_ago // 2, 30))
            Concern.objects.filter(pk=concern.pk, closed_at__isnull=False).update(
                closed_at=F("closed_at") - closed_shift
            )
            TimelineEntry.objects.filter(concern=concern).update(created_at=F("created_at") - shift)
        made += 1
    if stdout is not None:
        stdout.write(f"Safeguarding: {made} demo case(s) created, {Concern.objects.count()} in total.")
    return made
