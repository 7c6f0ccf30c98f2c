"""The shared spreadsheet reader: headers as people type them, CSV dialects, title rows, UK and Excel dates."""

import datetime
import io

import pytest
from openpyxl import Workbook

from compliance import spreadsheets
from compliance.spreadsheets import Column, Schema, normalise_header, parse_date

SCHEMA = Schema(
    kind=spreadsheets.ImportKind.SUPPLIERS,
    columns=(
        Column("name", "Name", ("Supplier name",), required=True),
        Column("registration_number", "Companies House number", ("Company number",)),
        Column("annual_spend", "Annual spend"),
        Column("first", "First name", part_of="full"),
        Column("last", "Last name", ("Surname",), part_of="full"),
        Column("full", "Full name"),
    ),
    ignored=("Risk score",),
)


@pytest.mark.parametrize(
    "header, key",
    [
        ("Supplier name", "name"),
        ("  SUPPLIER   NAME ", "name"),
        ("supplier_name", "name"),
        ("Companies House no.", "registration_number"),
        ("Companies House No", "registration_number"),
        ("Company number", "registration_number"),
        ("Annual spend (£)", "annual_spend"),
        ("Annual Spend £", "annual_spend"),
        ("Annual spend (GBP)", "annual_spend"),
        ("SURNAME", "last"),
        ("Risk score", ""),
        ("Favourite colour", None),
    ],
)
def test_headers_are_matched_whatever_the_case_spacing_punctuation_and_units(header, key):
    assert SCHEMA.target_for(header) == key


def test_email_spellings_normalise_alike():
    assert normalise_header("E-mail address") == normalise_header("Email Address") == "email address"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-04-01", datetime.date(2026, 4, 1)),
        ("01/04/2026", datetime.date(2026, 4, 1)),
        ("1/4/2026", datetime.date(2026, 4, 1)),
        ("01.04.2026", datetime.date(2026, 4, 1)),
        ("1 Apr 2026", datetime.date(2026, 4, 1)),
        ("2026-04-01 00:00:00", datetime.date(2026, 4, 1)),
        ("46113", datetime.date(2026, 4, 1)),  # an Excel date pasted as its number
        ("", None),
    ],
)
def test_dates_in_uk_iso_and_excel_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "04/31/2026", "tomorrow", "12"])
def test_what_is_not_a_date_says_so(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


def test_a_csv_with_a_bom_semicolons_and_a_title_row_finds_its_header_and_keeps_line_numbers():
    content = "\ufeffSupplier list;;\n;;\nSupplier name;Company number;Favourite colour\nAcme;0123;blue\n\nBeta;;red\n"
    grid = spreadsheets.read_grid("list.csv", content.encode())
    analysis = spreadsheets.analyse(grid, SCHEMA)
    assert analysis.header_line == 3
    assert analysis.targets == ["name", "registration_number", None]
    assert analysis.unrecognised == ["Favourite colour"]
    assert not analysis.missing
    rows = spreadsheets.rows(grid, SCHEMA, header_line=analysis.header_line, targets=analysis.targets)
    assert rows == [
        (4, {"name": "Acme", "registration_number": "0123"}),
        (6, {"name": "Beta", "registration_number": ""}),
    ]


def test_an_xlsx_with_a_title_row_and_a_blank_row_counts_lines_as_excel_does():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Register of suppliers, December 2026"])
    sheet.append([])
    sheet.append(["First name", "Surname", "Annual spend (£)"])
    sheet.append(["Ann", "Carer", 1250.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    grid = spreadsheets.read_grid("list.xlsx", buffer.getvalue())
    analysis = spreadsheets.analyse(grid, SCHEMA)
    assert analysis.header_line == 3
    assert [m.key for m in analysis.missing] == ["name"]
    rows = spreadsheets.rows(grid, SCHEMA, header_line=3, targets=analysis.targets)
    assert rows == [(4, {"first": "Ann", "last": "Carer", "annual_spend": "1250", "full": "Ann Carer"})]


def test_a_saved_mapping_names_the_columns_the_aliases_do_not_know():
    grid = [["Vendor ref", "Colour"], ["Acme", "blue"]]
    analysis = spreadsheets.analyse(grid, SCHEMA, saved={"vendor reference": "name", "colour": ""})
    assert analysis.targets == ["name", ""]
    assert analysis.complete


def test_errors_are_sorted_by_line_then_by_the_files_column_order():
    errors = [
        {"line": 3, "field": "email", "message": "a"},
        {"line": 2, "field": "name", "message": "b"},
        {"line": 2, "field": "start date", "message": "c"},
    ]
    ordered = spreadsheets.sort_errors(errors, columns=["start date", "email", "name"])
    assert [e["message"] for e in ordered] == ["c", "b", "a"]
