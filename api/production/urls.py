from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("productions", views.ProductionViewSet, basename="production")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("locations", views.LocationViewSet, basename="location")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("pretalks", views.PreTalkViewSet, basename="pretalk")
router.register("script-parts", views.ScriptPartViewSet, basename="script-part")
router.register("post-production", views.PostProductionViewSet, basename="post-production")

urlpatterns = router.urls
