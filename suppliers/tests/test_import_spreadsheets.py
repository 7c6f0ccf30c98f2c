"""Register imports from spreadsheets as people make them: their own headings, a BOM, a title row, row errors in order."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from suppliers.models import Supplier, SupplierImport

pytestmark = pytest.mark.django_db


def _upload(client, name, content):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("suppliers:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return SupplierImport.objects.latest("pk")


def _confirm(client, job):
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("suppliers:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_procurement_list_with_its_own_headings_and_a_bom_is_recognised(client, login, procurement):
    login(procurement)
    content = (
        "\ufeffSupplier name , COMPANIES HOUSE NO.,Category,Country,Annual spend (£),Contract start\n"
        'Sunrise Laundry Ltd,04567890,Laundry,United Kingdom,"12,500",01/04/2026\n'
    ).encode()
    job = _upload(client, "suppliers.csv", content)
    assert job.errors == []
    job = _confirm(client, job)
    assert job.status == SupplierImport.Status.APPLIED
    supplier = Supplier.objects.get(name="Sunrise Laundry Ltd")
    assert supplier.registration_number == "04567890"
    assert supplier.category == Supplier.Category.LAUNDRY
    assert [c.code for c in supplier.countries] == ["GB"]
    assert supplier.annual_spend == Decimal("12500.00")
    assert supplier.contract_start == datetime.date(2026, 4, 1)


def test_an_xlsx_with_a_title_row_reports_errors_on_the_lines_excel_shows_with_the_valid_values(
    client, login, procurement
):
    login(procurement)
    content = _xlsx(
        ["Approved suppliers, exported 1 December 2026"],
        [],
        ["Supplier", "Company number", "Sector", "Country", "Spend (£)", "Contract end"],
        ["Good Catering Ltd", "01234567", "Catering", "GB", 1000, datetime.datetime(2027, 3, 31)],
        ["Bright Cleaning", "07654321", "Cleaning services", "GB", 500, None],
    )
    job = _upload(client, "suppliers.xlsx", content)
    assert [(e["line"], e["field"]) for e in job.errors] == [(5, "category")]
    message = job.errors[0]["message"]
    assert message.startswith("Unknown category 'Cleaning services'; valid: Cleaning, Catering, Laundry,")
    assert "Agency staffing" in message
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Unknown category &#x27;Cleaning services&#x27;; valid: Cleaning" in page
    assert not Supplier.objects.exists()


def test_a_lines_errors_come_in_the_files_column_order_and_lines_in_order(client, login, procurement):
    login(procurement)
    content = (
        b"Contract start,Supplier name,Category,Status\n"
        b"31/02/2026,,Cleaning services,active\n"
        b"2026-01-01,Fine Ltd,Cleaning,dormant\n"
    )
    job = _upload(client, "suppliers.csv", content)
    assert [(e["line"], e["field"]) for e in job.errors] == [
        (2, "contract_start"),
        (2, "name"),
        (2, "category"),
        (3, "status"),
    ]
    assert job.errors[-1]["message"] == "Unknown status 'dormant'; valid: prospective, active, suspended, terminated"


def test_a_list_without_a_category_column_waits_for_the_mapping_and_says_what_is_missing(client, login, procurement):
    login(procurement)
    job = _upload(client, "suppliers.csv", b"Supplier name,Companies House no.\nAcme Ltd,01234567\n")
    assert job.status == SupplierImport.Status.MAPPING
    page = client.get(reverse("suppliers:import_columns", args=[job.pk])).content.decode()
    assert "Not found in the file: <strong>Category</strong>" in page


def test_reimporting_an_unchanged_export_says_every_row_is_unchanged(client, login, procurement):
    from suppliers.tests.factories import SupplierFactory

    for n, name in enumerate(["Alpha Cleaning", "Beta Cleaning", "Gamma Cleaning"]):
        SupplierFactory(name=name, registration_number=f"0000000{n}", category="cleaning", countries=["GB"])
    SupplierFactory(name="Agency A", category="agency_staffing", is_recruitment_agency=True)
    login(procurement)
    export = b"".join(client.get(reverse("suppliers:export"), {"format": "csv"}).streaming_content)
    job = _confirm(client, _upload(client, "export.csv", export))
    assert job.summary == {"to_create": 0, "to_update": 0, "unchanged": 4, "refused": 0}
    assert "0 added, 0 changed, 4 unchanged, 0 refused" in client.get(job.get_absolute_url()).content.decode()

    # One row changed, one new, one refused: each counted once, and the refusal stops the import.
    lines = export.decode("utf-8-sig").splitlines()

    def line_of(name):
        return next(i for i, text in enumerate(lines) if text.startswith(name + ","))

    alpha, beta, gamma = line_of("Alpha Cleaning"), line_of("Beta Cleaning"), line_of("Gamma Cleaning")
    lines[alpha] = lines[alpha].replace(",cleaning,", ",catering,")
    lines[gamma] = lines[gamma].replace(",GB,", ",Atlantis,")
    lines.append(lines[beta].replace("Beta Cleaning", "Delta Cleaning").replace("00000001", "00000009"))
    job = _upload(client, "export.csv", ("\n".join(lines) + "\n").encode())
    assert job.summary == {"to_create": 1, "to_update": 1, "unchanged": 2, "refused": 1}
    assert "1 to add, 1 to change, 2 unchanged, 1 refused" in client.get(job.get_absolute_url()).content.decode()
