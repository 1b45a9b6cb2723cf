"""The studio routes of scheduling, added to ``production/urls.py`` (namespace "production")."""

from django.urls import include, path, re_path

from . import calendar_views, hold_views, views


def _item_routes(kind: str, prefix: str, own: list) -> list:
    """The routes both kinds have: plan one; under ``<prefix>/<int:pk>/`` its page, editing,
    speakers on and off, an answer, and the kind's ``own`` routes."""
    view = vars(views)
    item = [
        path("", view[f"{kind}_detail"], name=kind),
        path("edit/", view[f"{kind}_edit"], name=f"{kind}_edit"),
        path("speakers/", view[f"{kind}_add_speaker"], name=f"{kind}_add_speaker"),
        path(
            "speakers/<int:speaker_id>/remove/", view[f"{kind}_remove_speaker"], name=f"{kind}_remove_speaker"
        ),
        path("speakers/<int:speaker_id>/response/", view[f"{kind}_rsvp"], name=f"{kind}_rsvp"),
        *own,
    ]
    return [
        path(f"productions/<int:pk>/{prefix}/new/", view[f"{kind}_create"], name=f"{kind}_create"),
        path(f"{prefix}/<int:pk>/", include(item)),
    ]


session_routes = [
    path("state/", views.session_state, name="session_state"),
    path("hold/", hold_views.session_hold, name="session_hold"),
    path("crew/", views.session_add_crew, name="session_add_crew"),
    path("crew/<int:crew_id>/remove/", views.session_remove_crew, name="session_remove_crew"),
]

pretalk_routes = [
    path("held/", views.pretalk_held, name="pretalk_held"),
    path("cancel/", views.pretalk_cancel, name="pretalk_cancel"),
]

urlpatterns = [
    path("postpone/", hold_views.production_postpone, name="postpone_all"),
    path("productions/<int:pk>/postpone/", hold_views.production_postpone, name="postpone"),
    path("holds/<int:pk>/", hold_views.hold_detail, name="hold"),
    path("holds/<int:pk>/undo/", hold_views.hold_undo, name="hold_undo"),
    *_item_routes("session", "sessions", session_routes),
    *_item_routes("pretalk", "pretalks", pretalk_routes),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/locations/<int:pk>/", calendar_views.calendar_location, name="calendar_location"),
    re_path(
        r"^calendar/(?P<kind>session|pretalk)/(?P<pk>[0-9]+)/move/$",
        calendar_views.calendar_move,
        name="calendar_move",
    ),
    path("locations/", views.location_list, name="locations"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
