"""Learner pages and the learner API: the catalog, enrolment, lectures, playback, media links and
progress heartbeats."""

from __future__ import annotations

from django.urls import resolve

from courses.learning import progress
from courses.media import access as media_access
from tests.authorization.policy import (
    ALL_USERS,
    LOGGED_IN_API,
    LOGGED_IN_PAGE,
    TEAM,
    case,
    nobody,
    pk,
    rule,
)
from tests.support.authz import Case
from tests.support.world import ENROLLED, ROLES


def _token_parts(url: str) -> dict:
    match = resolve(url)
    return {"token": match.kwargs["token"], "path": match.kwargs["path"]}


def _learner_link(w, role):
    urls = media_access.playback_urls(
        lecture=w.lecture,
        video=w.video,
        captions=[],
        enrollment_id=w.enrollment.pk,
        user_id=w.users[ENROLLED].pk,
    )
    return _token_parts(urls["master"])


def _own_preview_link(w, role):
    """Each account presents a producer preview link made out to itself (anonymous visitors the
    enrolled learner's link)."""
    user = w.users.get(role) or w.users[ENROLLED]
    urls = media_access.playback_urls(
        lecture=w.lecture, video=w.video, captions=[], enrollment_id=0, user_id=user.pk
    )
    return _token_parts(urls["master"])


LECTURE_PAGE = rule({ENROLLED} | TEAM, anon="login", speaker="login", learner="3xx", outsider="3xx")
LECTURE_JSON = rule({ENROLLED} | TEAM, anon="403", speaker="403", learner="403", outsider="403")
MEDIA_OWN_LINK = rule(
    {ENROLLED}, anon="403", speaker="403", learner="403", outsider="403", producer="403", superuser="403"
)
MEDIA_PREVIEW = rule(TEAM, anon="403", speaker="403", learner="403", enrolled="403", outsider="403")
ENROLLED_ONLY_PAGE = rule(
    {ENROLLED}, anon="login", speaker="login", learner="404", outsider="404", producer="404", superuser="404"
)
ENROLLED_ONLY_API = rule(
    {ENROLLED}, anon="401", speaker="401", learner="404", outsider="404", producer="404", superuser="404"
)
PLAYBACK_API = rule({ENROLLED} | TEAM, anon="401", speaker="401", learner="403", outsider="403")
DRAFT_LECTURE = rule(TEAM, anon="login", speaker="login", learner="404", enrolled="404", outsider="404")
UNRELEASED_LECTURE = rule({ENROLLED} | TEAM, anon="login", speaker="login", learner="3xx", outsider="3xx")
ENROLL = rule(ALL_USERS, anon="login", speaker="login")
HEARTBEAT_NO_TOKEN = nobody("403")
HEARTBEAT = rule(
    {ENROLLED}, anon="403", speaker="403", learner="403", outsider="403", producer="403", superuser="403"
)


def _heartbeat(w, role):
    """Everybody posts the enrolled learner's playback token (it is bound to that learner)."""
    token = progress.playback_token(
        enrollment_id=w.enrollment.pk, lecture_id=w.lecture.pk, user_id=w.users[ENROLLED].pk, duration=4
    )
    return {"token": token, "position": "2", "played_from": "0", "event": "tick"}


def lecture_kwargs(attr):
    return lambda w, role: {"slug": w.course_a.slug, "lecture_slug": getattr(w, attr).slug}


CASES: list[Case] = [
    case("courses:dashboard", LOGGED_IN_PAGE),
    case("courses:email_preferences", LOGGED_IN_PAGE),
    case("courses:enroll", ENROLL, lambda w, role: {"slug": w.course_a.slug}),
    case(
        "courses:enroll",
        nobody("404", anon="login", speaker="login"),
        lambda w, role: {"slug": w.course_draft.slug},
        label="draft course",
    ),
    case("courses:unenroll", ENROLLED_ONLY_PAGE, lambda w, role: {"slug": w.course_a.slug}),
    case("courses:lecture", LECTURE_PAGE, lecture_kwargs("lecture")),
    case("courses:lecture", DRAFT_LECTURE, lecture_kwargs("lecture_draft"), label="draft lecture"),
    case("courses:lecture", UNRELEASED_LECTURE, lecture_kwargs("lecture_unreleased"), label="unreleased"),
    case("courses:lecture_media", LECTURE_JSON, lecture_kwargs("lecture")),
    case("courses:heartbeat", HEARTBEAT_NO_TOKEN, label="no playback token"),
    case("courses:heartbeat", HEARTBEAT, data=_heartbeat, label="enrolled learner's playback token"),
    case(
        "courses:beat",
        HEARTBEAT_NO_TOKEN,
        data=lambda w, role: {"position": "2", "event": "tick"},
        form_encoded=True,
        label="no playback token",
    ),
    case(
        "courses:beat",
        HEARTBEAT_NO_TOKEN,
        data=lambda w, role: {**_heartbeat(w, role), "token": "forged:token"},
        form_encoded=True,
        label="forged token",
    ),
    case(
        "courses:beat",
        rule(set(ROLES)),
        data=_heartbeat,
        form_encoded=True,
        label="enrolled learner's playback token",
    ),
    case("courses:media", MEDIA_OWN_LINK, _learner_link, label="enrolled learner's link"),
    case("courses:media", MEDIA_PREVIEW, _own_preview_link, label="own preview link"),
    case("v1:me", LOGGED_IN_API),
    case("v1:enrollment-list", LOGGED_IN_API),
    case("v1:enrollment-detail", ENROLLED_ONLY_API, pk("enrollment")),
    case(
        "v1:enrollment-detail",
        nobody("404", anon="401", speaker="401"),
        pk("other_enrollment"),
        label="another learner's",
    ),
    case("v1:lecture-playback", PLAYBACK_API, pk("lecture")),
    case(
        "v1:lecture-playback",
        rule(TEAM, anon="401", speaker="401", learner="404", enrolled="404", outsider="404"),
        pk("lecture_draft"),
        label="draft lecture",
    ),
    case("v1:progress", LOGGED_IN_API),
]

# The learner API's routes (the other v1: routes are the production API's).
API_ROUTES = (
    "me",
    "enrollment-list",
    "enrollment-detail",
    "lecture-playback",
    "progress",
    "course-list",
    "course-detail",
    "auth-token",
)
