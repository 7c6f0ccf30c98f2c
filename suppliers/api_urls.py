from django.urls import path
from rest_framework.routers import DefaultRouter

from suppliers import api

router = DefaultRouter()
router.register("suppliers", api.SupplierViewSet, basename="suppliers-supplier")
router.register("risk-assessments", api.RiskAssessmentViewSet, basename="suppliers-risk-assessment")
router.register("audits", api.AuditViewSet, basename="suppliers-audit")
router.register("questionnaires", api.QuestionnaireViewSet, basename="suppliers-questionnaire")
router.register("findings", api.FindingViewSet, basename="suppliers-finding")
router.register("corrective-actions", api.CorrectiveActionViewSet, basename="suppliers-corrective-action")
router.register("certificates", api.SupplierCertificateViewSet, basename="suppliers-certificate")
router.register("conduct-acceptances", api.CodeOfConductAcceptanceViewSet, basename="suppliers-conduct-acceptance")

urlpatterns = [
    path("autocomplete/", api.SupplierSearch.as_view(), name="api-supplier-search"),
    *router.urls,
]
