"""Public procurement details: saved and shown, kept on error, API 400s, filters, export, reminders."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import Notification
from compliance.tests.factories import UserFactory
from suppliers.models import ContractType, LsasLevel, RegistryStatus, Supplier, SupplierEvent
from suppliers.services import imports as import_services
from suppliers.services.procurement import lsas_expiry_reminders_run, registry_check_reminders_run
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/suppliers/suppliers"


def _form(**overrides):
    data = {
        "contract_type": ContractType.NHS_TC_GOODS,
        "framework_name": "Medical Examination Gloves",
        "framework_reference": "NHSSC-1234",
        "lsas_level": LsasLevel.LEVEL_2,
        "lsas_certificate_expiry": "2031-03-31",
        "statement_url": "https://gloves.example/modern-slavery-statement",
        "statement_required": "true",
        "registry_status": RegistryStatus.FOUND,
        "registry_checked_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "ppn009_high_risk": "true",
        "ppn009_outcome": "mitigate",
        "ppn009_assessed_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "ppn009_assessor": "",
        "ppn009_notes": "Gloves: a PPN 009 high-risk category.",
        "exclusion_ground": "",
        "exclusion_noted_on": "",
        "exclusion_notes": "",
    }
    data.update(overrides)
    return data


def test_procurement_details_are_saved_shown_and_recorded(client, login, procurement):
    supplier = SupplierFactory()
    login(procurement)
    response = client.post(
        reverse("suppliers:procurement", args=[supplier.pk]), _form(ppn009_assessor=str(procurement.pk))
    )
    assert response.status_code == 302, response.context["form"].errors
    supplier.refresh_from_db()
    assert supplier.contract_type == ContractType.NHS_TC_GOODS
    assert supplier.lsas_level == LsasLevel.LEVEL_2
    assert supplier.lsas_certificate_expiry == datetime.date(2031, 3, 31)
    assert supplier.statement_required is True and supplier.ppn009_high_risk is True
    assert supplier.ppn009_assessor == procurement
    event = SupplierEvent.objects.get(supplier=supplier, kind=SupplierEvent.Kind.PROCUREMENT)
    assert "LSAS level" in event.message and event.actor == procurement
    page = client.get(supplier.get_absolute_url()).content.decode()
    for shown in (
        "NHS Terms and Conditions for the supply of goods",
        "NHSSC-1234",
        "Level 2: Implementation",
        "31 Mar 2031",
        "https://gloves.example/modern-slavery-statement",
        "Found on the registry",
        "Proceed with mitigation",
    ):
        assert shown in page


def test_the_form_keeps_what_was_typed_when_a_rule_fails(client, login, procurement):
    supplier = SupplierFactory()
    login(procurement)
    # An outcome with no assessor, a registry status with no date, an expiry with no level.
    typed = _form(lsas_level="", registry_checked_on="", framework_name="Kept framework name")
    response = client.post(reverse("suppliers:procurement", args=[supplier.pk]), typed)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"lsas_level", "registry_checked_on", "ppn009_assessor"}
    page = response.content.decode()
    assert 'value="Kept framework name"' in page
    assert 'value="2031-03-31"' in page
    supplier.refresh_from_db()
    assert supplier.framework_name == ""


def test_exclusion_ground_needs_its_date(client, login, procurement):
    supplier = SupplierFactory()
    login(procurement)
    response = client.post(
        reverse("suppliers:procurement", args=[supplier.pk]),
        _form(ppn009_high_risk="unknown", ppn009_outcome="", ppn009_assessed_on="", exclusion_ground="discretionary"),
    )
    assert response.status_code == 200
    assert "exclusion_noted_on" in response.context["form"].errors


def test_readers_cannot_open_the_procurement_form(client, login, board):
    supplier = SupplierFactory()
    login(board)
    assert client.get(reverse("suppliers:procurement", args=[supplier.pk])).status_code == 404


def test_api_reads_and_writes_procurement_fields(client, login, procurement):
    supplier = SupplierFactory()
    login(procurement)
    response = client.patch(
        f"{API}/{supplier.pk}/",
        {"contract_type": "framework_call_off", "framework_name": "Cleaning Services", "lsas_level": "1"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["contract_type"] == "framework_call_off"
    assert SupplierEvent.objects.filter(supplier=supplier, kind=SupplierEvent.Kind.PROCUREMENT).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contract_type": "handshake"}, "contract_type"),
        ({"lsas_level": "9"}, "lsas_level"),
        ({"statement_url": "not a url"}, "statement_url"),
        ({"lsas_certificate_expiry": "2030-01-01"}, "lsas_level"),
        ({"registry_status": "found"}, "registry_checked_on"),
        ({"ppn009_outcome": "proceed"}, "ppn009_assessed_on"),
        ({"exclusion_ground": "mandatory"}, "exclusion_noted_on"),
    ],
)
def test_api_bad_procurement_values_are_400_with_field_errors(client, login, procurement, body, field):
    supplier = SupplierFactory()
    login(procurement)
    response = client.patch(f"{API}/{supplier.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_register_filters_by_contract_type_and_lsas_status(client, login, procurement):
    today = timezone.localdate()
    nhs = SupplierFactory(
        name="NHS current",
        contract_type=ContractType.NHS_STANDARD,
        lsas_level="1",
        lsas_certificate_expiry=today + datetime.timedelta(days=200),
    )
    SupplierFactory(name="Expiring", lsas_level="2", lsas_certificate_expiry=today + datetime.timedelta(days=10))
    SupplierFactory(name="Expired", lsas_level="3", lsas_certificate_expiry=today - datetime.timedelta(days=1))
    SupplierFactory(name="No LSAS")
    login(procurement)

    def names(**params):
        page = client.get(reverse("suppliers:index"), params).context["page"]
        api = client.get(f"{API}/", params).json()["results"]
        assert sorted(s.name for s in page) == sorted(s["name"] for s in api)
        return sorted(s.name for s in page)

    assert names(contract_type="nhs_standard") == [nhs.name]
    assert names(lsas="current") == ["Expiring", "NHS current"]
    assert names(lsas="expiring") == ["Expiring"]
    assert names(lsas="expired") == ["Expired"]
    assert names(lsas="none") == ["No LSAS"]


def test_export_has_the_procurement_columns_after_the_import_columns(procurement):
    supplier = SupplierFactory(
        contract_type=ContractType.FRAMEWORK_CALL_OFF,
        lsas_level="4",
        statement_required=False,
        ppn009_assessor=procurement,
    )
    row = dict(zip(import_services.EXPORT_HEADER, import_services.register_export_row(supplier), strict=True))
    assert import_services.EXPORT_HEADER[: len(import_services.COLUMNS)] == import_services.COLUMNS
    assert row["contract_type"] == "framework_call_off"
    assert row["lsas_level"] == "4"
    assert row["statement_required"] == "no"
    assert row["ppn009_assessor_email"] == procurement.email


def test_lsas_expiry_reminder_is_sent_once(procurement):
    today = timezone.localdate()
    owner = UserFactory(roles=[roles.STAFF])
    supplier = SupplierFactory(
        contract_owner=owner, lsas_level="1", lsas_certificate_expiry=today + datetime.timedelta(days=30)
    )
    SupplierFactory(lsas_level="1", lsas_certificate_expiry=today + datetime.timedelta(days=200))
    SupplierFactory(lsas_level="1", lsas_certificate_expiry=today, status=Supplier.Status.TERMINATED)
    assert lsas_expiry_reminders_run(today=today) == 2  # the owner and procurement
    assert lsas_expiry_reminders_run(today=today) == 0
    assert lsas_expiry_reminders_run(today=today + datetime.timedelta(days=1)) == 0
    told = Notification.objects.filter(dedupe_key__startswith="supplier-lsas-expiry:")
    assert {n.recipient for n in told} == {owner, procurement}
    assert all(supplier.name in n.subject for n in told)
    # A renewed certificate is a new certificate: reminded again when it nears its own expiry.
    Supplier.objects.filter(pk=supplier.pk).update(lsas_certificate_expiry=today + datetime.timedelta(days=20))
    assert lsas_expiry_reminders_run(today=today) == 2


def test_registry_check_reminder_is_yearly_and_once(procurement):
    today = timezone.localdate()
    owner = UserFactory(roles=[roles.STAFF])
    stale = SupplierFactory(
        contract_owner=owner,
        registry_status=RegistryStatus.FOUND,
        registry_checked_on=today - datetime.timedelta(days=366),
    )
    SupplierFactory(registry_status=RegistryStatus.FOUND, registry_checked_on=today - datetime.timedelta(days=30))
    never = SupplierFactory(contract_owner=owner, statement_required=True)
    SupplierFactory(statement_required=None)  # not known: nothing to chase yet
    assert registry_check_reminders_run(today=today) == 2
    assert registry_check_reminders_run(today=today) == 0
    subjects = set(Notification.objects.filter(recipient=owner).values_list("subject", flat=True))
    assert subjects == {
        f"Check {stale.name}'s modern slavery statement on the registry",
        f"Check {never.name}'s modern slavery statement on the registry",
    }
    # Checked again: the next reminder comes a year after this check, not before.
    Supplier.objects.filter(pk=stale.pk).update(registry_checked_on=today)

    def stale_told():
        return Notification.objects.filter(dedupe_key__startswith=f"supplier-registry-check:{stale.pk}:").count()

    registry_check_reminders_run(today=today + datetime.timedelta(days=364))
    assert stale_told() == 1
    registry_check_reminders_run(today=today + datetime.timedelta(days=365))
    assert stale_told() == 2


def test_the_services_refuse_a_reader(board):
    from django.core.exceptions import PermissionDenied

    from suppliers.services.procurement import supplier_procurement_update
    from suppliers.services.tiers import supplier_supply_chain_update

    supplier = SupplierFactory()
    with pytest.raises(PermissionDenied):
        supplier_procurement_update(supplier=supplier, actor=board, data={"framework_name": "Sneaky"})
    with pytest.raises(PermissionDenied):
        supplier_supply_chain_update(
            supplier=supplier, actor=board, rows=[{"name": "X", "country": "GB", "category": "other", "tier": 2}]
        )
    supplier.refresh_from_db()
    assert supplier.framework_name == "" and not supplier.sub_suppliers.exists()
