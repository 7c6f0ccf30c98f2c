"""Writes for public procurement details: contract type, LSAS, the supplier's own statement, PPN 009, exclusions.

The two reminders (LSAS certificate expiry, yearly registry check) are daily tasks; each tells
its people once per certificate or per check year (notification dedupe keys), so a rerun is safe.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from compliance import roles
from compliance.models import User
from compliance.services import notification_send
from suppliers.models import PROCUREMENT_FIELDS, Supplier, SupplierEvent
from suppliers.services.register import (
    register_manager_check,
    supplier_event_record,
    supplier_open_check,
    supplier_url_for,
)

# Remind this many days before an LSAS certificate expires (time to book the re-audit).
LSAS_REMIND_DAYS = 60
# The supplier's statement is published yearly (s.54(1): each financial year): check the registry yearly.
REGISTRY_CHECK_DAYS = 365


def supplier_procurement_update(*, supplier: Supplier, actor: User, data: dict) -> Supplier:
    """Save the public procurement details, with a history line naming what changed."""
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        changed = []
        for field in PROCUREMENT_FIELDS:
            if field in data and getattr(supplier, field) != data[field]:
                setattr(supplier, field, data[field])
                changed.append(str(Supplier._meta.get_field(field).verbose_name))
        supplier.full_clean()
        supplier.save()
        if changed:
            supplier_event_record(
                supplier=supplier,
                kind=SupplierEvent.Kind.PROCUREMENT,
                message="Procurement details changed: " + ", ".join(changed) + ".",
                actor=actor,
            )
    return supplier


# The register export's procurement columns, after the import columns (the import ignores them).
EXPORT_COLUMNS = ["ppn009_assessor_email" if name == "ppn009_assessor" else name for name in PROCUREMENT_FIELDS]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def procurement_export_cells(supplier: Supplier) -> list[str]:
    """The supplier's procurement details as export cells (the assessor by email, like the contract owner)."""
    return [
        (supplier.ppn009_assessor.email if supplier.ppn009_assessor_id else "")
        if name == "ppn009_assessor"
        else _cell(getattr(supplier, name))
        for name in PROCUREMENT_FIELDS
    ]


def _owner_or_procurement(supplier: Supplier):
    return [supplier.contract_owner] if supplier.contract_owner_id else User.objects.in_role(roles.PROCUREMENT)


def lsas_expiry_reminders_run(*, today: datetime.date | None = None) -> int:
    """Tell the contract owner and procurement that an NHS supplier's LSAS certificate expires soon (once each)."""
    today = today or timezone.localdate()
    due = (
        Supplier.objects.exclude(status=Supplier.Status.TERMINATED)
        .exclude(lsas_level="")
        .filter(lsas_certificate_expiry__lte=today + datetime.timedelta(days=LSAS_REMIND_DAYS))
        .select_related("contract_owner")
    )
    told = 0
    for supplier in due:
        expiry = supplier.lsas_certificate_expiry
        expired = expiry < today
        subject = (
            f"LSAS certificate {'expired' if expired else 'expires'} {expiry:%d %b %Y}: {supplier.name}"
            f" ({supplier.get_lsas_level_display()})"
        )
        # One key per certificate: a renewed certificate (new expiry date) is reminded afresh.
        key = f"supplier-lsas-expiry:{supplier.pk}:{expiry.isoformat()}"
        recipients = {*_owner_or_procurement(supplier), *User.objects.in_role(roles.PROCUREMENT)}
        for person in recipients:
            told += len(
                notification_send(
                    recipients=[person],
                    subject=subject,
                    template="suppliers/email/lsas_expiry.txt",
                    context={"supplier": supplier, "expiry": expiry, "expired": expired},
                    url=supplier_url_for(person, supplier),
                    dedupe_key=key,
                )
            )
    return told


def registry_check_reminders_run(*, today: datetime.date | None = None) -> int:
    """Ask the contract owner to check the supplier's statement on the registry, once a year (once each)."""
    today = today or timezone.localdate()
    stale = today - datetime.timedelta(days=REGISTRY_CHECK_DAYS)
    suppliers = Supplier.objects.exclude(status=Supplier.Status.TERMINATED).select_related("contract_owner")
    # Checked more than a year ago, or never checked although the supplier must publish.
    # ("Not required" is checked yearly too: a supplier's turnover grows past the threshold.)
    due = suppliers.filter(registry_checked_on__lte=stale) | suppliers.filter(
        registry_checked_on__isnull=True, statement_required=True
    )
    told = 0
    for supplier in due:
        checked = supplier.registry_checked_on
        # One key per check year: the next yearly reminder comes a year after the next check.
        key = f"supplier-registry-check:{supplier.pk}:{checked.isoformat() if checked else 'never'}"
        for person in _owner_or_procurement(supplier):
            told += len(
                notification_send(
                    recipients=[person],
                    subject=f"Check {supplier.name}'s modern slavery statement on the registry",
                    template="suppliers/email/registry_check.txt",
                    context={"supplier": supplier, "checked": checked},
                    url=supplier_url_for(person, supplier),
                    dedupe_key=key,
                )
            )
    return told
