"""Which supplier models django-auditlog records changes for."""

from auditlog.registry import auditlog

from suppliers.models import (
    Audit,
    CategoryRisk,
    CodeOfConduct,
    CodeOfConductAcceptance,
    CorrectiveAction,
    CountryRisk,
    EnhancedDueDiligence,
    Finding,
    Question,
    QuestionnaireRequest,
    RiskWeight,
    Supplier,
)

for model in (
    Supplier,
    RiskWeight,
    CountryRisk,
    CategoryRisk,
    EnhancedDueDiligence,
    CodeOfConduct,
    CodeOfConductAcceptance,
    Audit,
    Finding,
    CorrectiveAction,
    # A question's severity moves scores: who changed it is kept like the weights.
    Question,
):
    auditlog.register(model)
# The token hash is a secret: keep it out of the change history.
auditlog.register(QuestionnaireRequest, exclude_fields=["token_hash"])
