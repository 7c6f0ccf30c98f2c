from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_backfill_risk_closed_at_and_published")]

    operations = [
        migrations.AddConstraint(
            model_name="riskregisterentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", True), ("status", "open")),
                    models.Q(("closed_at__isnull", False), ("status", "closed")),
                    _connector="OR",
                ),
                name="risk_closed_iff_closed_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "published")),
                fields=("financial_year",),
                name="statement_one_published_per_year",
            ),
        ),
    ]
