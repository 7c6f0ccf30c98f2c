"""Supplier register and due diligence records, one module per area.

Policy 4.2/4.3/6 and the NHS statement (8.3, 8.8, 9.2) ask procurement to
score suppliers for modern slavery risk, keep enhanced checks for high risk,
ban recruitment agencies that charge workers fees or hold their documents,
audit, and follow findings through to remediation or termination.

Every model's QuerySet answers `restrict(user, action)` (suppliers/models/querysets.py).
"""

from suppliers.models.audit import (
    Audit,
    CorrectiveAction,
    CorrectiveActionEvent,
    CorrectiveActionQuerySet,
    Finding,
)
from suppliers.models.bulk import SupplierBulkSend
from suppliers.models.conduct import CodeOfConduct, CodeOfConductAcceptance
from suppliers.models.imports import SupplierImport
from suppliers.models.portal import SupplierCertificate, SupplierPortalLink
from suppliers.models.procurement import (
    STATEMENT_TURNOVER_THRESHOLD,
    ContractType,
    ExclusionGround,
    LsasLevel,
    Ppn009Outcome,
    RegistryStatus,
)
from suppliers.models.querysets import Action
from suppliers.models.questionnaire import (
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    QuestionnaireSection,
    QuestionnaireTemplate,
    token_digest,
)
from suppliers.models.register import (
    AGENCY_CHECK_VALID_DAYS,
    PROCUREMENT_FIELDS,
    REGISTER_FIELDS,
    SUPPLIER_CONTACT_FIELDS,
    SUPPLIER_DETAIL_FIELDS,
    AgencyFees,
    AgencyIdDocuments,
    CategoryRisk,
    CountryRisk,
    EnhancedDueDiligence,
    ReviewTask,
    RiskAssessment,
    RiskBand,
    RiskWeight,
    Supplier,
    SupplierDocument,
    SupplierEvent,
    SupplierQuerySet,
)
from suppliers.models.tiers import SubSupplier

__all__ = [
    "AGENCY_CHECK_VALID_DAYS",
    "PROCUREMENT_FIELDS",
    "REGISTER_FIELDS",
    "STATEMENT_TURNOVER_THRESHOLD",
    "ContractType",
    "ExclusionGround",
    "LsasLevel",
    "Ppn009Outcome",
    "RegistryStatus",
    "SUPPLIER_CONTACT_FIELDS",
    "SUPPLIER_DETAIL_FIELDS",
    "Action",
    "AgencyFees",
    "AgencyIdDocuments",
    "Audit",
    "CategoryRisk",
    "CodeOfConduct",
    "CodeOfConductAcceptance",
    "CorrectiveAction",
    "CorrectiveActionEvent",
    "CorrectiveActionQuerySet",
    "CountryRisk",
    "EnhancedDueDiligence",
    "Finding",
    "Question",
    "QuestionnaireAnswer",
    "QuestionnaireRequest",
    "QuestionnaireSection",
    "QuestionnaireTemplate",
    "ReviewTask",
    "RiskAssessment",
    "RiskBand",
    "RiskWeight",
    "Supplier",
    "SupplierCertificate",
    "SupplierDocument",
    "SupplierBulkSend",
    "SupplierEvent",
    "SupplierImport",
    "SupplierPortalLink",
    "SupplierQuerySet",
    "SubSupplier",
    "token_digest",
]
