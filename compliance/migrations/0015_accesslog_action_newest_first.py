from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0014_user_by_name"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(fields=["action", "-at", "-id"], name="accesslog_action_newest_first"),
        ),
    ]
