from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from courses import views as course_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("omooc.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("studio/media/", include("courses.media_urls")),
    path("studio/", include("production.urls")),
    path("s/", include("production.speaker_urls")),
    path("", course_views.home, name="home"),
    path("", include("courses.urls")),
]

if settings.DEBUG and not settings.AWS_STORAGE_BUCKET_NAME:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
