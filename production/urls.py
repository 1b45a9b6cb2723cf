"""The studio's URL conf: each wing's pages under /studio/ (URL names never change)."""

from django.urls import path

from .outbox import views as outbox
from .scheduling import urls as scheduling
from .scripts import views as scripts
from .speakers import views as speakers
from .studio import board_views as board
from .studio import callsheet_views as callsheet
from .studio import export_views as exports
from .studio import portfolio_views as portfolio
from .studio import views as studio

app_name = "production"

urlpatterns = [
    path("", studio.studio_home, name="home"),
    path("productions/new/", studio.production_create, name="production_create"),
    path("productions/<int:pk>/", board.production_board, name="board"),
    path("productions/<int:pk>/board/bulk/", board.board_bulk, name="board_bulk"),
    path("productions/<int:pk>/board/<int:lecture_id>/<str:column>/", board.board_cell, name="board_cell"),
    path("productions/<int:pk>/edit/", studio.production_edit, name="production_edit"),
    path("productions/<int:pk>/history/", studio.production_history, name="history"),
    path("scripts/<int:pk>/", scripts.script_part, name="script"),
    path("scripts/<int:pk>/versions/<int:version_id>/file/", scripts.script_version_file, name="script_file"),
    path("post-production/<int:pk>/", studio.post_production, name="post_production"),
    path("call-sheet/<str:day>/", callsheet.call_sheet, name="call_sheet"),
    path("call-sheet/<str:day>/pdf/", callsheet.call_sheet_pdf, name="call_sheet_pdf"),
    path("speakers/", speakers.speaker_list, name="speakers"),
    path("speakers/new/", speakers.speaker_create, name="speaker_create"),
    path("speakers/<int:pk>/", speakers.speaker_detail, name="speaker"),
    path("speakers/<int:pk>/edit/", speakers.speaker_edit, name="speaker_edit"),
    path("emails/", outbox.email_log, name="email_log"),
    path("emails/<int:pk>/resend/", outbox.email_resend, name="email_resend"),
    path("emails/speaker/<int:pk>/", outbox.speaker_delivery, name="email_speaker"),
    path("emails/speaker/<int:pk>/revoke/", outbox.speaker_links_revoke, name="speaker_links_revoke"),
    path("emails/speaker/<int:pk>/send-link/", outbox.speaker_link_send, name="speaker_link_send"),
    path("productions/<int:pk>/board.csv", exports.board_csv, name="board_csv"),
    path("schedule.csv", exports.schedule_csv, name="schedule_csv"),
    path("schedule.ics", exports.schedule_ics, name="schedule_ics"),
    path("portfolio/", portfolio.portfolio_page, name="portfolio"),
    path("productions/<int:pk>/archive/", portfolio.production_archive, name="production_archive"),
]
urlpatterns += scheduling.urlpatterns  # sessions, pre-talks, holds, calendar, locations, feed
