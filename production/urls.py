from django.urls import path

from . import views
from .scripts import views as scripts
from .speakers import views as speakers
from .studio import callsheet_views
from .studio import views as studio

app_name = "production"

urlpatterns = [
    path("", studio.studio_home, name="home"),
    path("postpone/", views.production_postpone, name="postpone_all"),
    path("productions/new/", studio.production_create, name="production_create"),
    path("productions/<int:pk>/", studio.production_board, name="board"),
    path("productions/<int:pk>/edit/", studio.production_edit, name="production_edit"),
    path("productions/<int:pk>/postpone/", views.production_postpone, name="postpone"),
    path("productions/<int:pk>/history/", studio.production_history, name="history"),
    path("productions/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("productions/<int:pk>/pretalks/new/", views.pretalk_create, name="pretalk_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/state/", views.session_state, name="session_state"),
    path("sessions/<int:pk>/hold/", views.session_hold, name="session_hold"),
    path("sessions/<int:pk>/speakers/", views.session_add_speaker, name="session_add_speaker"),
    path(
        "sessions/<int:pk>/speakers/<int:speaker_id>/remove/",
        views.session_remove_speaker,
        name="session_remove_speaker",
    ),
    path("sessions/<int:pk>/speakers/<int:speaker_id>/response/", views.session_rsvp, name="session_rsvp"),
    path("sessions/<int:pk>/crew/", views.session_add_crew, name="session_add_crew"),
    path(
        "sessions/<int:pk>/crew/<int:crew_id>/remove/", views.session_remove_crew, name="session_remove_crew"
    ),
    path("pretalks/<int:pk>/", views.pretalk_detail, name="pretalk"),
    path("pretalks/<int:pk>/edit/", views.pretalk_edit, name="pretalk_edit"),
    path("pretalks/<int:pk>/held/", views.pretalk_held, name="pretalk_held"),
    path("pretalks/<int:pk>/cancel/", views.pretalk_cancel, name="pretalk_cancel"),
    path("pretalks/<int:pk>/speakers/", views.pretalk_add_speaker, name="pretalk_add_speaker"),
    path(
        "pretalks/<int:pk>/speakers/<int:speaker_id>/remove/",
        views.pretalk_remove_speaker,
        name="pretalk_remove_speaker",
    ),
    path("pretalks/<int:pk>/speakers/<int:speaker_id>/response/", views.pretalk_rsvp, name="pretalk_rsvp"),
    path("scripts/<int:pk>/", scripts.script_part, name="script"),
    path("scripts/<int:pk>/versions/<int:version_id>/file/", scripts.script_version_file, name="script_file"),
    path("post-production/<int:pk>/", studio.post_production, name="post_production"),
    path("calendar/", views.calendar, name="calendar"),
    path("call-sheet/<str:day>/", callsheet_views.call_sheet, name="call_sheet"),
    path("call-sheet/<str:day>/pdf/", callsheet_views.call_sheet_pdf, name="call_sheet_pdf"),
    path("speakers/", speakers.speaker_list, name="speakers"),
    path("speakers/new/", speakers.speaker_create, name="speaker_create"),
    path("speakers/<int:pk>/", speakers.speaker_detail, name="speaker"),
    path("speakers/<int:pk>/edit/", speakers.speaker_edit, name="speaker_edit"),
    path("locations/", views.location_list, name="locations"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]

from . import email_views  # noqa: E402  (speaker emails: email log and delivery status)

urlpatterns += [
    path("emails/", email_views.email_log, name="email_log"),
    path("emails/<int:pk>/resend/", email_views.email_resend, name="email_resend"),
    path("emails/speaker/<int:pk>/", email_views.speaker_delivery, name="email_speaker"),
    path("emails/speaker/<int:pk>/revoke/", email_views.speaker_links_revoke, name="speaker_links_revoke"),
    path("emails/speaker/<int:pk>/send-link/", email_views.speaker_link_send, name="speaker_link_send"),
]
