import pytest


@pytest.fixture(autouse=True)
def _risk_tables_and_questionnaires(request):
    """The data migration seeds these; transactional tests elsewhere flush them, so make sure they exist."""
    if not request.node.get_closest_marker("django_db"):
        return
    from django.apps import apps

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
