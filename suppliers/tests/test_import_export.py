"""Import with a dry run that lists every bad row; all or nothing; export round trip."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from compliance.models import AccessLog
from suppliers.models import EnhancedDueDiligence, Supplier, SupplierImport
from suppliers.services.imports import COLUMNS, import_apply
from suppliers.tests.factories import SupplierFactory
from tests.support import download_text

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def _csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _upload(client, content, name="register.csv"):
    """Upload, let the check task run (in-process under the test settings) and open the job page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("suppliers:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return client.get(response["Location"])


def _confirm(client, job):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("suppliers:import_confirm", args=[job.pk]))


GOOD = "Sunrise Laundry Ltd,04567890,laundry,GB;PL,120000,,2025-04-01,2027-03-31,yes,no,no,no,no,no,no,prospective,Ann Lee,ann@sunrise.example"
GOOD2 = "Pixel IT,,it_hardware,China,15000.50,,,,no,no,no,no,no,no,no,active,,"


def test_dry_run_lists_every_bad_row_with_line_and_field_and_imports_nothing(client, procurement, login):
    login(procurement)
    content = _csv(
        GOOD,
        ",,cleaning,GB,10,,,,no,no,no,no,no,no,no,prospective,,",  # line 3: no name
        "Bad Co,,rockets,Narnia,ten,nobody@x.example,31/02/2026,,maybe,no,no,no,no,no,no,active,,not-an-email",  # line 4
        "QuickStaff,,agency_staffing,GB,5000,,,,no,no,no,no,yes,,,active,,",  # line 5: unchecked agency active
    )
    response = _upload(client, content)
    html = response.content.decode()
    assert "Nothing was imported" in html
    job = SupplierImport.objects.get()
    assert job.status == "checked"
    errors = {(e["line"], e["field"]) for e in job.errors}
    assert (3, "name") in errors
    for field in (
        "category",
        "countries",
        "annual_spend",
        "contract_owner_email",
        "contract_start",
        "uses_agency_labour",
        "contact_email",
    ):
        assert (4, field) in errors, field
    assert (5, "status") in errors
    assert "unknown country &#x27;Narnia&#x27;" in html
    assert not Supplier.objects.exists()
    # No confirm button, and the confirm endpoint refuses a file with problems.
    assert "Confirm the import" not in html
    assert _confirm(client, job).status_code == 302
    job.refresh_from_db()
    assert job.status == "checked" and not Supplier.objects.exists()


def test_good_file_imports_only_after_confirmation(client, procurement, login):
    login(procurement)
    response = _upload(client, _csv(GOOD, GOOD2))
    assert "1" in response.content.decode() and "Confirm the import" in response.content.decode()
    assert not Supplier.objects.exists()
    job = SupplierImport.objects.get()
    _confirm(client, job)
    job.refresh_from_db()
    assert job.status == "applied" and job.summary["to_create"] == 2 and bytes(job.content) == b""
    names = sorted(Supplier.objects.values_list("name", flat=True))
    assert names == ["Pixel IT", "Sunrise Laundry Ltd"]
    sunrise = Supplier.objects.get(name="Sunrise Laundry Ltd")
    assert [c.code for c in sunrise.countries] == ["GB", "PL"]
    assert sunrise.uses_agency_labour and sunrise.risk_band
    assert Supplier.objects.get(name="Pixel IT").status == "active"
    assert sunrise.events.filter(message="Added by import (line 2).").exists()


def test_import_is_all_or_nothing(procurement):
    # A file that went bad between the check and the confirmation changes nothing.
    report = import_apply(
        actor=procurement, filename="r.csv", content=_csv(GOOD, "Broken,,nope,GB,1,,,,no,no,no,no,no,no,no,,,")
    )
    assert report.errors
    assert not Supplier.objects.exists()


def test_high_risk_row_cannot_be_imported_as_active(procurement):
    row = "Glove Co,,medical_ppe,MY,2000000,,,,no,no,yes,no,no,no,no,active,,"
    report = import_apply(actor=procurement, filename="r.csv", content=_csv(row))
    assert [(e.line, e.field) for e in report.errors] == [(2, "status")]


def test_xlsx_import(client, procurement, login):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append(
        [
            "Excel Foods",
            "",
            "catering",
            "GB",
            5000,
            "",
            None,
            None,
            "no",
            "no",
            "no",
            "no",
            "no",
            "no",
            "no",
            "prospective",
            "",
            "",
        ]
    )
    sheet.append(["", "", "catering", "GB", 5000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(procurement)
    response = _upload(client, buffer.getvalue(), name="register.xlsx")
    assert [(e["line"], e["field"]) for e in response.context["job"].errors] == [(3, "name")]


def _register_snapshot():
    return sorted(
        (
            s.name,
            s.registration_number,
            s.category,
            tuple(c.code for c in s.countries),
            s.annual_spend,
            s.contract_owner_id,
            s.contract_start,
            s.contract_end,
            s.uses_agency_labour,
            s.subcontracts,
            s.migrant_workforce,
            s.on_site_at_our_premises,
            s.is_recruitment_agency,
            s.agency_charges_worker_fees,
            s.agency_retains_id_documents,
            s.status,
            s.contact_name,
            s.contact_email,
        )
        for s in Supplier.objects.all()
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_register(client, procurement, login, fmt):
    SupplierFactory(
        name='=HYPERLINK("http://evil")', category="cleaning", countries=["GB", "IN"], annual_spend="12345.67"
    )
    SupplierFactory(name="Plain Supplies", status="active", uses_agency_labour=True, contract_owner=procurement)
    high = SupplierFactory(
        name="Edd Done", category="medical_ppe", countries=["MY"], annual_spend=2_000_000, migrant_workforce=True
    )
    EnhancedDueDiligence.objects.create(supplier=high, summary="done", site_visit=True)
    Supplier.objects.filter(pk=high.pk).update(status="active")
    before = _register_snapshot()
    login(procurement)
    response = client.get(reverse("suppliers:export"), {"format": fmt})
    content = _body(response)
    assert AccessLog.objects.filter(user=procurement, action="export").exists()
    if fmt == "csv":
        # A formula is neutralised for spreadsheets.
        assert "'=HYPERLINK" in content.decode("utf-8-sig")
    else:
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert rows[0][: len(COLUMNS)] == tuple(COLUMNS)
    # Importing the export over the same register changes nothing...
    report = import_apply(actor=procurement, filename=f"export.{fmt}", content=content)
    assert not report.errors, report.errors
    # ...and says so: nothing added, nothing changed, every row unchanged.
    assert (report.to_create, report.to_update, report.unchanged, report.refused) == (0, 0, 3, 0)
    assert _register_snapshot() == before
    assert not Supplier.objects.filter(events__kind="import").exists()
    # ...and into an empty register it recreates it. (An active high-risk supplier needs its
    # enhanced checks again in a new register, so that one comes back through the gate.)
    Supplier.objects.filter(pk=high.pk).update(status="prospective")
    before = _register_snapshot()
    content = _body(client.get(reverse("suppliers:export"), {"format": fmt}))
    Supplier.objects.all().delete()
    report = import_apply(actor=procurement, filename=f"export.{fmt}", content=content)
    assert not report.errors, report.errors
    assert _register_snapshot() == before


def test_export_follows_the_filters(client, procurement, login):
    SupplierFactory(name="Kept", category="cleaning")
    SupplierFactory(name="Filtered out", category="catering")
    login(procurement)
    body = download_text(client.get(reverse("suppliers:export"), {"category": "cleaning"}))
    assert "Kept" in body and "Filtered out" not in body
