from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0012_referral_pathway"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["subject_type", "assignee"], name="concern_team_scope"),
        ),
    ]
