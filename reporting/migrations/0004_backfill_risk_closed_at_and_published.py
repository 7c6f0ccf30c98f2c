"""Date the closed risks and leave one published statement per year before the constraints arrive.

A closed risk takes its last change as its closing date. Where a year has more
than one published version, the later version stays published and the others
are marked superseded, as statement_publish does.
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    RiskRegisterEntry = apps.get_model("reporting", "RiskRegisterEntry")
    Statement = apps.get_model("reporting", "Statement")
    RiskRegisterEntry.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=F("updated_at"))
    RiskRegisterEntry.objects.filter(status="open").exclude(closed_at=None).update(closed_at=None)
    seen = set()
    for statement in Statement.objects.filter(status="published").order_by("financial_year", "-version"):
        if statement.financial_year in seen:
            Statement.objects.filter(pk=statement.pk).update(status="superseded")
        seen.add(statement.financial_year)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_risk_closed_at")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
