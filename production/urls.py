from django.urls import path

from . import callsheet_views, views
from .scheduling import urls as scheduling

app_name = "production"

urlpatterns = [
    path("", views.studio_home, name="home"),
    path("productions/new/", views.production_create, name="production_create"),
    path("productions/<int:pk>/", views.production_board, name="board"),
    path("productions/<int:pk>/edit/", views.production_edit, name="production_edit"),
    path("productions/<int:pk>/history/", views.production_history, name="history"),
    path("scripts/<int:pk>/", views.script_part, name="script"),
    path("scripts/<int:pk>/versions/<int:version_id>/file/", views.script_version_file, name="script_file"),
    path("post-production/<int:pk>/", views.post_production, name="post_production"),
    path("call-sheet/<str:day>/", callsheet_views.call_sheet, name="call_sheet"),
    path("call-sheet/<str:day>/pdf/", callsheet_views.call_sheet_pdf, name="call_sheet_pdf"),
    path("speakers/", views.speaker_list, name="speakers"),
    path("speakers/new/", views.speaker_create, name="speaker_create"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    path("speakers/<int:pk>/edit/", views.speaker_edit, name="speaker_edit"),
]
urlpatterns += scheduling.urlpatterns  # sessions, pre-talks, holds, calendar, locations, feed

from . import email_views  # noqa: E402  (speaker emails: email log and delivery status)

urlpatterns += [
    path("emails/", email_views.email_log, name="email_log"),
    path("emails/<int:pk>/resend/", email_views.email_resend, name="email_resend"),
    path("emails/speaker/<int:pk>/", email_views.speaker_delivery, name="email_speaker"),
    path("emails/speaker/<int:pk>/revoke/", email_views.speaker_links_revoke, name="speaker_links_revoke"),
    path("emails/speaker/<int:pk>/send-link/", email_views.speaker_link_send, name="speaker_link_send"),
]
