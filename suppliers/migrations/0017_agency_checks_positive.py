# Positive, dated agency checks (filled from the old flags by 0018, which 0019 then removes).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0016_import_column_map_after_procurement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="supplier",
            name="agency_fees_checked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_fees_checked_on",
            field=models.DateField(blank=True, null=True, verbose_name="Fees checked on"),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_fees_evidence",
            field=models.TextField(blank=True, verbose_name="Evidence on fees"),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_fees_outcome",
            field=models.CharField(
                blank=True,
                choices=[("none_charged", "No fees charged to workers (checked)"), ("charged", "Charges workers fees")],
                max_length=20,
                verbose_name="Worker recruitment fees",
            ),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_glaa_sectors",
            field=models.BooleanField(
                default=False,
                help_text="Work that needs a GLAA licence.",
                verbose_name="Supplies workers to agriculture, horticulture, shellfish gathering or food processing and packaging",
            ),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_ids_checked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_ids_checked_on",
            field=models.DateField(blank=True, null=True, verbose_name="Identity documents checked on"),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_ids_evidence",
            field=models.TextField(blank=True, verbose_name="Evidence on identity documents"),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_ids_outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_retained", "Identity documents not retained (checked)"),
                    ("retained", "Retains workers' identity documents"),
                ],
                max_length=20,
                verbose_name="Workers' identity documents",
            ),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_licence_checked_on",
            field=models.DateField(blank=True, null=True, verbose_name="GLAA licence checked on"),
        ),
        migrations.AddField(
            model_name="supplier",
            name="agency_licence_number",
            field=models.CharField(blank=True, max_length=30, verbose_name="GLAA licence number"),
        ),
    ]
