from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0005_backfill_decision_dates_and_verified_at")]

    operations = [
        migrations.AddConstraint(
            model_name="correctiveaction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "verified"), _negated=True), ("verified_at__isnull", False), _connector="OR"
                ),
                name="corrective_action_verified_has_verified_at",
            ),
        ),
    ]
