"""The agency gate: positive, dated checks before an agency is activated (page, API, import) and re-checked yearly."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from compliance.models import Notification
from suppliers.models import AgencyFees, AgencyIdDocuments, ReviewTask, Supplier, SupplierImport
from suppliers.services import register as register_services
from suppliers.services.imports import COLUMNS
from suppliers.tests.factories import SupplierFactory
from tests.formdata import browser_form_data

pytestmark = pytest.mark.django_db

BASE = "/api/v1/suppliers"


def _unchecked_agency(**kwargs):
    return SupplierFactory(
        name="Nightshift Staffing Ltd", category=Supplier.Category.AGENCY_STAFFING, countries=["GB"], **kwargs
    )


def _age_checks(supplier, days):
    checked_on = timezone.localdate() - datetime.timedelta(days=days)
    Supplier.objects.filter(pk=supplier.pk).update(agency_fees_checked_on=checked_on, agency_ids_checked_on=checked_on)


def test_page_refuses_an_unchecked_agency_then_activates_it_once_both_checks_are_recorded(client, procurement, login):
    agency = _unchecked_agency()
    login(procurement)
    response = client.post(reverse("suppliers:activate", args=[agency.pk]), follow=True)
    html = response.content.decode()
    assert "Not activated: Recruitment agency without current positive checks" in html
    assert "no worker fees check recorded; no identity documents check recorded" in html
    agency.refresh_from_db()
    assert agency.status == Supplier.Status.PROSPECTIVE

    # A clean answer is a choice with its evidence, never an unticked box.
    response = client.post(
        reverse("suppliers:agency", args=[agency.pk]),
        {
            "fees_outcome": AgencyFees.NONE_CHARGED,
            "fees_evidence": "Contract clause 9; six workers interviewed without the agency present.",
            "ids_outcome": AgencyIdDocuments.NOT_RETAINED,
            "ids_evidence": "Workers showed their own passports.",
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    client.post(reverse("suppliers:activate", args=[agency.pk]))
    agency.refresh_from_db()
    assert agency.status == Supplier.Status.ACTIVE
    assert agency.agency_fees_checked_by == procurement


def test_api_refuses_an_unchecked_agency_with_the_reason_and_activates_a_checked_one(client, procurement, login):
    login(procurement)
    unchecked = _unchecked_agency()
    response = client.post(f"{BASE}/suppliers/{unchecked.pk}/activate/")
    assert response.status_code == 400
    assert "no worker fees check recorded" in str(response.json())
    checked = SupplierFactory(agency_cleared=True, countries=["GB"])
    response = client.post(f"{BASE}/suppliers/{checked.pk}/activate/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert response.json()["agency_fees_outcome"] == AgencyFees.NONE_CHARGED


def test_checks_older_than_twelve_months_block_activation_again(client, procurement, login):
    agency = SupplierFactory(agency_cleared=True, countries=["GB"])
    _age_checks(agency, 366)
    login(procurement)
    response = client.post(f"{BASE}/suppliers/{agency.pk}/activate/")
    assert response.status_code == 400
    assert "the worker fees check is more than 12 months old" in str(response.json())
    _age_checks(agency, 364)
    assert client.post(f"{BASE}/suppliers/{agency.pk}/activate/").status_code == 200


def test_an_agency_supplying_licensed_sectors_needs_its_glaa_licence(procurement):
    agency = SupplierFactory(agency_cleared=True, countries=["GB"], agency_glaa_sectors=True)
    assert agency.agency_check_gaps() == ["no GLAA licence recorded"]
    with pytest.raises(Exception, match="GLAA"):
        register_services.supplier_activate(supplier=agency, actor=procurement)
    register_services.supplier_agency_checks_record(
        supplier=agency,
        actor=procurement,
        fees_outcome=AgencyFees.NONE_CHARGED,
        fees_evidence="Clause 9.",
        ids_outcome=AgencyIdDocuments.NOT_RETAINED,
        ids_evidence="Interviews.",
        glaa_sectors=True,
        licence_number="GLAA-0123",
    )
    register_services.supplier_activate(supplier=agency, actor=procurement)
    agency.refresh_from_db()
    assert agency.status == Supplier.Status.ACTIVE and agency.agency_licence_number == "GLAA-0123"


def _import(client, *rows):
    content = ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("suppliers:import"), {"file": SimpleUploadedFile("r.csv", content)})
    assert response.status_code == 302
    return {(e["line"], e["field"]): e["message"] for e in SupplierImport.objects.latest("pk").errors}


def test_import_cannot_activate_an_unchecked_agency_nor_mark_one_checked(client, procurement, login):
    login(procurement)
    errors = _import(
        client,
        "Active Agency Ltd,,agency_staffing,GB,5000,,,,no,no,no,no,yes,,,active,,",  # line 2
        "Ticked Agency Ltd,,agency_staffing,GB,5000,,,,no,no,no,no,yes,no,no,prospective,,",  # line 3
        "Plain Agency Ltd,,agency_staffing,GB,5000,,,,no,no,no,no,yes,,,prospective,,",  # line 4: fine
        "Laundry Ltd,,laundry,GB,5000,,,,no,no,no,no,no,no,no,active,,",  # line 5: "no" on a non-agency says nothing
    )
    assert "cannot be imported as active without current positive checks" in errors[(2, "status")]
    assert "no worker fees check recorded" in errors[(2, "status")]
    assert "agency checks cannot be imported" in errors[(3, "agency_charges_worker_fees")]
    assert (3, "agency_retains_id_documents") in errors
    assert not any(line in (4, 5) for line, _field in errors)
    assert not Supplier.objects.exists()


def test_agency_form_requires_evidence_for_a_clean_result_and_keeps_what_was_typed(client, procurement, login):
    agency = _unchecked_agency()
    login(procurement)
    response = client.post(
        reverse("suppliers:agency", args=[agency.pk]),
        {
            "fees_outcome": AgencyFees.NONE_CHARGED,
            "fees_evidence": "",
            "ids_outcome": AgencyIdDocuments.NOT_RETAINED,
            "ids_evidence": "Passports seen in the workers' own hands",
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say what shows that no fees are charged." in html
    assert "Passports seen in the workers&#x27; own hands" in html
    assert re.search(r'value="none_charged"[^>]*checked', html)
    agency.refresh_from_db()
    assert agency.agency_fees_outcome == ""


def test_detail_and_hr_agency_list_show_the_checks_with_dates_and_who(client, procurement, hr_user, login):
    agency = SupplierFactory(
        agency_cleared=True, name="CareForce Staffing", agency_fees_checked_by=procurement, countries=["GB"]
    )
    never = _unchecked_agency()
    SupplierFactory(agency_charging_fees=True, name="QuickShift Recruitment")
    login(procurement)
    html = client.get(reverse("suppliers:detail", args=[agency.pk])).content.decode()
    today = timezone.localdate()
    assert "No fees charged to workers (checked)" in html
    assert f"checked {today:%-d %b %Y} by {procurement.full_name}" in html
    assert "Never checked" in client.get(reverse("suppliers:detail", args=[never.pk])).content.decode()

    login(hr_user)
    html = client.get(reverse("suppliers:agencies")).content.decode()
    due = today + datetime.timedelta(days=365)
    assert f"Checked: no fees, no documents retained; re-check due {due:%d %b %Y}" in html
    assert "Not cleared: no worker fees check recorded" in html
    assert "Prohibited: charges workers fees" in html
    # HR reads the agency list, not the register: the supplier's own page (risk, findings, audits)
    # stays with the register's readers, the agency's included.
    assert client.get(reverse("suppliers:detail", args=[agency.pk])).status_code == 404


def test_daily_schedule_reminds_before_the_recheck_and_opens_one_review_when_lapsed(procurement):
    today = timezone.localdate()
    due_soon = SupplierFactory(agency_cleared=True, status=Supplier.Status.ACTIVE, name="Due Soon Staffing")
    _age_checks(due_soon, 350)
    lapsed = SupplierFactory(agency_cleared=True, status=Supplier.Status.ACTIVE, name="Lapsed Staffing")
    _age_checks(lapsed, 400)
    current = SupplierFactory(agency_cleared=True, status=Supplier.Status.ACTIVE, name="Current Staffing")

    for _run in range(2):  # idempotent: a second run tells nobody twice and opens nothing new
        counts = register_services.agency_checks_run(today=today)

    reminders = Notification.objects.filter(subject__startswith="Agency re-check due")
    assert [(n.recipient, n.subject) for n in reminders] == [
        (
            due_soon.contract_owner,
            f"Agency re-check due by {today + datetime.timedelta(days=15):%d %b %Y}: Due Soon Staffing",
        )
    ]
    task = ReviewTask.objects.get()
    assert task.supplier == lapsed and task.assigned_to == lapsed.contract_owner
    lapse_notes = Notification.objects.filter(subject="Agency checks lapsed: Lapsed Staffing")
    assert {n.recipient for n in lapse_notes} == {lapsed.contract_owner, procurement}
    # A review and a reminder, not a silent suspension.
    lapsed.refresh_from_db()
    assert lapsed.status == Supplier.Status.ACTIVE
    assert not Notification.objects.filter(subject__contains=current.name).exists()
    assert counts == {"reminded": 1, "lapsed": 0, "suspended": 0}
    assert "suspended if they are not re-done within 14 days" in lapse_notes.first().body


def test_an_agency_still_unchecked_after_the_grace_period_is_suspended_once(procurement, lead):
    lapsed = SupplierFactory(agency_cleared=True, status=Supplier.Status.ACTIVE, name="Lapsed Staffing")
    _age_checks(lapsed, 400)
    today = timezone.localdate()
    register_services.agency_checks_run(today=today)
    grace = register_services.AGENCY_LAPSE_GRACE_DAYS

    register_services.agency_checks_run(today=today + datetime.timedelta(days=grace - 1))
    lapsed.refresh_from_db()
    assert lapsed.status == Supplier.Status.ACTIVE

    for _run in range(2):  # once, however often it runs
        counts = register_services.agency_checks_run(today=today + datetime.timedelta(days=grace))
    lapsed.refresh_from_db()
    assert lapsed.status == Supplier.Status.SUSPENDED
    event = lapsed.events.latest("pk")
    assert event.message.startswith(f"Suspended automatically: the agency checks lapsed on {today:%d %b %Y}")
    told = Notification.objects.filter(subject="Agency suspended, checks lapsed: Lapsed Staffing")
    assert {n.recipient for n in told} == {lapsed.contract_owner, procurement, lead}
    assert "now suspended" in told.first().body
    assert counts == {"reminded": 0, "lapsed": 0, "suspended": 0}
    # Back to active only through the gate, once re-checked.
    with pytest.raises(ValidationError, match="without current positive checks"):
        register_services.supplier_activate(supplier=lapsed, actor=procurement)


@pytest.mark.django_db(transaction=True)
def test_migration_maps_the_old_negative_flags_honestly():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from compliance.tests.factories import UserFactory

    checker = UserFactory()
    before = [("suppliers", "0017_agency_checks_positive")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldSupplier, OldEvent = old.get_model("suppliers", "Supplier"), old.get_model("suppliers", "SupplierEvent")
    checked_at = timezone.now() - datetime.timedelta(days=30)
    prohibited = OldSupplier.objects.create(
        name="Ticked", is_recruitment_agency=True, agency_charges_worker_fees=True, agency_checked_at=checked_at
    )
    clean = OldSupplier.objects.create(
        name="Checked clean", is_recruitment_agency=True, agency_checked_at=checked_at, agency_evidence="Clause 9"
    )
    OldEvent.objects.create(supplier=clean, kind="agency", message="Agency checks recorded", actor_id=checker.pk)
    never = OldSupplier.objects.create(name="Never", is_recruitment_agency=True)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    prohibited, clean, never = (Supplier.objects.get(pk=s.pk) for s in (prohibited, clean, never))
    assert prohibited.is_prohibited_agency and prohibited.agency_fees_outcome == AgencyFees.CHARGED
    assert prohibited.agency_ids_outcome == AgencyIdDocuments.NOT_RETAINED  # it was checked that day too
    assert clean.agency_fees_outcome == AgencyFees.NONE_CHARGED
    assert clean.agency_ids_outcome == AgencyIdDocuments.NOT_RETAINED
    assert clean.agency_fees_checked_on == timezone.localtime(checked_at).date()
    assert clean.agency_fees_checked_by_id == checker.pk and clean.agency_ids_evidence == "Clause 9"
    assert clean.agency_check_gaps() == []
    assert never.agency_fees_outcome == "" and never.agency_ids_outcome == ""
    assert never.agency_check_gaps() == ["no worker fees check recorded", "no identity documents check recorded"]


def test_an_active_supplier_is_not_edited_into_an_unchecked_agency(client, procurement, login):
    """Changing the category of an active supplier would skip the activation gate: page and API refuse it."""
    supplier = SupplierFactory(name="Tidy Homes Ltd", category=Supplier.Category.CLEANING, countries=["GB"])
    Supplier.objects.filter(pk=supplier.pk).update(status=Supplier.Status.ACTIVE)
    login(procurement)
    url = reverse("suppliers:edit", args=[supplier.pk])
    data = browser_form_data(client.get(url).content.decode(), action="")
    data["category"] = Supplier.Category.AGENCY_STAFFING
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot become a recruitment or staffing agency without current positive checks" in html
    assert "no worker fees check recorded" in html
    # The form keeps what was typed.
    assert re.search(r'<option value="agency_staffing"[^>]*selected', html)
    supplier.refresh_from_db()
    assert supplier.category == Supplier.Category.CLEANING and not supplier.is_recruitment_agency

    response = client.patch(
        f"{BASE}/suppliers/{supplier.pk}/", {"is_recruitment_agency": True}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "without current positive checks" in str(response.json())
    supplier.refresh_from_db()
    assert not supplier.is_recruitment_agency

    # Once the checks are recorded, the same change is saved; a prospective supplier may change freely.
    register_services.supplier_agency_checks_record(
        supplier=supplier,
        actor=procurement,
        fees_outcome=AgencyFees.NONE_CHARGED,
        fees_evidence="Contract clause 9",
        ids_outcome=AgencyIdDocuments.NOT_RETAINED,
        ids_evidence="Workers hold their own passports",
    )
    register_services.supplier_update(
        supplier=supplier, actor=procurement, data={"category": Supplier.Category.AGENCY_STAFFING}
    )
    supplier.refresh_from_db()
    assert supplier.is_recruitment_agency and supplier.status == Supplier.Status.ACTIVE
    prospective = SupplierFactory(category=Supplier.Category.CLEANING, countries=["GB"])
    register_services.supplier_update(
        supplier=prospective, actor=procurement, data={"category": Supplier.Category.AGENCY_STAFFING}
    )
