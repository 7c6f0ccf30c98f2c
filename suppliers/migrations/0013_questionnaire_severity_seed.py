"""Seeded questions get their severities, and the flat questionnaire-gap weight becomes one per severity.

Data only, reversible: going back puts the medium weight into the single old weight and
the seeded questions back to the default severity.
"""

from django.db import migrations

OLD_KEY = "questionnaire_gap"
SEVERITY_KEYS = (
    "questionnaire_gap_low",
    "questionnaire_gap_medium",
    "questionnaire_gap_high",
    "questionnaire_gap_critical",
)


def forward(apps, schema_editor):
    from suppliers.questionnaire_defaults import seed_severities
    from suppliers.risk_defaults import WEIGHTS

    RiskWeight = apps.get_model("suppliers", "RiskWeight")  # noqa: N806
    old = RiskWeight.objects.filter(key=OLD_KEY).first()
    for key in SEVERITY_KEYS:
        value, label, help_text = WEIGHTS[key]
        if key == "questionnaire_gap_medium" and old is not None:
            # A gap used to cost the flat weight; a medium gap keeps costing what procurement set.
            value = old.value
        RiskWeight.objects.get_or_create(key=key, defaults={"value": value, "label": label, "help_text": help_text})
    if old is not None:
        old.delete()
    seed_severities(apps.get_model("suppliers", "Question"))


def backward(apps, schema_editor):
    from suppliers.questionnaire_defaults import MSAT_NAME, PROVIDER_NAME, SEVERITIES

    RiskWeight = apps.get_model("suppliers", "RiskWeight")  # noqa: N806
    medium = RiskWeight.objects.filter(key="questionnaire_gap_medium").first()
    RiskWeight.objects.get_or_create(
        key=OLD_KEY,
        defaults={
            "value": medium.value if medium else 5,
            "label": "Each gap in the accepted questionnaire",
            "help_text": "An answer such as 'no' to 'Do you have a policy?'",
        },
    )
    RiskWeight.objects.filter(key__in=SEVERITY_KEYS).delete()
    apps.get_model("suppliers", "Question").objects.filter(
        section__template__name__in=(MSAT_NAME, PROVIDER_NAME), text__in=list(SEVERITIES)
    ).update(severity="medium")


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0012_questionnaire_severity_findings"),
    ]

    operations = [migrations.RunPython(forward, backward)]
