"""Studio media pages, mounted at /studio/media/ (namespace ``courses_media``)."""

from django.urls import include, path

from . import views

app_name = "courses_media"

# Under lectures/<int:lecture_id>/: a lecture's media and what is uploaded to it.
lecture_routes = [
    path("", views.lecture_media, name="lecture"),
    path("upload/", views.video_upload, name="video_upload"),
    path("direct-upload/", views.video_upload_start, name="video_upload_start"),
    path("captions/", views.caption_upload, name="caption_upload"),
]

# Under videos/<uuid:uid>/: one video's upload, processing and removal.
video_routes = [
    path("complete/", views.video_upload_complete, name="video_complete"),
    path("status/", views.video_status, name="video_status"),
    path("retry/", views.video_retry, name="video_retry"),
    path("delete/", views.video_delete, name="video_delete"),
]

urlpatterns = [
    path("", views.media_index, name="index"),
    path("lectures/<int:lecture_id>/", include(lecture_routes)),
    path("videos/<uuid:uid>/", include(video_routes)),
    path("captions/<int:caption_id>/delete/", views.caption_delete, name="caption_delete"),
]
