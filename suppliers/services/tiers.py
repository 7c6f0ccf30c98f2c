"""Writes for a supplier's own supply chain: its tier-2 suppliers and their tier-3 suppliers."""

from __future__ import annotations

from django.db import transaction

from compliance.models import User
from suppliers.models import SubSupplier, Supplier, SupplierEvent
from suppliers.services.register import (
    register_manager_check,
    risk_assess,
    supplier_event_record,
    supplier_open_check,
)

SUB_SUPPLIER_FIELDS = ("name", "country", "category", "tier", "parent")


def supplier_supply_chain_update(
    *, supplier: Supplier, actor: User, rows: list[dict], remove: list[int] = ()
) -> list[SubSupplier]:
    """Add, change or remove tier-2/3 suppliers, record what changed and rescore (the worst tier counts).

    Each row is the fields of SUB_SUPPLIER_FIELDS, with "pk" for an existing row. Removing a tier-2
    supplier removes the tier-3 suppliers under it.
    """
    register_manager_check(actor)
    supplier_open_check(supplier)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
        existing = {s.pk: s for s in SubSupplier.objects.filter(supplier=supplier)}
        notes = []
        for pk in remove:
            gone = existing.pop(pk, None)
            if gone is not None:
                notes.append(f"removed {gone.name} ({gone.get_tier_display()})")
                gone.delete()
        saved = []
        for row in rows:
            sub = existing.get(row.get("pk")) or SubSupplier(supplier=supplier)
            is_new = sub.pk is None
            for field in SUB_SUPPLIER_FIELDS:
                setattr(sub, field, row.get(field))
            if sub.tier != SubSupplier.Tier.TIER_3:
                sub.parent = None
            sub.full_clean()
            sub.save()
            saved.append(sub)
            notes.append(
                f"{'added' if is_new else 'changed'} {sub.name} ({sub.get_tier_display()}, {sub.country.name})"
            )
        if notes:
            supplier_event_record(
                supplier=supplier,
                kind=SupplierEvent.Kind.SUB_SUPPLIERS,
                message="Supply chain: " + "; ".join(notes) + ".",
                actor=actor,
            )
            risk_assess(supplier=supplier, actor=actor, reason="Supply chain tiers changed")
    return saved
