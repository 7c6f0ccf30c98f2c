"""Every CSV and XLSX download goes through here.

One place makes cells formula-safe, sets the download headers, writes the
access log and streams the rows, so a new export cannot forget any of them.
`tests/test_exports.py` finds every export from the URL configuration and
checks that no planted formula survives, and that no module writes CSV or
XLSX by hand; `tests/test_export_streaming.py` checks that each is streamed,
complete and asks a constant number of queries; `scripts/export_memory.py`
shows that peak memory does not grow with the number of rows.

Memory stays constant whatever the size of the export:
* a queryset is read with `.iterator(chunk_size=CHUNK_SIZE)` (a server-side
  cursor on PostgreSQL), never cached whole on the queryset;
* a CSV is streamed as it is written, in blocks of about BLOCK_SIZE bytes;
* an XLSX is written by openpyxl in write-only mode (each row goes to a
  temporary file as it is appended) into an anonymous temporary file, which
  is then streamed. An XLSX is a zip archive whose directory comes last, so
  its first byte can only be sent once the last row is written; the file is
  on disk, not in memory, and is gone when the response closes (or the
  worker dies: it was unlinked when created).
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from compliance.models import AccessLog
from compliance.services import access_log_record

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# Injection": = + - @, plus tab and carriage return, which some spreadsheets
# strip before looking at the next character).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# Rows fetched from the database per round trip: large enough that the round trips cost little,
# small enough that a chunk of model instances stays a few megabytes.
CHUNK_SIZE = 2000
# A CSV is sent in blocks of about this many bytes: one write per line would cost a system call
# (and a WSGI round) per row.
BLOCK_SIZE = 64 * 1024
# Rows in one worksheet, the header included (Excel's limit: 2**20).
XLSX_MAX_ROWS = 1_048_576


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


def export_format(value: str | None) -> str:
    """The format a request asked for ("xlsx" or else "csv"): an unknown value gets the CSV, not an error."""
    return value if value in FORMATS else "csv"


def choice_labels(model, *field_names: str) -> dict[str, dict]:
    """Each field's choice labels as text, by value: looked up once per export, not once per cell."""
    return {
        name: {value: str(label) for value, label in model._meta.get_field(name).flatchoices} for name in field_names
    }


def each(queryset: QuerySet, row: Callable[[object], Iterable]) -> Iterator[Iterable]:
    """One row per object, read in chunks so an export of any size holds one chunk in memory."""
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield row(obj)


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


def _rows(rows: Iterable[Iterable]) -> Iterable[Iterable]:
    # A queryset handed over as it is would be cached whole by iterating it: read it in chunks.
    return rows.iterator(chunk_size=CHUNK_SIZE) if isinstance(rows, QuerySet) else rows


def csv_rows(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text, line by line, every cell escaped; a BOM first so Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([escape_cell(v) for v in header])
    for row in _rows(rows):
        yield writer.writerow([escape_cell(v) for v in row])


def csv_blocks(header: Iterable, rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The CSV as UTF-8 blocks of about BLOCK_SIZE bytes, for streaming."""
    block, size = [], 0
    for line in csv_rows(header, rows):
        block.append(line)
        size += len(line)
        if size >= BLOCK_SIZE:
            yield "".join(block).encode("utf-8")
            block, size = [], 0
    if block:
        yield "".join(block).encode("utf-8")


def csv_bytes(*, header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """The whole CSV at once (for a file that is stored rather than downloaded)."""
    return b"".join(csv_blocks(header, rows))


def csv_text_unescaped(rows: Iterable[Iterable]) -> str:
    """Rows as CSV text kept inside the app (an uploaded workbook stored as the import's text),
    never offered for download: written exactly as read, so nothing is formula-escaped."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def xlsx_write(target, *, header: Iterable, rows: Iterable[Iterable], sheet_title: str = "Export") -> None:
    """Write a workbook to a binary file, every cell escaped (openpyxl stores a string starting with = as a formula).

    A sheet holds at most XLSX_MAX_ROWS rows (Excel's limit); more rows go on to further sheets, each
    with the header again, rather than making a file that Excel refuses to open.
    """
    from openpyxl import Workbook

    # Write-only mode writes each row out as it is appended instead of keeping the sheet;
    # strings are written inline, so nothing grows with the number of rows.
    workbook = Workbook(write_only=True)
    header = [escape_cell(v) for v in header]
    sheet, filled, sheets = None, XLSX_MAX_ROWS, 0
    for row in _rows(rows):
        if filled == XLSX_MAX_ROWS:
            sheets += 1
            sheet = workbook.create_sheet(title=_sheet_title(sheet_title, sheets))
            sheet.append(header)
            filled = 1
        sheet.append([escape_cell(v) for v in row])
        filled += 1
    if sheet is None:
        workbook.create_sheet(title=_sheet_title(sheet_title, 1)).append(header)
    workbook.save(target)


def _sheet_title(title: str, number: int) -> str:
    # Excel allows 31 characters in a sheet's name.
    suffix = f" ({number})" if number > 1 else ""
    return title[: 31 - len(suffix)] + suffix


def xlsx_bytes(*, header: Iterable, rows: Iterable[Iterable], sheet_title: str = "Export") -> bytes:
    """The whole workbook at once (for a file that is stored, or a test's upload)."""
    buffer = io.BytesIO()
    xlsx_write(buffer, header=header, rows=rows, sheet_title=sheet_title)
    return buffer.getvalue()


def csv_download(
    *, request, filename: str, header: Iterable, rows: Iterable[Iterable], detail: str, obj=None
) -> StreamingHttpResponse:
    """Stream rows as a CSV download, formula-safe, and record the export in the access log."""
    _log(request, detail=detail, obj=obj)
    response = StreamingHttpResponse(csv_blocks(header, rows), content_type=CSV_CONTENT_TYPE)
    _download_headers(response, filename)
    return response


def xlsx_download(
    *,
    request,
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    detail: str,
    sheet_title: str = "Export",
    obj=None,
) -> FileResponse:
    """Stream an XLSX download from a temporary file, formula-safe, recorded in the access log."""
    _log(request, detail=detail, obj=obj)
    # Unlinked at creation: closed by the response when sent, and never left behind by a killed worker.
    handle = tempfile.TemporaryFile()  # noqa: SIM115  the response closes it once sent
    try:
        xlsx_write(handle, header=header, rows=rows, sheet_title=sheet_title)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE, as_attachment=True, filename=filename)
    _download_headers(response, filename)
    return response


def download(
    *,
    request,
    fmt: str,
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    detail: str,
    sheet_title: str = "Export",
    obj=None,
) -> StreamingHttpResponse:
    """The export as CSV or XLSX (`fmt`), streamed; `filename` has no extension (the format adds it)."""
    fmt = export_format(fmt)
    if fmt == "xlsx":
        return xlsx_download(
            request=request,
            filename=f"{filename}.xlsx",
            header=header,
            rows=rows,
            detail=f"{detail} (XLSX)",
            sheet_title=sheet_title,
            obj=obj,
        )
    return csv_download(
        request=request, filename=f"{filename}.csv", header=header, rows=rows, detail=f"{detail} (CSV)", obj=obj
    )


def stored_download(*, request, handle, fmt: str, filename: str, detail: str, obj=None) -> FileResponse:
    """A file an export job wrote earlier (compliance/export_jobs.py), sent and access-logged as any export."""
    _log(request, detail=detail, obj=obj)
    content_type = XLSX_CONTENT_TYPE if export_format(fmt) == "xlsx" else CSV_CONTENT_TYPE
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    _download_headers(response, filename)
    return response
