from django.urls import path

from . import callsheet_views, views
from .scheduling import views as scheduling

app_name = "production"

urlpatterns = [
    path("", views.studio_home, name="home"),
    path("postpone/", scheduling.production_postpone, name="postpone_all"),
    path("productions/new/", views.production_create, name="production_create"),
    path("productions/<int:pk>/", views.production_board, name="board"),
    path("productions/<int:pk>/edit/", views.production_edit, name="production_edit"),
    path("productions/<int:pk>/postpone/", scheduling.production_postpone, name="postpone"),
    path("productions/<int:pk>/history/", views.production_history, name="history"),
    path("productions/<int:pk>/sessions/new/", scheduling.session_create, name="session_create"),
    path("productions/<int:pk>/pretalks/new/", scheduling.pretalk_create, name="pretalk_create"),
    path("sessions/<int:pk>/", scheduling.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", scheduling.session_edit, name="session_edit"),
    path("sessions/<int:pk>/state/", scheduling.session_state, name="session_state"),
    path("sessions/<int:pk>/hold/", scheduling.session_hold, name="session_hold"),
    path("sessions/<int:pk>/speakers/", scheduling.session_add_speaker, name="session_add_speaker"),
    path(
        "sessions/<int:pk>/speakers/<int:speaker_id>/remove/",
        scheduling.session_remove_speaker,
        name="session_remove_speaker",
    ),
    path(
        "sessions/<int:pk>/speakers/<int:speaker_id>/response/", scheduling.session_rsvp, name="session_rsvp"
    ),
    path("sessions/<int:pk>/crew/", scheduling.session_add_crew, name="session_add_crew"),
    path(
        "sessions/<int:pk>/crew/<int:crew_id>/remove/",
        scheduling.session_remove_crew,
        name="session_remove_crew",
    ),
    path("pretalks/<int:pk>/", scheduling.pretalk_detail, name="pretalk"),
    path("pretalks/<int:pk>/edit/", scheduling.pretalk_edit, name="pretalk_edit"),
    path("pretalks/<int:pk>/held/", scheduling.pretalk_held, name="pretalk_held"),
    path("pretalks/<int:pk>/cancel/", scheduling.pretalk_cancel, name="pretalk_cancel"),
    path("pretalks/<int:pk>/speakers/", scheduling.pretalk_add_speaker, name="pretalk_add_speaker"),
    path(
        "pretalks/<int:pk>/speakers/<int:speaker_id>/remove/",
        scheduling.pretalk_remove_speaker,
        name="pretalk_remove_speaker",
    ),
    path(
        "pretalks/<int:pk>/speakers/<int:speaker_id>/response/", scheduling.pretalk_rsvp, name="pretalk_rsvp"
    ),
    path("scripts/<int:pk>/", views.script_part, name="script"),
    path("scripts/<int:pk>/versions/<int:version_id>/file/", views.script_version_file, name="script_file"),
    path("post-production/<int:pk>/", views.post_production, name="post_production"),
    path("calendar/", scheduling.calendar, name="calendar"),
    path("call-sheet/<str:day>/", callsheet_views.call_sheet, name="call_sheet"),
    path("call-sheet/<str:day>/pdf/", callsheet_views.call_sheet_pdf, name="call_sheet_pdf"),
    path("speakers/", views.speaker_list, name="speakers"),
    path("speakers/new/", views.speaker_create, name="speaker_create"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    path("speakers/<int:pk>/edit/", views.speaker_edit, name="speaker_edit"),
    path("locations/", scheduling.location_list, name="locations"),
    path("feed/", scheduling.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", scheduling.feed, name="feed"),
]

from . import email_views  # noqa: E402  (speaker emails: email log and delivery status)

urlpatterns += [
    path("emails/", email_views.email_log, name="email_log"),
    path("emails/<int:pk>/resend/", email_views.email_resend, name="email_resend"),
    path("emails/speaker/<int:pk>/", email_views.speaker_delivery, name="email_speaker"),
    path("emails/speaker/<int:pk>/revoke/", email_views.speaker_links_revoke, name="speaker_links_revoke"),
    path("emails/speaker/<int:pk>/send-link/", email_views.speaker_link_send, name="speaker_link_send"),
]
