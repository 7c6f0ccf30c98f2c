"""The sections of the application and which roles see each.

The nav bar and the start page are both built from this list, so a role never
sees a link to a page that would answer 404 for it.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compliance import rules as compliance_rules


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    predicate: object
    description: str


SECTIONS = (
    # Part of the reporting journey a member of staff sees, so in their language (issue 16).
    Section(
        _("My reports"),
        "safeguarding:my_reports",
        compliance_rules.is_signed_in,
        _("Concerns you have reported and their status."),
    ),
    Section(
        "Cases",
        "safeguarding:index",
        compliance_rules.can_work_cases,
        "Triage, investigate, refer and close confidential cases.",
    ),
    Section(
        "Suppliers",
        "suppliers:index",
        compliance_rules.can_view_suppliers,
        "Supplier register, risk, audits and corrective actions.",
    ),
    Section(
        "Agencies",
        "suppliers:agencies",
        compliance_rules.can_view_agencies,
        "Recruitment and staffing agencies and their worker-fee and ID checks (read only for HR).",
    ),
    Section(
        "My training",
        "training:index",
        compliance_rules.is_signed_in,
        "Your courses, due dates and policy acknowledgements.",
    ),
    Section("Team training", "training:team", compliance_rules.is_line_manager, "Your team's training status."),
    Section(
        "Training admin",
        "training:admin",
        compliance_rules.can_manage_training,
        "Courses, records, recruitment checks and imports.",
    ),
    Section(
        "Reporting",
        "reporting:index",
        compliance_rules.can_view_reporting,
        "KPIs, statements and the annual Board report.",
    ),
    Section(
        "Organisation",
        "organisation",
        compliance_rules.can_manage_organisation,
        "Organisation profile, departments, sites and people.",
    ),
    Section(
        "First responders",
        "safeguarding:first_responders",
        compliance_rules.can_manage_organisation,
        "The first responders and agencies that cases are referred through.",
    ),
    Section(
        "Failed emails",
        "outbox_failed",
        compliance_rules.can_manage_organisation,
        "Emails that could not be delivered, to check the address and send again.",
    ),
    Section(
        "Access log", "access_log", compliance_rules.can_view_access_log, "Who read or exported sensitive records."
    ),
)


def sections_for(user) -> list[dict]:
    visible = []
    for section in SECTIONS:
        if not section.predicate.test(user):
            continue
        # A url name that does not reverse is a bug in this list: let it fail loudly.
        visible.append({"label": section.label, "url": reverse(section.url_name), "description": section.description})
    return visible
