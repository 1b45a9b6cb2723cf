"""Studio media pages, mounted at /studio/media/ (namespace ``courses_media``)."""

from django.urls import path

from . import views

app_name = "courses_media"

urlpatterns = [
    path("", views.media_index, name="index"),
    path("lectures/<int:lecture_id>/", views.lecture_media, name="lecture"),
    path("lectures/<int:lecture_id>/upload/", views.video_upload, name="video_upload"),
    path("lectures/<int:lecture_id>/direct-upload/", views.video_upload_start, name="video_upload_start"),
    path("lectures/<int:lecture_id>/captions/", views.caption_upload, name="caption_upload"),
    path("videos/<uuid:uid>/complete/", views.video_upload_complete, name="video_complete"),
    path("videos/<uuid:uid>/status/", views.video_status, name="video_status"),
    path("videos/<uuid:uid>/retry/", views.video_retry, name="video_retry"),
    path("videos/<uuid:uid>/delete/", views.video_delete, name="video_delete"),
    path("captions/<int:caption_id>/delete/", views.caption_delete, name="caption_delete"),
]
