# The negative flags are replaced by the positive, dated checks (0017) once 0018 has copied them over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0018_agency_checks_from_flags"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="supplier",
            name="agency_charges_worker_fees",
        ),
        migrations.RemoveField(
            model_name="supplier",
            name="agency_checked_at",
        ),
        migrations.RemoveField(
            model_name="supplier",
            name="agency_evidence",
        ),
        migrations.RemoveField(
            model_name="supplier",
            name="agency_retains_id_documents",
        ),
    ]
