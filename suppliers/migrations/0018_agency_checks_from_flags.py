"""Map the old negative agency flags to positive, dated checks, honestly.

* A ticked flag (charges fees / retains documents) stays a prohibition: outcome "charged" / "retained".
* An unticked flag with agency_checked_at set was a recorded check: a "none charged" / "not retained"
  check dated that day, by whoever recorded the latest agency checks event.
* An unticked flag without a date was never checked: left blank ("never checked").
Reversible: the reverse writes the flags, the date and the evidence back.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def forwards(apps, schema_editor):
    Supplier = apps.get_model("suppliers", "Supplier")
    SupplierEvent = apps.get_model("suppliers", "SupplierEvent")
    rows = Supplier.objects.filter(
        Q(agency_charges_worker_fees=True) | Q(agency_retains_id_documents=True) | Q(agency_checked_at__isnull=False)
    )
    for supplier in rows:
        checked_on = timezone.localtime(supplier.agency_checked_at).date() if supplier.agency_checked_at else None
        event = (
            SupplierEvent.objects.filter(supplier=supplier, kind="agency").order_by("-at", "-pk").first()
            if checked_on
            else None
        )
        checked_by_id = event.actor_id if event else None
        for flag, outcome_field, adverse, clear, prefix in (
            ("agency_charges_worker_fees", "agency_fees_outcome", "charged", "none_charged", "agency_fees"),
            ("agency_retains_id_documents", "agency_ids_outcome", "retained", "not_retained", "agency_ids"),
        ):
            if getattr(supplier, flag):
                setattr(supplier, outcome_field, adverse)
            elif checked_on is not None:
                setattr(supplier, outcome_field, clear)
            else:
                continue
            setattr(supplier, f"{prefix}_checked_on", checked_on)
            setattr(supplier, f"{prefix}_checked_by_id", checked_by_id)
            setattr(supplier, f"{prefix}_evidence", supplier.agency_evidence)
        supplier.save(
            update_fields=[
                f"{prefix}_{name}"
                for prefix in ("agency_fees", "agency_ids")
                for name in ("outcome", "checked_on", "checked_by", "evidence")
            ]
        )


def backwards(apps, schema_editor):
    import datetime

    Supplier = apps.get_model("suppliers", "Supplier")
    for supplier in Supplier.objects.exclude(agency_fees_outcome="", agency_ids_outcome=""):
        supplier.agency_charges_worker_fees = supplier.agency_fees_outcome == "charged"
        supplier.agency_retains_id_documents = supplier.agency_ids_outcome == "retained"
        dates = [d for d in (supplier.agency_fees_checked_on, supplier.agency_ids_checked_on) if d]
        supplier.agency_checked_at = (
            datetime.datetime.combine(max(dates), datetime.time(12), tzinfo=timezone.get_current_timezone())
            if dates
            else None
        )
        supplier.agency_evidence = "\n".join(
            dict.fromkeys(e for e in (supplier.agency_fees_evidence, supplier.agency_ids_evidence) if e)
        )
        supplier.save(
            update_fields=[
                "agency_charges_worker_fees",
                "agency_retains_id_documents",
                "agency_checked_at",
                "agency_evidence",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0017_agency_checks_positive"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
