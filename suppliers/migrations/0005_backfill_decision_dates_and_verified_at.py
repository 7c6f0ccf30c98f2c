"""Backfill the typed decision dates from the decision events, and give verified actions their date.

Before this, termination was read from an event message beginning "Terminated";
from now on only the decision service sets these fields. A supplier marked
terminated or suspended with no decision event (e.g. by the old CSV import)
takes the date of its last change, the best record there is.
"""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    Supplier = apps.get_model("suppliers", "Supplier")
    SupplierEvent = apps.get_model("suppliers", "SupplierEvent")
    CorrectiveAction = apps.get_model("suppliers", "CorrectiveAction")
    for field, prefix in (("terminated_at", "Terminated"), ("suspended_at", "Suspended")):
        latest = {}
        for supplier_id, at in (
            SupplierEvent.objects.filter(kind="decision", message__startswith=prefix)
            .order_by("supplier_id", "at")
            .values_list("supplier_id", "at")
        ):
            latest[supplier_id] = at
        for supplier_id, at in latest.items():
            Supplier.objects.filter(pk=supplier_id).update(**{field: at})
    Supplier.objects.filter(status="terminated", terminated_at__isnull=True).update(terminated_at=F("updated_at"))
    Supplier.objects.filter(status="suspended", suspended_at__isnull=True).update(suspended_at=F("updated_at"))
    CorrectiveAction.objects.filter(status="verified", verified_at__isnull=True).update(
        verified_at=Coalesce("evidence_submitted_at", "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0004_supplier_decision_dates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
