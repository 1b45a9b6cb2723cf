"""The studio routes of scheduling, added to ``production/urls.py`` (namespace "production")."""

from django.urls import path, re_path

from . import calendar_views, hold_views, views


def _item_routes(kind: str, prefix: str) -> list:
    """The routes both kinds have: plan one, its page, editing, speakers on and off, an answer."""
    view = vars(views)
    return [
        path(f"productions/<int:pk>/{prefix}/new/", view[f"{kind}_create"], name=f"{kind}_create"),
        path(f"{prefix}/<int:pk>/", view[f"{kind}_detail"], name=kind),
        path(f"{prefix}/<int:pk>/edit/", view[f"{kind}_edit"], name=f"{kind}_edit"),
        path(f"{prefix}/<int:pk>/speakers/", view[f"{kind}_add_speaker"], name=f"{kind}_add_speaker"),
        path(
            f"{prefix}/<int:pk>/speakers/<int:speaker_id>/remove/",
            view[f"{kind}_remove_speaker"],
            name=f"{kind}_remove_speaker",
        ),
        path(
            f"{prefix}/<int:pk>/speakers/<int:speaker_id>/response/",
            view[f"{kind}_rsvp"],
            name=f"{kind}_rsvp",
        ),
    ]


urlpatterns = [
    path("postpone/", hold_views.production_postpone, name="postpone_all"),
    path("productions/<int:pk>/postpone/", hold_views.production_postpone, name="postpone"),
    path("holds/<int:pk>/", hold_views.hold_detail, name="hold"),
    path("holds/<int:pk>/undo/", hold_views.hold_undo, name="hold_undo"),
    *_item_routes("session", "sessions"),
    path("sessions/<int:pk>/state/", views.session_state, name="session_state"),
    path("sessions/<int:pk>/hold/", hold_views.session_hold, name="session_hold"),
    path("sessions/<int:pk>/crew/", views.session_add_crew, name="session_add_crew"),
    path(
        "sessions/<int:pk>/crew/<int:crew_id>/remove/", views.session_remove_crew, name="session_remove_crew"
    ),
    *_item_routes("pretalk", "pretalks"),
    path("pretalks/<int:pk>/held/", views.pretalk_held, name="pretalk_held"),
    path("pretalks/<int:pk>/cancel/", views.pretalk_cancel, name="pretalk_cancel"),
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
