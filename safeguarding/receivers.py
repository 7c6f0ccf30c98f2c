"""Safeguarding's answers to signals sent by the apps below it (which may not import safeguarding)."""

from django.dispatch import receiver

from safeguarding.models import Channel, Indicator, SubjectType
from safeguarding.services import concern_submit
from suppliers.models import Finding
from suppliers.signals import finding_needs_case


@receiver(finding_needs_case, sender=Finding, dispatch_uid="safeguarding.case_for_supplier_finding")
def case_open_for_supplier_finding(*, finding: Finding, actor, **kwargs) -> str:
    """Open a case about the supplier's workers from an audit finding; the finding keeps the case reference."""
    audit = finding.audit
    concern = concern_submit(
        reporter=actor,
        channel=Channel.SUPPLIER_AUDIT,
        subject_type=SubjectType.SUPPLIER_WORKER,
        indicators=[Indicator.OTHER],
        indicators_other="Critical finding in a supplier audit",
        narrative=(
            f"Critical finding at supplier {finding.supplier.name} "
            f"({audit.get_kind_display().lower()} of {audit.planned_date:%d %b %Y}): {finding.description}"
        ),
        linked_supplier=finding.supplier,
    )
    return concern.reference
