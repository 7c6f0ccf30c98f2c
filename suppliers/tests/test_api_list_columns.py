"""The audits and findings API lists read the columns they serialize, not whole suppliers per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suppliers.tests.factories import AuditFactory, FindingFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/suppliers"


def _rows_query(client, path: str, table: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/{path}")
    assert response.status_code == 200
    (rows,) = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
    return rows


def test_the_audits_list_reads_the_suppliers_name_and_the_auditors_email_only(client, procurement, login, make_user):
    audit = AuditFactory(auditor=make_user(email="auditor@example.org"))
    login(procurement)
    rows = _rows_query(client, "audits/", "suppliers_audit")
    for column in ("countries", "annual_spend", "contact_email", "password", "full_name"):
        assert f'."{column}"' not in rows, column
    (item,) = client.get(f"{BASE}/audits/").json()["results"]
    assert (item["supplier_name"], item["auditor"], item["scope"]) == (
        audit.supplier.name,
        "auditor@example.org",
        audit.scope,
    )
    # One audit, read to be shown or completed, is read whole.
    assert client.get(f"{BASE}/audits/{audit.pk}/").json() == item


def test_the_findings_list_joins_only_the_question(client, procurement, login):
    finding = FindingFactory()
    login(procurement)
    rows = _rows_query(client, "findings/", "suppliers_finding")
    assert '"suppliers_supplier"' not in rows and '"suppliers_audit"' not in rows
    (item,) = client.get(f"{BASE}/findings/").json()["results"]
    assert (item["supplier"], item["audit"], item["question_text"]) == (finding.supplier_id, finding.audit_id, None)
