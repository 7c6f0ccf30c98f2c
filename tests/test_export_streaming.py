"""The exports that grow with the data stream in constant memory and hold every row, in both formats.

`tests/test_exports.py` walks every export for formula safety; this file
checks the ones whose size follows the data (cases, access log, supplier
register): the response is streamed, the file holds the header and every
row, the CSV and the XLSX hold the same rows, the page's filters apply, the
number of queries does not grow with the rows, and the rows are read from the
database in chunks. Peak memory at 10,000 vs 100,000 rows is measured by
`scripts/export_memory.py` (a script, not a timed test).
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from compliance import exports
from compliance.models import AccessLog
from compliance.tests.factories import UserFactory
from safeguarding.models import Concern, Status
from safeguarding.tests.factories import ConcernFactory
from suppliers.models import Supplier
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def table(response) -> list[list[str]]:
    """The rows of a CSV or XLSX download as text (numbers as the CSV writes them), header first."""
    body = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    (sheet,) = workbook.worksheets
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _cases(n, **kwargs):
    # Every column filled (a site, an assignee, a risk, an outcome), so a column read row by row shows.
    kwargs = {"assignee": UserFactory(), "risk_level": "high", "status": Status.CLOSED, **kwargs}
    return [c.reference for c in ConcernFactory.create_batch(n, **kwargs)]


def _access_log(n, **kwargs):
    reader = UserFactory()
    AccessLog.objects.bulk_create(
        AccessLog(user=reader, action="view", object_repr=f"Case MS-2026-{i:05d}", detail="read", path="/cases/")
        for i in range(n)
    )
    return [f"Case MS-2026-{i:05d}" for i in range(n)]


def _suppliers(n, **kwargs):
    return [s.name for s in SupplierFactory.create_batch(n, **kwargs)]


# url stem -> (who downloads, how to make n rows (returns each row's key), the column holding the key,
# the query string for the CSV and for the XLSX)
EXPORTS = {
    "cases": ("lead", _cases, "Reference", "/cases/export.csv", "/cases/export.xlsx"),
    "access-log": ("compliance_admin", _access_log, "record", "/access-log/?format=csv", "/access-log/?format=xlsx"),
    "suppliers": ("procurement", _suppliers, "name", "/suppliers/export/", "/suppliers/export/?format=xlsx"),
}


def _keys(rows, column):
    index = rows[0].index(column)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def downloader(request, client):
    def _as(name):
        client.force_login(request.getfixturevalue(name))
        return client

    return _as


@pytest.mark.parametrize("kind", EXPORTS)
def test_an_export_streams_every_row_and_the_xlsx_holds_the_same_rows(kind, downloader):
    who, make, column, csv_url, xlsx_url = EXPORTS[kind]
    client = downloader(who)
    made = make(120)
    csv_response, xlsx_response = client.get(csv_url), client.get(xlsx_url)
    for response in (csv_response, xlsx_response):
        assert response.status_code == 200
        assert response.streaming
        assert "attachment" in response["Content-Disposition"]
    assert csv_response["Content-Type"] == exports.CSV_CONTENT_TYPE
    assert xlsx_response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert xlsx_response["Content-Disposition"].endswith('.xlsx"')
    csv_rows, xlsx_rows = table(csv_response), table(xlsx_response)
    assert column in csv_rows[0]
    # Every row made is in the file once (the access log also holds the download's own entries).
    keys = _keys(csv_rows, column)
    assert sorted(k for k in keys if k in made) == sorted(made)
    assert xlsx_rows == csv_rows
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).values_list("detail", flat=True)
    assert any(d.endswith("(CSV)") for d in logged) and any(d.endswith("(XLSX)") for d in logged)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("kind", "wanted", "unwanted", "query"),
    [
        ("cases", {"status": Status.TRIAGED}, {"status": Status.NEW}, "status=triaged"),
        ("suppliers", {"status": Supplier.Status.SUSPENDED}, {}, "status=suspended"),
        ("access-log", {}, None, "record=MS-2026-0000"),
    ],
)
def test_an_export_holds_the_rows_the_page_filters_chose(kind, wanted, unwanted, query, fmt, downloader):
    who, make, column, csv_url, xlsx_url = EXPORTS[kind]
    client = downloader(who)
    if kind == "access-log":
        chosen, others = make(25)[:10], []  # "MS-2026-0000" matches 00000 to 00009
    else:
        chosen, others = make(3, **wanted), make(4, **unwanted)
    url = csv_url if fmt == "csv" else xlsx_url
    url += ("&" if "?" in url else "?") + query
    keys = _keys(table(client.get(url)), column)
    assert sorted(keys) == sorted(chosen)
    assert not set(keys) & set(others)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", EXPORTS)
def test_an_export_asks_the_same_number_of_queries_for_1_and_50_rows(kind, fmt, downloader):
    who, make, _column, csv_url, xlsx_url = EXPORTS[kind]
    url = csv_url if fmt == "csv" else xlsx_url
    client = downloader(who)

    def count():
        with CaptureQueriesContext(connection) as queries:
            table(client.get(url))
        return len(queries)

    make(1)
    one = count()
    make(49)
    # Session and user, the user's groups (role checks), the access-log entry (a savepoint and
    # the insert), the COUNT for that entry's detail, and the rows in one query read in chunks.
    assert count() == one <= 12


@pytest.mark.parametrize("char", exports.FORMULA_START)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_typed_by_a_reporter_reaches_the_spreadsheet_as_text(char, fmt, lead, client):
    ConcernFactory(site=None, location_text=f'{char}HYPERLINK("http://evil.example","Click")')
    client.force_login(lead)
    rows = table(client.get(f"/cases/export.{fmt}"))
    where = rows[1][rows[0].index("Site")]
    # XML turns a stored CR into LF when the workbook is read back.
    assert where.startswith(("'" + char, "'" + char.replace("\r", "\n"))), where


def test_the_rows_are_read_from_the_database_in_chunks():
    ConcernFactory.create_batch(3)
    cases = Concern.objects.all()
    assert [len(row) for row in exports.each(cases, lambda c: [c.reference])] == [1, 1, 1]
    # Iterating the queryset itself would have cached every row on it.
    assert cases._result_cache is None
    rows = Concern.objects.values_list("reference")  # a queryset handed over as it is
    assert len(list(exports.csv_rows(["Reference"], rows))) == 1 + 1 + 3
    assert rows._result_cache is None


def test_a_csv_is_sent_while_the_rows_are_still_being_read():
    pulled = 0

    def rows():
        nonlocal pulled
        for i in range(20_000):
            pulled += 1
            yield [f"row {i}", "x" * 20]

    blocks = exports.csv_blocks(["name", "padding"], rows())
    first = next(blocks)
    assert len(first) >= exports.BLOCK_SIZE
    assert pulled < 20_000 / 4  # the first block went before most rows were read
    assert all(len(b) < 2 * exports.BLOCK_SIZE for b in blocks)
    assert pulled == 20_000


def test_an_xlsx_goes_on_to_another_sheet_when_one_is_full(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # Excel's is 1,048,576
    body = exports.xlsx_bytes(header=["n"], rows=([i] for i in range(5)), sheet_title="Cases")
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    assert workbook.sheetnames == ["Cases", "Cases (2)", "Cases (3)"]
    assert [[r[0] for r in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets] == [
        ["n", 0, 1],
        ["n", 2, 3],
        ["n", 4],
    ]
    empty = load_workbook(io.BytesIO(exports.xlsx_bytes(header=["n"], rows=[])), read_only=True)
    assert [list(s.iter_rows(values_only=True)) for s in empty.worksheets] == [[("n",)]]
