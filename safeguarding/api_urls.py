from rest_framework.routers import DefaultRouter

from safeguarding import api

router = DefaultRouter()
router.register("concerns", api.ConcernViewSet, basename="safeguarding-concern")
router.register("cases", api.CaseViewSet, basename="safeguarding-case")

urlpatterns = router.urls
