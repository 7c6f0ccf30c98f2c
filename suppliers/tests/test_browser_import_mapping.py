"""Real browser: a file with a column the import does not know is mapped on the page, previewed, checked and imported."""

import pytest
from playwright.sync_api import expect

from compliance.models import ImportMapping
from suppliers.models import Supplier
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "Vendor ref,Companies House no.,Category,Country,Annual spend (£)\n" + "".join(
    f"Vendor {n} Ltd,0000000{n},Catering,GB,{n}000\n" for n in range(1, 7)
)


def test_an_unrecognised_column_is_mapped_in_the_browser_and_the_file_imports(page, live_server, procurement):
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/import/")
    page.get_by_label("Register file (.csv or .xlsx)").set_input_files(
        files=[{"name": "vendors.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()

    # The mapping page: the preview shows the first 5 rows with their spreadsheet lines.
    expect(page.get_by_role("heading", name="Which column is which: vendors.csv")).to_be_visible()
    preview = page.get_by_test_id("import-preview")
    expect(preview.get_by_role("row")).to_have_count(1 + 5)
    expect(preview.get_by_role("row").nth(1)).to_contain_text("2")
    expect(preview).to_contain_text("Vendor 5 Ltd")
    expect(preview).not_to_contain_text("Vendor 6 Ltd")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    # The select for the unknown column is found by its label, as a screen reader names it.
    select = page.get_by_label("Import the column “Vendor ref” as")
    select.focus()
    select.select_option("name")
    expect(select).to_have_value("name")
    page.get_by_label("Save this mapping for next time").check()
    page.get_by_label("Name of the saved mapping").fill("Finance vendor list")
    page.get_by_role("button", name="Use these columns and check the file").click()

    # The check runs (eagerly here, in a worker in production) and the import is offered.
    expect(page.get_by_test_id("import-summary")).to_contain_text("6 suppliers to add, 0 to change, 0 unchanged")
    expect(page.get_by_test_id("mapping-used")).to_contain_text("Using the saved mapping “Finance vendor list”")
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("6 added, 0 changed, 0 unchanged, 0 refused")
    assert Supplier.objects.filter(name__startswith="Vendor ").count() == 6
    assert ImportMapping.objects.get().name == "Finance vendor list"
