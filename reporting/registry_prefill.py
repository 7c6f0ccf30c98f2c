"""Registry answers read from the records the application holds, for a draft the Lead then edits.

Each answer list of the GOV.UK registry's submission form that the application has
evidence for starts from that evidence for the statement's period: social audits
from supplier audits, grievance mechanisms from the channels concerns came in by,
training audiences from the assignment rules, ILO indicators from the signs in
substantiated cases, remediation from closed corrective actions and referrals.
Nothing here is final: every answer is editable before export.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from compliance import roles
from reporting import models as reporting_models
from reporting.models import NONE, OTHER
from reporting.periods import Period
from safeguarding.models import Channel, Concern, Outcome, Referral, Status
from suppliers.models import Audit, CorrectiveAction
from training.models import AssignmentRule

# Signs recorded on a case (the policy's list) and the ILO forced labour indicators they point to.
ILO_FROM_SIGNS = {
    "restricted_movement": ["restriction_of_movement", "isolation"],
    "controlled": ["abusive_conditions"],
    "no_id": ["retention_of_id"],
    "excessive_hours": ["excessive_overtime", "withholding_wages"],
    "injuries": ["physical_sexual_violence"],
    "other": [OTHER],
}
# Who an assignment rule's role reaches, in the registry's training audiences.
AUDIENCE_FROM_ROLE = {
    roles.STAFF: "whole_organisation",
    roles.LINE_MANAGER: "front_line",
    roles.SAFEGUARDING_TEAM: "front_line",
    roles.HR: "hr",
    roles.PROCUREMENT: "procurement",
    roles.BOARD_MEMBER: "executives",
    roles.DIRECTOR: "executives",
    roles.MODERN_SLAVERY_LEAD: "executives",
}
# Words in a verified corrective action that name the kind of remediation.
REMEDIATION_WORDS = {
    "repay_fees": ("fee", "repay", "refund", "reimburs"),
    "policy_change": ("policy", "policies", "procedure"),
    "training_change": ("train",),
}
REMEDIATION_FROM_REFERRAL = {
    "nrm": "victim_support",
    "duty_to_notify": "victim_support",
    "safeguarding_enquiry": "victim_support",
    "police": "criminal_justice",
}
# A referral through a charity (the Salvation Army, Migrant Help, Unseen ...) is support from an NGO.
NGO_RESPONDER_CATEGORY = "charity"


def _in_order(values: set[str], choices: list) -> list[str]:
    return [key for key, _ in choices if key in values]


def _day_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def social_audits(period: Period) -> list[str]:

    done = Audit.objects.filter(status=Audit.Status.COMPLETED, completed_date__range=(period.start, period.end))
    found: set[str] = set()
    for auditor_id, auditor_name, kind in done.values_list("auditor_id", "auditor_name", "kind"):
        found.add("third_party" if auditor_name and not auditor_id else "own_staff")
        # A spot-check is unannounced by definition; a planned audit is agreed with the supplier.
        found.add("unannounced" if kind == Audit.Kind.SPOT_CHECK else "announced")
    return _in_order(found, reporting_models.SOCIAL_AUDITS) or [NONE]


def grievance_mechanisms(period: Period) -> list[str]:

    start, end = _day_bounds(period)
    anonymous = Concern.objects.filter(
        created_at__gte=start, created_at__lt=end, channel__in=[Channel.ANONYMOUS_FORM, Channel.PHONE]
    )
    # The anonymous form and the helpline are the whistleblowing service the registry asks about.
    return ["whistleblowing"] if anonymous.exists() else []


def training_audiences(period: Period) -> list[str]:

    start, end = _day_bounds(period)
    rules = AssignmentRule.objects.filter(is_active=True, course__is_active=True, created_at__lt=end)
    found: set[str] = set()
    for role_name, department_id, employment_type in rules.values_list(
        "role__name", "department_id", "employment_type"
    ):
        if role_name:
            found.add(AUDIENCE_FROM_ROLE.get(role_name, "front_line"))
        elif not department_id and not employment_type:
            found.add("whole_organisation")  # a rule with no criteria reaches everyone
        else:
            found.add("front_line")
    return _in_order(found, reporting_models.TRAINING_AUDIENCES) or [NONE]


def _substantiated(period: Period):

    start, end = _day_bounds(period)
    return Concern.objects.filter(
        status=Status.CLOSED, outcome=Outcome.SUBSTANTIATED, closed_at__gte=start, closed_at__lt=end
    )


def ilo_indicators(period: Period) -> list[str]:

    found: set[str] = set()
    for signs in _substantiated(period).values_list("indicators", flat=True):
        for sign in signs or []:
            found.update(ILO_FROM_SIGNS.get(sign, []))
    return _in_order(found, reporting_models.ILO_INDICATORS) or [NONE]


def remediation(period: Period) -> list[str]:

    start, end = _day_bounds(period)
    found: set[str] = set()
    closed = CorrectiveAction.objects.filter(
        status=CorrectiveAction.Status.VERIFIED, verified_at__gte=start, verified_at__lt=end
    )
    for description, note in closed.values_list("description", "verification_note"):
        text = f"{description} {note}".lower()
        matched = [kind for kind, words in REMEDIATION_WORDS.items() if any(word in text for word in words)]
        found.update(matched or [OTHER])
    referrals = Referral.objects.filter(concern__in=_substantiated(period)).filter(
        Q(made_on__gte=period.start) & Q(made_on__lte=period.end)
    )
    for kind, category in referrals.values_list("kind", "responder__category"):
        if kind in REMEDIATION_FROM_REFERRAL:
            found.add(REMEDIATION_FROM_REFERRAL[kind])
        if category == NGO_RESPONDER_CATEGORY:
            found.add("ngo_support")
    return _in_order(found, reporting_models.REMEDIATION) or [NONE]


def answers(*, organisation, period: Period) -> dict:
    """The registry answers the records can give for the period, keyed by Statement field."""
    return {
        "social_audits": social_audits(period),
        "grievance_mechanisms": grievance_mechanisms(period),
        "training_audiences": training_audiences(period),
        "ilo_indicators": ilo_indicators(period),
        "remediation": remediation(period),
    }
