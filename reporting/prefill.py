"""The first draft of a statement: the six s.54(5) areas written from live records.

The Lead edits every word; the point is that the figures and the evidence
list start from what the application holds, not from a blank page.
"""

from __future__ import annotations

import datetime

from reporting.models import ActionPlanItem, GovernanceMeeting, RiskRegisterEntry, Statement


def statement_title(organisation, period) -> str:
    return f"{organisation.legal_name}: slavery and human trafficking statement {period.label}"


def _progress(previous: Statement | None) -> str:
    if previous is None:
        return ""
    items = list(ActionPlanItem.objects.filter(financial_year=previous.financial_year + 1).order_by("status", "due_on"))
    if not items:
        return ""
    lines = [f"Against the plan in our {previous.year_label} statement:"]
    lines += [f"- {item.title}: {item.get_status_display().lower()}" for item in items]
    return "\n".join(lines)


def statement_fields(*, organisation, period, figures: dict, previous: Statement | None) -> dict:
    """Field values for a new draft statement."""
    f = figures
    # Every figure is as at the same date (the year end, or today "to date" for a year not yet ended).
    as_of = datetime.date.fromisoformat(f["as_of"]) if f.get("as_of") else period.end
    when = f.get("as_at_label") or "at the year end"
    open_risks = RiskRegisterEntry.objects.open_on(as_of)
    risk_areas = sorted({entry.get_area_display().lower() for entry in open_risks})
    meetings = GovernanceMeeting.objects.filter(held_on__range=(period.start, as_of)).count()
    entities = list(organisation.legal_entities.values_list("name", flat=True))
    structure = (
        f"{organisation.legal_name} ({organisation.get_sector_display()})."
        + (f" This statement covers: {', '.join(entities)}." if entities else "")
        + "\n\nDescribe our business, where we operate and our main supply chains here."
    )
    return {
        "title": statement_title(organisation, period),
        "introduction": (
            f"This statement sets out the steps {organisation.legal_name} has taken during the financial year "
            f"{period.label} to ensure that slavery and human trafficking are not taking place in our business "
            "or our supply chains."
        ),
        "structure": structure,
        "structure_evidence": "Organisation profile and legal entities\nSupplier register",
        "policies": (
            "Our Modern Slavery Policy sets out our zero-tolerance approach. "
            f"{f['policy_acknowledgement_pct']}% of staff have acknowledged the current version."
        ),
        "policies_evidence": "Modern Slavery Policy (current version)\nPolicy acknowledgement records",
        "due_diligence": (
            f"We completed {f['audits_done']} supplier audits in the year, of which {f['audits_passed']} passed. "
            f"{f['corrective_actions_open']} corrective actions were open {when} "
            f"({f['corrective_actions_overdue']} overdue). {f['questionnaires_returned']} supplier questionnaires "
            f"were returned. {f['recruitment_checks_complete_pct']}% of our recruitment checks are complete."
        ),
        "due_diligence_evidence": "Supplier audits and findings\nCorrective actions\nSupplier questionnaires\nRecruitment checks",
        "risk_assessment": (
            f"Our risk register holds {open_risks.count()} open modern slavery risks"
            + (f", in {', '.join(risk_areas)}" if risk_areas else "")
            + f". {f['high_risk_suppliers']} suppliers are rated high risk and receive enhanced due diligence."
        ),
        "risk_assessment_evidence": "Risk register and its reviews\nSupplier risk assessments",
        "effectiveness": (
            f"Figures {when}. We received {f['concerns_received']} concerns and resolved {f['concerns_resolved']} "
            f"(median {f['median_days_to_resolve']} days to resolve). "
            f"The Board or its committees considered modern slavery at {meetings} meetings."
        ),
        "effectiveness_evidence": "KPI dashboard\nGovernance meeting minutes",
        "training": (f"{f['training_completion_pct']}% of assigned modern slavery training was completed in the year."),
        "training_evidence": "Training records by course and department",
        "progress": _progress(previous),
    }
