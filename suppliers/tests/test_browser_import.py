"""Real browser: the import job page polls with htmx, shows progress, survives a reload, and reloads itself when done."""

import pytest
from playwright.sync_api import expect

from suppliers.models import SupplierImport
from suppliers.services.imports import COLUMNS, supplier_import_check
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROW = "Sunrise Laundry Ltd,04567890,laundry,GB,120000,,,,no,no,no,no,no,no,no,prospective,,"


def test_the_import_page_follows_a_worker_and_survives_a_reload(page, live_server, procurement):
    content = (",".join(COLUMNS) + "\n" + ROW + "\n").encode()
    job = SupplierImport.objects.create(filename="register.csv", content=content, uploaded_by=procurement)
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/import/{job.pk}/")
    expect(page.get_by_test_id("import-state")).to_have_text("Queued for checking")
    expect(page.get_by_role("progressbar")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    # A worker reports progress; the page shows it on its next poll, and after a reload.
    SupplierImport.objects.filter(pk=job.pk).update(status="checking", progress_done=1, progress_total=4)
    expect(page.get_by_test_id("import-state")).to_have_text("Checking", timeout=5000)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "25")
    page.reload()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "25")
    # The worker finishes: the page reloads itself and offers the confirmation.
    SupplierImport.objects.filter(pk=job.pk).update(status="check_queued")
    supplier_import_check(job_id=job.pk)
    expect(page.get_by_role("button", name="Confirm the import")).to_be_visible(timeout=5000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
