"""The register import as a background job: bulk writes that keep the history, a page that polls, abandon, re-queue."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from suppliers.models import RiskAssessment, Supplier, SupplierEvent, SupplierImport
from suppliers.services.imports import COLUMNS, supplier_imports_requeue_stale
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
ROW = "{name},{number},cleaning,GB,1000,,,,no,no,no,no,no,no,no,prospective,,"


def _csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _upload(client, content, *, run=True):
    with TestCase.captureOnCommitCallbacks(execute=run):
        response = client.post(reverse("suppliers:import"), {"file": SimpleUploadedFile("r.csv", content)})
    assert response.status_code == 302
    return SupplierImport.objects.latest("pk")


def _confirm(client, job, *, run=True):
    with TestCase.captureOnCommitCallbacks(execute=run):
        client.post(reverse("suppliers:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def test_bulk_apply_keeps_each_suppliers_history_as_a_single_edit_would(client, login, procurement):
    kept = SupplierFactory(name="Kept Ltd", registration_number="00000001", category="cleaning", countries=["GB"])
    login(procurement)
    job = _upload(
        client,
        _csv(
            ROW.format(name="Kept Ltd", number="00000001").replace(",1000,", ",2500,"),
            *(ROW.format(name=f"New {n}", number=f"1000{n:04d}") for n in range(30)),
        ),
    )
    assert job.status == "checked" and job.summary == {"to_create": 30, "to_update": 1, "unchanged": 0, "refused": 0}
    job = _confirm(client, job)
    assert job.status == "applied" and job.progress_done == job.progress_total == 31
    assert Supplier.objects.count() == 31
    new = Supplier.objects.get(name="New 7")
    assert new.risk_band and new.risk_score is not None and new.next_review_due
    # Events, assessment and change history, with the person who confirmed as the actor.
    assert SupplierEvent.objects.filter(supplier=new, kind="import", message="Added by import (line 10).").exists()
    assert SupplierEvent.objects.filter(supplier=new, kind="risk", actor=procurement).exists()
    assert RiskAssessment.objects.filter(supplier=new, reason="Imported", assessed_by=procurement).count() == 1
    created = LogEntry.objects.get_for_object(new).get()
    assert created.action == LogEntry.Action.CREATE and created.actor == procurement
    assert created.changes["name"] == ["None", "New 7"]
    kept.refresh_from_db()
    assert kept.annual_spend == 2500
    event = SupplierEvent.objects.get(supplier=kept, kind="import")
    assert event.message.startswith("Updated by import (line 2): ") and "annual_spend" in event.message
    update = LogEntry.objects.get_for_object(kept).filter(action=LogEntry.Action.UPDATE).get()
    assert set(update.changes) >= {"annual_spend"} and "name" not in update.changes


def test_the_page_polls_while_a_worker_has_the_job_and_a_reload_shows_the_same(client, login, procurement):
    login(procurement)
    job = _upload(client, _csv(ROW.format(name="A", number="1")), run=False)  # no worker yet
    url = reverse("suppliers:import_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert "Queued for checking" in page and 'hx-trigger="every 1s"' in page and "progressbar" in page
    # The htmx poll gets only the status; once finished it asks for a full reload.
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith("{#") or 'id="import-status"' in partial.content.decode()
    from suppliers.services.imports import supplier_import_check

    supplier_import_check(job_id=job.pk)
    assert client.get(url, HTTP_HX_REQUEST="true").headers["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert "The file is good" in page and "Confirm the import" in page and "every 1s" not in page
    # Confirmed, waiting for a worker: the honest state, not a retry.
    _confirm(client, job, run=False)
    page = client.get(url).content.decode()
    assert "Queued to import" in page and "retrying" not in page and 'hx-trigger="every 1s"' in page


def test_a_checked_file_is_kept_until_abandoned(client, login, procurement):
    login(procurement)
    job = _upload(client, _csv(ROW.format(name="A", number="1")))
    assert bytes(SupplierImport.objects.get(pk=job.pk).content).startswith(b"name,")
    client.post(reverse("suppliers:import_abandon", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "abandoned" and bytes(job.content) == b""
    assert _confirm(client, job).status == "abandoned" and not Supplier.objects.exists()


def test_a_change_between_check_and_apply_writes_nothing_and_shows_the_problem(client, login, procurement, make_user):
    owner = make_user(roles.STAFF, email="owner@example.org")
    login(procurement)
    row = ROW.format(name="A", number="1").replace(",1000,,", ",1000,owner@example.org,")
    job = _upload(client, _csv(row, ROW.format(name="B", number="2")))
    assert job.status == "checked" and not job.errors
    owner.is_active = False  # the contract owner left after the check
    owner.save()
    job = _confirm(client, job)
    assert job.status == "checked" and job.errors[0]["field"] == "contract_owner_email"
    assert not Supplier.objects.exists()
    page = client.get(reverse("suppliers:import_detail", args=[job.pk])).content.decode()
    assert "Nothing was imported" in page and "no active user with the email owner@example.org" in page


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR, roles.BOARD_MEMBER])
def test_other_roles_get_404_on_an_import(client, login, make_user, procurement, role):
    login(procurement)
    job = _upload(client, _csv(ROW.format(name="A", number="1")))
    login(make_user(role))
    for name in ("import_detail", "import_confirm", "import_abandon"):
        assert client.get(reverse(f"suppliers:{name}", args=[job.pk])).status_code == 404


def test_an_apply_whose_worker_died_is_queued_again_and_completes(client, login, procurement):
    login(procurement)
    job = _upload(client, _csv(ROW.format(name="A", number="1")))
    # A worker took the apply and died: its lease stopped beating.
    SupplierImport.objects.filter(pk=job.pk).update(
        status="applying", leased_by="dead:1", leased_at=timezone.now(), heartbeat_at=timezone.now(), attempts=1
    )
    job.refresh_from_db()
    assert "Importing" in client.get(reverse("suppliers:import_detail", args=[job.pk])).content.decode()
    SupplierImport.objects.filter(pk=job.pk).update(confirmed_by=procurement)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)),
        TestCase.captureOnCommitCallbacks(execute=False) as queued,
    ):
        assert supplier_imports_requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == "apply_queued"
    assert "retrying after a failure" in client.get(reverse("suppliers:import_detail", args=[job.pk])).content.decode()
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == "applied" and job.attempts == 2
    assert Supplier.objects.filter(name="A").count() == 1
