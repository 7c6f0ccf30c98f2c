"""The column-mapping step of the register import: an unrecognised column is mapped by a person, saved, reused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from compliance.models import ImportMapping
from compliance.spreadsheets import ImportKind
from suppliers.models import Supplier, SupplierImport

pytestmark = pytest.mark.django_db

HEADER = "Vendor ref,Companies House no.,Sector,Country,Annual spend (£),Notes\n"
ROWS = "".join(f"Supplier {n} Ltd,0000000{n},Cleaning,GB,{n}000,note {n}\n" for n in range(1, 7))


def _upload(client, content: bytes) -> tuple:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("suppliers:import"), {"file": SimpleUploadedFile("vendors.csv", content)})
    return response, SupplierImport.objects.latest("pk")


def _map(client, job, data) -> object:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("suppliers:import_columns", args=[job.pk]), data)


MAPPING = {
    "column_0": "name",
    "column_1": "registration_number",
    "column_2": "category",
    "column_3": "countries",
    "column_4": "annual_spend",
    "column_5": "-",
}


def test_an_unrecognised_column_is_mapped_with_a_preview_saved_and_reused(client, login, procurement):
    login(procurement)
    response, job = _upload(client, (HEADER + ROWS).encode())
    # "Vendor ref" and "Notes" mean nothing to the import, and no column gives the name: a person decides.
    assert job.status == SupplierImport.Status.MAPPING
    assert response.url == reverse("suppliers:import_columns", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Not found in the file: <strong>Name</strong>" in page
    assert "Columns not recognised: “Vendor ref”, “Notes”" in page
    assert 'for="id_column_0">Import the column “Vendor ref” as</label>' in page
    # The recognised columns come pre-selected; the preview shows the first 5 rows with their lines.
    assert '<option value="category" selected>' in page
    assert page.count('<th scope="row">') == 6 + 5
    assert "Supplier 5 Ltd" in page and "Supplier 6 Ltd" not in page.split('data-testid="import-preview"')[1]

    response = _map(client, job, {**MAPPING, "save": "on", "save_as": "Vendor list from the finance system"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == SupplierImport.Status.CHECKED and job.errors == []
    assert job.summary["to_create"] == 6
    saved = ImportMapping.objects.get()
    assert (saved.kind, saved.name) == (ImportKind.SUPPLIERS, "Vendor list from the finance system")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("suppliers:import_confirm", args=[job.pk]))
    assert Supplier.objects.get(registration_number="00000003").name == "Supplier 3 Ltd"

    # Next month's file with the same headings is read with the saved mapping, without the mapping page.
    response, job = _upload(client, (HEADER + "Supplier 7 Ltd,00000007,Laundry,FR,700,\n").encode())
    assert response.url == job.get_absolute_url()
    assert job.status == SupplierImport.Status.CHECKED and job.errors == []
    assert job.summary["to_create"] == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Using the saved mapping “Vendor list from the finance system”" in page
    # ...and the mapping can be changed from there: the page opens with the saved choices.
    page = client.get(reverse("suppliers:import_columns", args=[job.pk])).content.decode()
    assert '<option value="name" selected>' in page


def test_a_mapping_that_names_a_field_twice_or_leaves_a_column_undecided_is_refused_keeping_the_choices(
    client, login, procurement
):
    login(procurement)
    _response, job = _upload(client, (HEADER + ROWS).encode())
    response = _map(client, job, {**MAPPING, "column_5": "name", "save": "on", "save_as": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Name is already the column “Vendor ref”." in page
    assert "Give the mapping a name to save it." in page
    assert '<option value="annual_spend" selected>' in page
    response = _map(client, job, {**MAPPING, "column_0": ""})
    page = response.content.decode()
    assert "Say what the column “Vendor ref” is" in page
    assert "No column gives Name" not in page  # the undecided column is the one problem named
    job.refresh_from_db()
    assert job.status == SupplierImport.Status.MAPPING
    assert not ImportMapping.objects.exists()


def test_a_mapping_without_a_required_field_is_refused(client, login, procurement):
    login(procurement)
    _response, job = _upload(client, (HEADER + ROWS).encode())
    page = _map(client, job, {**MAPPING, "column_2": "-"}).content.decode()
    assert "No column gives Category" in page
    job.refresh_from_db()
    assert job.status == SupplierImport.Status.MAPPING


def test_saved_supplier_mappings_belong_to_the_people_who_run_the_register_import(login, procurement, hr_user):
    mapping = ImportMapping.objects.create(kind=ImportKind.SUPPLIERS, signature="x", name="Vendors", columns={})
    assert mapping in ImportMapping.objects.restrict(procurement)
    assert mapping not in ImportMapping.objects.restrict(hr_user)
    assert mapping not in ImportMapping.objects.restrict(procurement, "delete")
