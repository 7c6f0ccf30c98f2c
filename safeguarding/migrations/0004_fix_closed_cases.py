"""Give every closed case an outcome and a closing date before the database starts requiring both.

A closed case without an outcome is recorded as "no further action" (nothing
else was recorded); without a closing date it takes its last change.
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Concern = apps.get_model("safeguarding", "Concern")
    Concern.objects.filter(status="closed", outcome="").update(outcome="no_further_action")
    Concern.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0003_concern_closed_at_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
