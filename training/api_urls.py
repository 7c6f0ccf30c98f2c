from django.urls import path
from rest_framework.routers import DefaultRouter

from training import api

router = DefaultRouter()
router.register("courses", api.CourseViewSet, basename="training-course")
router.register("records", api.TrainingRecordViewSet, basename="training-record")

urlpatterns = [
    path("completion-rates/", api.CompletionRatesView.as_view(), name="training-completion-rates"),
    *router.urls,
]
