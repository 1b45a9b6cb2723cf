from django.urls import path

from .catalog import posters
from .learning import views
from .media import views as media_views

app_name = "courses"

urlpatterns = [
    path("my/courses/", views.dashboard, name="dashboard"),
    path("my/email-preferences/", views.email_preferences, name="email_preferences"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("courses/<slug:slug>/poster/<str:key>/", posters.poster, name="course_poster"),
    path("courses/<slug:slug>/speakers/<int:pk>/<str:key>/", posters.presenter_photo, name="presenter_photo"),
    path("courses/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("courses/<slug:slug>/unenroll/", views.unenroll, name="unenroll"),
    path("courses/<slug:slug>/lectures/<slug:lecture_slug>/", views.lecture, name="lecture"),
    path(
        "courses/<slug:slug>/lectures/<slug:lecture_slug>/media/", views.lecture_media, name="lecture_media"
    ),
    path("progress/heartbeat/", views.heartbeat, name="heartbeat"),
    # Served by courses.learning.beacon through omooc.wsgi; this twin answers the same wherever Django does.
    path("progress/beat/", views.beat, name="beat"),
    path("media/s/<str:token>/<path:path>", media_views.media, name="media"),
    path("certificates/<uuid:uid>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<uuid:uid>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("emails/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
