"""Every sort a big list offers reads an index in its order, so a page costs 50 rows, not a sort of them all.

PostgreSQL only (what production runs). Sequential scans and sorts are priced out for the
EXPLAIN so the plan shows whether an index *can* give the order; a plan that still sorts
means no index matches the ORDER BY (a removed or mismatched index fails here).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import roles
from safeguarding import selectors as case_selectors
from safeguarding.filters import CaseFilter, CaseOrder
from suppliers import selectors as supplier_selectors
from suppliers.filters import SUPPLIER_ORDERS, AuditFilter, SupplierFilter
from suppliers.models import Audit
from training import selectors as training_selectors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's"),
]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        # Priced apart from a full sort: an incremental sort over a shorter index can tie on an empty table.
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        return queryset.explain()


@pytest.mark.parametrize("sort", ["", *CaseOrder.values])
def test_each_case_list_order_reads_an_index(make_user, sort):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    cases = CaseFilter({"sort": sort} if sort else {}, queryset=case_selectors.concern_list(user=lead)).qs
    plan = _plan(cases[:50])
    assert "Sort" not in plan, plan
    assert "concern_" in plan, plan


def test_people_lists_read_people_in_name_order_from_an_index(make_user, hr_user):
    # The team page (every active person for HR) and the recruitment checks list (every worker).
    for people in (
        training_selectors.team_people(user=hr_user),
        training_selectors.recruitment_check_people(user=hr_user),
    ):
        plan = _plan(people.order_by(*people.query.order_by).values("pk")[:50])
        assert "Sort" not in plan, plan
        assert "user_by_name" in plan, plan


@pytest.mark.parametrize("order", [value for value, _label in SUPPLIER_ORDERS])
def test_each_supplier_register_order_reads_an_index(make_user, order):
    procurement = make_user(roles.PROCUREMENT)
    suppliers = SupplierFilter({"order": order}, queryset=supplier_selectors.supplier_list(user=procurement)).qs
    plan = _plan(suppliers[:50])
    assert "Sort" not in plan, plan
    assert "supplier_by_" in plan, plan


def test_the_safeguarding_teams_case_count_reads_its_scope_index(make_user):
    # The team's scope (assigned to them or about a service user) is an OR over two columns: without
    # concern_team_scope the page's count reads every row of the table (a 66 ms scan at 100,000 cases).
    member = make_user(roles.SAFEGUARDING_TEAM)
    cases = CaseFilter({}, queryset=case_selectors.concern_list(user=member)).qs
    with CaptureQueriesContext(connection) as captured:
        cases.count()
    (count,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + count["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "concern_team_scope" in plan, plan


def test_the_access_log_filtered_by_action_reads_its_pages_and_count_from_an_index(make_user):
    # Two rows in three are views: without accesslog_action_newest_first the filtered page's COUNT
    # scans the whole table (28 ms at 150,000 rows) and a deep page sorts every matching row.
    from compliance import selectors as compliance_selectors
    from compliance.filters import AccessLogFilterSet

    admin = make_user(roles.COMPLIANCE_ADMIN)
    entries = AccessLogFilterSet({"action": "export"}, queryset=compliance_selectors.access_log_list(user=admin)).qs
    plan = _plan(entries.values_list("pk", flat=True)[25000:25050])
    assert "Sort" not in plan, plan
    assert "accesslog_action_newest_first" in plan, plan
    with CaptureQueriesContext(connection) as captured:
        entries.count()
    (count,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + count["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using accesslog_action_newest_first" in plan, plan


def test_the_audit_list_reads_its_order_from_an_index(make_user):
    # With the findings counted by a join and GROUP BY, every audit was counted and sorted before the LIMIT.
    procurement = make_user(roles.PROCUREMENT)
    for filters in ({}, {"status": Audit.Status.PLANNED}, {"kind": Audit.Kind.SPOT_CHECK}):
        audits = AuditFilter(filters, queryset=supplier_selectors.audit_list(user=procurement)).qs
        plan = _plan(audits[:50])
        assert "Sort" not in plan, plan
        assert "audit_by_planned_date" in plan, plan


def test_the_findings_list_reads_its_order_from_an_index(make_user):
    procurement = make_user(roles.PROCUREMENT)
    plan = _plan(supplier_selectors.finding_list(user=procurement)[:50])
    assert "Sort" not in plan, plan
    assert "finding_newest_first" in plan, plan


def test_the_agency_list_counts_and_pages_from_its_own_index(make_user):
    # 900-odd agencies among 10,000 suppliers: without supplier_agency_by_name the list's count and
    # every page's keys scanned and sorted the whole table (a deep page 7.5 ms, its keys 3.7 ms).
    procurement = make_user(roles.PROCUREMENT)
    agencies = supplier_selectors.agency_list(user=procurement)
    for queryset in (agencies.values("pk")[:50], agencies.order_by().values("pk")):
        plan = _plan(queryset)
        assert "Sort" not in plan, plan
        assert "supplier_agency_by_name" in plan, plan
