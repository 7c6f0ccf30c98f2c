"""Who may do what in reporting, written out as the design says it (DESIGN.md, roles), not derived from the rules.

The parity test (test_restrict.py) and the permission matrix ask the rule what to expect: a rule that is
wrong everywhere at once (say, "always allowed") agrees with itself there. This table and the absolute
cases below are the independent statement: a changed rule must change them too, on purpose.

From the design: the Modern Slavery Lead drafts statements and the Board report; the Board approves a
statement and downloads Board reports; a Director does what the Board does and signs. The design names no
role for publishing, the governance records or the registry export; those rows follow the rule comments
and the code (the Lead publishes and keeps governance; the Lead, the Compliance admin and a Director export
for the registry, a Board member does not).
"""

import pytest
from django.core.files.base import ContentFile

from compliance import roles
from reporting import rules as r
from reporting.models import BoardReport, Statement
from reporting.tests.factories import StatementFactory
from tests.support import assert_outsiders_refused, roles_granted

pytestmark = pytest.mark.django_db

LEAD, BOARD, DIR, ADMIN = roles.MODERN_SLAVERY_LEAD, roles.BOARD_MEMBER, roles.DIRECTOR, roles.COMPLIANCE_ADMIN

WHO = {
    "can_draft_statement": {LEAD},
    "can_approve_statement": {BOARD, DIR},
    # s.54(6): only a Director signs.
    "can_sign_statement": {DIR},
    "can_publish_statement": {LEAD},
    "can_request_board_report": {LEAD},
    "can_download_board_report": {LEAD, BOARD, DIR},
    "can_export_registry": {LEAD, ADMIN, DIR},
    "can_manage_governance": {LEAD},
    # Reporting is read by the Lead, the Board, a Director and the Compliance admin; everyone else gets 404.
    "can_view_reporting_record": {LEAD, BOARD, DIR, ADMIN},
    "can_change_governance_record": {LEAD},
}


def granted_roles(predicate, obj, make_user):
    return roles_granted(predicate, make_user, obj)


def assert_outsiders_get_nothing(predicate, obj, make_user):
    # Not a visitor, and not an account that has been switched off, whatever roles it still holds.
    assert_outsiders_refused(predicate, make_user, obj)


@pytest.mark.parametrize("rule", sorted(WHO))
def test_each_reporting_rule_grants_exactly_the_roles_the_design_names(rule, make_user):
    predicate = getattr(r, rule)
    assert granted_roles(predicate, None, make_user) == WHO[rule]
    assert_outsiders_get_nothing(predicate, None, make_user)


# The registry export: only a statement the Board has approved (and still current) goes to GOV.UK.


@pytest.mark.parametrize("status", [Statement.Status.APPROVED, Statement.Status.SIGNED, Statement.Status.PUBLISHED])
def test_an_approved_statement_is_exported_by_exactly_the_registry_roles(status, make_user):
    statement = StatementFactory(status=status)
    assert granted_roles(r.can_export_statement_to_registry, statement, make_user) == {LEAD, ADMIN, DIR}
    assert_outsiders_get_nothing(r.can_export_statement_to_registry, statement, make_user)


@pytest.mark.parametrize("status", [Statement.Status.DRAFT, Statement.Status.SUPERSEDED])
def test_a_draft_or_superseded_statement_is_exported_by_nobody(status, make_user):
    statement = StatementFactory(status=status)
    assert granted_roles(r.can_export_statement_to_registry, statement, make_user) == set()


def test_the_lead_cannot_export_a_draft_statement(lead):
    assert not r.can_export_statement_to_registry.test(lead, StatementFactory(status=Statement.Status.DRAFT))


def test_a_board_member_cannot_export_an_approved_statement(board):
    assert not r.can_export_statement_to_registry.test(board, StatementFactory(status=Statement.Status.APPROVED))


# The Board report PDF: downloaded only once rendered with its file stored.


def ready_board_report(requested_by):
    report = BoardReport.objects.create(financial_year=2025, status=BoardReport.Status.READY, requested_by=requested_by)
    report.file.save("board-report.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return report


def test_a_ready_board_report_is_downloaded_by_exactly_the_lead_the_board_and_a_director(lead, make_user):
    report = ready_board_report(lead)
    assert granted_roles(r.can_download_board_report_file, report, make_user) == {LEAD, BOARD, DIR}
    assert_outsiders_get_nothing(r.can_download_board_report_file, report, make_user)


@pytest.mark.parametrize("status", [s for s in BoardReport.Status if s != BoardReport.Status.READY])
def test_a_board_report_not_yet_ready_is_downloaded_by_nobody(status, lead, make_user):
    report = BoardReport.objects.create(financial_year=2025, status=status, requested_by=lead)
    assert granted_roles(r.can_download_board_report_file, report, make_user) == set()


def test_a_board_report_marked_ready_whose_file_never_arrived_cannot_be_downloaded(lead, board):
    report = BoardReport.objects.create(financial_year=2025, status=BoardReport.Status.READY, requested_by=lead)
    assert not r.can_download_board_report_file.test(board, report)


def test_staff_cannot_download_a_ready_board_report(lead, staff_user):
    assert not r.can_download_board_report_file.test(staff_user, ready_board_report(lead))
