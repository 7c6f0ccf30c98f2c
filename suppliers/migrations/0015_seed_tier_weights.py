"""Add the tier-2/3 supply chain weights (suppliers.risk_defaults); reversible, never overwriting an edited value."""

from django.db import migrations

# Fixed here, not read from risk_defaults: a migration must mean the same thing forever.
TIER_WEIGHTS = {
    "tier2_share": (
        50,
        "Tier-2 supply chain: share of the worst tier-2 supplier's risk (%)",
        "Percent of a tier-2 supplier's country and category points added to our supplier's score.",
    ),
    "tier3_share": (
        30,
        "Tier-3 supply chain: share of the worst tier-3 supplier's risk (%)",
        "Percent of a tier-3 supplier's country and category points added to our supplier's score.",
    ),
}


def add(apps, schema_editor):
    RiskWeight = apps.get_model("suppliers", "RiskWeight")  # noqa: N806
    for key, (value, label, help_text) in TIER_WEIGHTS.items():
        RiskWeight.objects.get_or_create(key=key, defaults={"value": value, "label": label, "help_text": help_text})


def remove(apps, schema_editor):
    apps.get_model("suppliers", "RiskWeight").objects.filter(key__in=list(TIER_WEIGHTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0014_procurement_tiers_bulk_send")]
    operations = [migrations.RunPython(add, remove)]
