from django.urls import path

from . import views
from .scripts import views as script_views
from .speakers import views as speaker_views
from .studio import callsheet_views
from .studio import views as studio_views

app_name = "production"

urlpatterns = [
    path("", studio_views.studio_home, name="home"),
    path("postpone/", views.production_postpone, name="postpone_all"),
    path("productions/new/", studio_views.production_create, name="production_create"),
    path("productions/<int:pk>/", studio_views.production_board, name="board"),
    path("productions/<int:pk>/edit/", studio_views.production_edit, name="production_edit"),
    path("productions/<int:pk>/postpone/", views.production_postpone, name="postpone"),
    path("productions/<int:pk>/history/", studio_views.production_history, name="history"),
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
    path("scripts/<int:pk>/", script_views.script_part, name="script"),
    path(
        "scripts/<int:pk>/versions/<int:version_id>/file/",
        script_views.script_version_file,
        name="script_file",
    ),
    path("post-production/<int:pk>/", studio_views.post_production, name="post_production"),
    path("calendar/", views.calendar, name="calendar"),
    path("call-sheet/<str:day>/", callsheet_views.call_sheet, name="call_sheet"),
    path("call-sheet/<str:day>/pdf/", callsheet_views.call_sheet_pdf, name="call_sheet_pdf"),
    path("speakers/", speaker_views.speaker_list, name="speakers"),
    path("speakers/new/", speaker_views.speaker_create, name="speaker_create"),
    path("speakers/<int:pk>/", speaker_views.speaker_detail, name="speaker"),
    path("speakers/<int:pk>/edit/", speaker_views.speaker_edit, name="speaker_edit"),
    path("locations/", views.location_list, name="locations"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]

from .outbox import views as email_views  # noqa: E402  (speaker emails: email log and delivery status)

urlpatterns += [
    path("emails/", email_views.email_log, name="email_log"),
    path("emails/<int:pk>/resend/", email_views.email_resend, name="email_resend"),
    path("emails/speaker/<int:pk>/", email_views.speaker_delivery, name="email_speaker"),
    path("emails/speaker/<int:pk>/revoke/", email_views.speaker_links_revoke, name="speaker_links_revoke"),
    path("emails/speaker/<int:pk>/send-link/", email_views.speaker_link_send, name="speaker_link_send"),
]

from . import export_views  # noqa: E402  (downloads: board and schedule as CSV, schedule as .ics)

urlpatterns += [
    path("productions/<int:pk>/board.csv", export_views.board_csv, name="board_csv"),
    path("schedule.csv", export_views.schedule_csv, name="schedule_csv"),
    path("schedule.ics", export_views.schedule_ics, name="schedule_ics"),
]

from . import portfolio_views  # noqa: E402  (the portfolio: table, archive and launch timeline)

urlpatterns += [
    path("portfolio/", portfolio_views.portfolio_page, name="portfolio"),
    path("productions/<int:pk>/archive/", portfolio_views.production_archive, name="production_archive"),
]
