from django.contrib import admin
from django.urls import include, path

from courses.catalog import views as catalog_views

from . import styleguide, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("omooc.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("studio/media/", include("courses.media.urls")),
    path("studio/", include("production.urls")),
    path("s/", include("production.speaker_urls")),
    path("", catalog_views.home, name="home"),
    path("", include("courses.urls")),
]
# No route serves MEDIA_ROOT directly, not even in development: learners and producers reach media
# only through signed, permission-checked links (courses/media/access.py).

handler404 = "omooc.views.not_found"
handler500 = "omooc.views.server_error"
