"""Reading spreadsheets as people make them, for every import (suppliers, staff roster, training completions).

One reader for CSV (a BOM, any common delimiter) and XLSX (a title row or blank rows
above the header), one header matcher with the aliases people actually type
("Supplier name", "Companies House no.", "Annual spend (£)", "First name" + "Last
name"), and one date reader (ISO, dd/mm/yyyy, Excel dates). Each import describes
its columns with a :class:`Schema`; the column-mapping page and the saved mappings
work on what :func:`analyse` finds. Line numbers are the spreadsheet's own, title
rows included, so a row error points at the line the person sees in Excel.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from compliance.exports import unescape_cell

# The header is looked for in the first rows only: a title block is a few lines, not pages.
HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = 5
IGNORE = ""  # the mapping target of a column that is not imported


class ImportKind(models.TextChoices):
    """The imports that read spreadsheets; a saved column mapping belongs to one of them."""

    SUPPLIERS = "suppliers", "Supplier register"
    ROSTER = "roster", "Staff roster"
    COMPLETIONS = "completions", "Training completions"


# --- Headers -----------------------------------------------------------------------------

_UNITS = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # "(£)", "(GBP)", "[yyyy-mm-dd]", "(yes/no)"
_WORD_SUBSTITUTIONS = {
    "no": "number",
    "num": "number",
    "nr": "number",
    "nbr": "number",
    "ref": "reference",
    "gbp": "",
    "pounds": "",
    "sterling": "",
}


def normalise_header(text: str) -> str:
    """A header as compared: case, spaces, punctuation and units ("(£)", "no.") do not matter."""
    text = str(text or "").strip().lower().replace("&", " and ").replace("#", " number ")
    text = _UNITS.sub(" ", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words[:1] == ["e"] and words[1:2] == ["mail"]:
        words = ["email", *words[2:]]
    if len(words) > 1:
        # Only inside a longer header: "No" alone is more likely a yes/no answer than a number.
        words = [_WORD_SUBSTITUTIONS.get(word, word) for word in words]
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Column:
    """One field an import reads: its key, the label people see, and the headers that mean it."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    # A part of another field: "First name" and "Last name" joined (with a space) give "name".
    part_of: str = ""

    def matches(self) -> set[str]:
        return {normalise_header(h) for h in (self.key, self.label, *self.aliases)}


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of import, and headers it knows and deliberately leaves out."""

    kind: str
    columns: tuple[Column, ...]
    # Headers recognised as not imported (the export's own risk score, an employee number we do not keep).
    ignored: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def choices(self) -> list[tuple[str, str]]:
        """The targets a file column can be mapped to, "ignore" first."""
        return [(IGNORE, "Ignore this column"), *((c.key, c.label) for c in self.columns)]

    def target_for(self, header: str) -> str | None:
        """The field a header means; IGNORE for a known header that is not imported; None if unknown."""
        normal = normalise_header(header)
        if not normal:
            return None
        for column in self.columns:
            if normal in column.matches():
                return column.key
        if normal in {normalise_header(h) for h in self.ignored}:
            return IGNORE
        return None

    def missing(self, targets: list[str]) -> list[Column]:
        """The required fields no column gives (a split field counts when one of its parts is there)."""
        present = set(targets)
        present |= {c.part_of for c in self.columns if c.part_of and c.key in present}
        return [c for c in self.required if c.key not in present]


def header_signature(headers: list[str]) -> str:
    """What identifies "the same spreadsheet layout" for a saved mapping: its normalised headers in order."""
    return hashlib.sha256("\x1f".join(normalise_header(h) for h in headers).encode()).hexdigest()


# --- Reading ------------------------------------------------------------------------------


def is_xlsx(filename: str, content: bytes) -> bool:
    return filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04"


def cell_text(value) -> str:
    """A cell as the text an import reads: dates in ISO, whole numbers without ".0", booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_grid(filename: str, content: bytes, *, limit: int | None = None, unescape: bool = True) -> list[list[str]]:
    """Every row of the first sheet as text cells; row i is spreadsheet line i + 1 (blank rows kept).

    ``limit`` stops after that many rows (the mapping page reads only the top of a big file).
    ``unescape`` undoes the export's formula escaping, so an exported register imports as it was.
    """
    undo = unescape_cell if unescape else str
    if is_xlsx(filename, content):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            grid: list[list[str]] = []
            # min_row=1: a sheet whose first cells are lower down still counts its lines from 1.
            for row in sheet.iter_rows(min_row=1, values_only=True):
                grid.append([undo(cell_text(v)) for v in row])
                if limit and len(grid) >= limit:
                    break
            return grid
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise ValidationError(f"This is not a readable Excel (.xlsx) file: {exc}") from exc
    if b"\x00" in content[:4096]:
        raise ValidationError("This is not a CSV or .xlsx file: save the spreadsheet as CSV (UTF-8) or .xlsx.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The CSV file is not UTF-8 text: save it as 'CSV UTF-8' and try again.") from exc
    sample = text[:8192]
    try:
        # Excel in a European locale saves CSV with ";", some tools with tabs; only the delimiter is taken
        # from the sniffer (its guesses about quoting are less reliable than Excel's standard quoting).
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    grid = []
    # One record is one spreadsheet row (a quoted cell with a line break included), as Excel numbers them.
    for values in csv.reader(io.StringIO(text), delimiter=delimiter):
        grid.append([undo(v.strip()) for v in values])
        if limit and len(grid) >= limit:
            break
    return grid


