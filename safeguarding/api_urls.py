from rest_framework.routers import DefaultRouter

from safeguarding import api

router = DefaultRouter()
router.register("concerns", api.ConcernViewSet, basename="safeguarding-concern")
router.register("cases", api.CaseViewSet, basename="safeguarding-case")
router.register("intake", api.IntakeViewSet, basename="safeguarding-intake")
router.register("first-responders", api.FirstResponderViewSet, basename="safeguarding-first-responder")

urlpatterns = router.urls
