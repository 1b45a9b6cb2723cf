from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .accounts.views import MeView, TokenObtainView

v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("production/", include("api.production.urls")),
    path("", include("api.courses.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