@dataclass
class Analysis:
    """What a file's top looks like to an import: where the header is, what each column means."""

    header_line: int  # spreadsheet line of the header (1 for a plain file)
    headers: list[str]
    targets: list[str | None]  # per file column: a field key, IGNORE, or None (not recognised)
    missing: list[Column]
    preview: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def unrecognised(self) -> list[str]:
        return [h for h, t in zip(self.headers, self.targets, strict=True) if t is None and h.strip()]

    @property
    def complete(self) -> bool:
        """Every required field found and no column left unexplained: no mapping step is needed."""
        return not self.missing and not self.unrecognised

    @property
    def signature(self) -> str:
        return header_signature(self.headers)


def _find_header(grid: list[list[str]], schema: Schema) -> int:
    """The index of the header row: the row among the first ones whose cells name most of the import's fields."""
    best, best_score = None, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        score = sum(1 for cell in row if schema.target_for(cell) not in (None, IGNORE))
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return next((i for i, row in enumerate(grid) if any(c.strip() for c in row)), 0)


def analyse(grid: list[list[str]], schema: Schema, *, saved: dict[str, str] | None = None) -> Analysis:
    """Find the header row and what each column means; ``saved`` maps normalised headers to fields."""
    index = _find_header(grid, schema)
    headers = list(grid[index]) if grid else []
    while headers and not headers[-1].strip():
        headers.pop()
    targets: list[str | None] = []
    for header in headers:
        normal = normalise_header(header)
        if saved is not None and normal in saved:
            targets.append(saved[normal])
        else:
            targets.append(schema.target_for(header))
    targets = _first_use_only(targets)
    preview = [
        (index + 1 + n, (row + [""] * len(headers))[: len(headers)])
        for n, row in enumerate(grid[index + 1 :], start=1)
        if any(c.strip() for c in row)
    ][:PREVIEW_ROWS]
    return Analysis(
        header_line=index + 1,
        headers=headers,
        targets=targets,
        missing=schema.missing([t for t in targets if t]),
        preview=preview,
    )


def _first_use_only(targets: list[str | None]) -> list[str | None]:
    # Two columns that both look like "email": the first is taken, the second is left for the person to map.
    seen: set[str] = set()
    out: list[str | None] = []
    for target in targets:
        if target and target in seen:
            out.append(None)
        else:
            out.append(target)
            if target:
                seen.add(target)
    return out


def rows(
    grid: list[list[str]], schema: Schema, *, header_line: int, targets: list[str | None]
) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet line, {field: text}) for each non-blank row under the header, split fields joined."""
    parts = [c for c in schema.columns if c.part_of]
    out = []
    for index in range(header_line, len(grid)):
        values = grid[index]
        if not any(v.strip() for v in values):
            continue
        row: dict[str, str] = {}
        for position, target in enumerate(targets):
            if target:
                row[target] = values[position].strip() if position < len(values) else ""
        for whole in {c.part_of for c in parts}:
            if whole not in row:
                joined = " ".join(row[c.key] for c in parts if c.part_of == whole and row.get(c.key))
                if any(c.key in row for c in parts if c.part_of == whole):
                    row[whole] = joined
        out.append((index + 1, row))
    return out


# --- Values -------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d")
# Excel counts days from 30 Dec 1899 (its 1900 leap-year bug included); 20000..80000 is 1954..2119.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_HINT = "use DD/MM/YYYY or YYYY-MM-DD"


def parse_date(text: str) -> datetime.date | None:
    """A date as people type it in the UK (dd/mm/yyyy), in ISO, or as Excel stores it; None if empty."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # "2026-03-01 00:00:00" from a CSV saved by a tool that wrote the time too.
    try:
        return datetime.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 20000 <= float(text) <= 80000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    raise ValueError(f"not a date: {DATE_HINT}")


def sort_errors(errors: list[dict], *, columns: list[str]) -> list[dict]:
    """Row errors in the order a person fixes them: by line, then by column as the file runs (``columns``)."""
    order = {key: n for n, key in enumerate(columns)}
    return sorted(errors, key=lambda e: (e.get("line") or 0, order.get(e.get("field") or "", len(order))))


def one_of(value: str, valid: list[str]) -> str:
    """The end of a "not one of them" message: the valid values, so the person can pick one."""
    return f"'{value}'; valid: {', '.join(valid)}"
