"""Seed the default risk tables and the MSAT-themed questionnaire (see risk_defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from suppliers.questionnaire_defaults import seed_templates
    from suppliers.risk_defaults import seed_tables

    seed_tables(
        apps.get_model("suppliers", "RiskWeight"),
        apps.get_model("suppliers", "CountryRisk"),
        apps.get_model("suppliers", "CategoryRisk"),
    )
    seed_templates(
        apps.get_model("suppliers", "QuestionnaireTemplate"),
        apps.get_model("suppliers", "QuestionnaireSection"),
        apps.get_model("suppliers", "Question"),
    )


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0002_categoryrisk_countryrisk_questionnairesection_and_more")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
