from django.urls import path
from rest_framework.routers import DefaultRouter

from reporting import api

router = DefaultRouter()
router.register("statements", api.StatementViewSet, basename="reporting-statement")
router.register("board-reports", api.BoardReportViewSet, basename="reporting-board-report")

urlpatterns = [path("kpis/", api.KpiView.as_view(), name="reporting-kpis"), *router.urls]
