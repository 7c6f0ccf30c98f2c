"""Every CSV and XLSX download goes through here.

One place makes cells formula-safe, sets the download headers, writes the
access log and streams the rows, so a new export cannot forget any of them.
`tests/test_exports.py` finds every export from the URL configuration and
checks that no planted formula survives, and that no module writes CSV or
XLSX by hand.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from compliance.models import AccessLog
from compliance.services import access_log_record

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# Injection": = + - @, plus tab and carriage return, which some spreadsheets
# strip before looking at the next character).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_cell(value):
    """The value as a cell a spreadsheet shows as text, never runs: numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    # The apostrophe is the spreadsheet's own "this is text" mark; it is not shown.
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell on import, so an export imported again gives the same values."""
    return text[1:] if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_START else text


class _Echo:
    # csv.writer wants a file; this one hands each line back for streaming.
    def write(self, value):
        return value


def _log(request, *, detail: str, obj=None) -> None:
    # Exporting is a read worth recording: who took which records away, and when.
    access_log_record(user=request.user, obj=obj, action=AccessLog.Action.EXPORT, request=request, detail=detail)


def _download_headers(response, filename: str) -> None:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Exports carry personal and case data: no shared or browser cache may keep a copy.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"


def csv_rows(header: Iterable, rows: Iterable[Iterable]) -> Iterable[str]:
    """The CSV text, line by line, every cell escaped; a BOM first so Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([escape_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([escape_cell(v) for v in row])


def csv_bytes(*, header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """The whole CSV at once (for a file that is stored rather than downloaded)."""
    return "".join(csv_rows(header, rows)).encode("utf-8")


def csv_download(
    *, request, filename: str, header: Iterable, rows: Iterable[Iterable], detail: str, obj=None
) -> StreamingHttpResponse:
    """Stream rows as a CSV download, formula-safe, and record the export in the access log."""
    _log(request, detail=detail, obj=obj)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_rows(header, rows)), content_type=CSV_CONTENT_TYPE
    )
    _download_headers(response, filename)
    return response


def xlsx_bytes(*, header: Iterable, rows: Iterable[Iterable], sheet_title: str = "Export") -> bytes:
    """A one-sheet workbook, every cell escaped (openpyxl stores a string starting with = as a formula)."""
    from openpyxl import Workbook

    # Write-only mode keeps one row in memory at a time instead of the whole sheet.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([escape_cell(v) for v in header])
    for row in rows:
        sheet.append([escape_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_download(
    *,
    request,
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    detail: str,
    sheet_title: str = "Export",
    obj=None,
) -> HttpResponse:
    """An XLSX download, formula-safe, recorded in the access log.

    Not streamed: an XLSX file is a zip archive whose directory comes last.
    """
    _log(request, detail=detail, obj=obj)
    response = HttpResponse(
        xlsx_bytes(header=header, rows=rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE
    )
    _download_headers(response, filename)
    return response
