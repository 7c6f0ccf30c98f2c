"""Who may do what in reporting: statements, the Board report and governance records.

Everyone here must first pass `can_view_reporting` (Lead, Board, Director, Compliance
admin); anyone else gets 404 on every reporting page.
"""

import rules

from compliance import rules as compliance_rules

# The Lead drafts statements and the Board report and keeps the governance records.
can_draft_statement = compliance_rules.is_modern_slavery_lead
can_manage_governance = compliance_rules.is_modern_slavery_lead
# The Board approves; a Director is a Board member too.
can_approve_statement = compliance_rules.is_board_member | compliance_rules.is_director
# s.54(6): only a Director signs.
can_sign_statement = compliance_rules.is_director
can_publish_statement = compliance_rules.is_modern_slavery_lead
can_request_board_report = compliance_rules.is_modern_slavery_lead
can_download_board_report = (
    compliance_rules.is_modern_slavery_lead | compliance_rules.is_board_member | compliance_rules.is_director
)
can_export_registry = (
    compliance_rules.is_modern_slavery_lead | compliance_rules.is_compliance_admin | compliance_rules.is_director
)


# Object rules: the role above and the record's state. Each agrees with the model's
# QuerySet.restrict() for the same action (reporting/tests/test_restrict.py).
@rules.predicate
def is_statement_approved(user, statement) -> bool:
    return statement.is_approved


@rules.predicate
def is_board_report_ready(user, report) -> bool:
    return report.is_ready


can_view_reporting_record = compliance_rules.can_view_reporting
can_change_governance_record = can_manage_governance
can_export_statement_to_registry = can_export_registry & is_statement_approved
can_download_board_report_file = can_download_board_report & is_board_report_ready

rules.add_perm("reporting.draft_statement", can_draft_statement)
rules.add_perm("reporting.approve_statement", can_approve_statement)
rules.add_perm("reporting.sign_statement", can_sign_statement)
rules.add_perm("reporting.publish_statement", can_publish_statement)
rules.add_perm("reporting.manage_governance", can_manage_governance)
rules.add_perm("reporting.request_board_report", can_request_board_report)
rules.add_perm("reporting.download_board_report", can_download_board_report)
rules.add_perm("reporting.export_registry", can_export_registry)
