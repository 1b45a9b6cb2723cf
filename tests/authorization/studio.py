"""The studio: the production tracker's pages and actions, the media pages, and a sample of the
Django admin."""

from __future__ import annotations

from django.utils import timezone

from tests.authorization.policy import (
    PRODUCERS,
    STUDIO_JSON_TEAM,
    STUDIO_TEAM,
    STUDIO_WIDE,
    TEAM,
    case,
    mirror,
    nobody,
    on_item,
    pk,
    rule,
    with_speaker,
)
from tests.support.authz import Case
from tests.support.world import SUPER


def _day(session_attr):
    """The call sheet of the studio day on which a session of the world starts."""
    return lambda w, role: {"day": timezone.localtime(getattr(w, session_attr).starts_at).date().isoformat()}


# A studio-wide page asked for a filter value that does not exist: the page does not exist either.
NO_SUCH_FILTER = nobody("404", anon="login", speaker="login", learner="403", enrolled="403")
# Producers are staff with the catalog and production models (omooc.accounts.services.producer_grant);
# the admin shows each producer only their team's rows (another team's object: back to the index).
ADMIN = rule(PRODUCERS, anon="login", speaker="login", learner="login", enrolled="login")
ADMIN_TEAM = rule(TEAM, anon="login", speaker="login", learner="login", enrolled="login", outsider="3xx")
ADMIN_USERS = rule(
    {SUPER}, anon="login", speaker="login", learner="login", enrolled="login", outsider="403", producer="403"
)


def studio(names: str) -> tuple[str, ...]:
    """The URL names of the production tracker: ``studio("board history")``."""
    return tuple(f"production:{name}" for name in names.split())


TRACKER_CASES: list[Case] = [
    case("production:home", STUDIO_WIDE),
    case("production:postpone_all", STUDIO_WIDE),
    case("production:production_create", STUDIO_WIDE),
    case("production:calendar", STUDIO_WIDE),
    case("production:calendar_location", STUDIO_WIDE, lambda w, role: {"pk": w.extra["location"].pk}),
    case("production:calendar_move", STUDIO_TEAM, lambda w, role: {"kind": "session", "pk": w.session_a.pk}),
    case("production:calendar_move", STUDIO_TEAM, lambda w, role: {"kind": "pretalk", "pk": w.pretalk_a.pk}),
    case("production:locations", STUDIO_WIDE),
    case("production:feed_settings", STUDIO_WIDE),
    case("production:call_sheet", STUDIO_WIDE, _day("session_a"), label="team A's day"),
    case("production:call_sheet", STUDIO_WIDE, _day("session_b"), label="team B's day"),
    case(
        "production:call_sheet",
        NO_SUCH_FILTER,
        _day("session_a"),
        query="?location=999999999",
        label="unknown location",
    ),
    case("production:call_sheet_pdf", STUDIO_WIDE, _day("session_a"), label="team A's day"),
    case("production:call_sheet_pdf", STUDIO_WIDE, _day("session_b"), label="team B's day"),
    case("production:schedule_csv", STUDIO_WIDE),
    case("production:portfolio", STUDIO_WIDE),
    case("production:schedule_ics", STUDIO_WIDE),
    case("production:email_log", STUDIO_WIDE),
    case("production:email_resend", STUDIO_TEAM, lambda w, role: {"pk": w.extra["failed_email_a"].pk}),
    case(
        "production:email_resend",
        rule(
            {SUPER},
            anon="login",
            speaker="login",
            learner="403",
            enrolled="403",
            outsider="404",
            producer="404",
        ),
        lambda w, role: {"pk": w.extra["failed_learner_email"].pk},
        label="learner email of no production",
    ),
    *on_item(
        STUDIO_TEAM,
        "production_a",
        *studio("board production_edit postpone history session_create pretalk_create"),
    ),
    *on_item(
        STUDIO_TEAM,
        "session_a",
        *studio("session session_edit session_state session_hold session_add_speaker session_add_crew"),
    ),
    *on_item(
        STUDIO_TEAM,
        "pretalk_a",
        *studio("pretalk pretalk_edit pretalk_held pretalk_cancel pretalk_add_speaker"),
    ),
    *(
        case(f"production:{kind}_{action}", STUDIO_TEAM, with_speaker(f"{kind}_a"))
        for kind in ("session", "pretalk")
        for action in ("remove_speaker", "rsvp")
    ),
    case(
        "production:session_remove_crew",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.session_a.pk, "crew_id": w.crew_a.pk},
    ),
    case("production:script", STUDIO_TEAM, pk("script_a")),
    case(
        "production:script_file",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.script_a.pk, "version_id": w.script_version_a.pk},
    ),
    case("production:post_production", STUDIO_TEAM, pk("post_production_a")),
    case("production:hold", STUDIO_TEAM, lambda w, role: {"pk": w.extra["hold_a"].pk}),
    case("production:hold_undo", STUDIO_TEAM, lambda w, role: {"pk": w.extra["hold_a"].pk}),
    case("production:board_bulk", STUDIO_TEAM, pk("production_a")),
    case("production:board_bulk", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case(
        "production:board_cell",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.production_a.pk, "lecture_id": w.lecture.pk, "column": "captions"},
    ),
    case(
        "production:board_cell",
        mirror(STUDIO_TEAM),
        lambda w, role: {"pk": w.production_b.pk, "lecture_id": w.lecture_b.pk, "column": "captions"},
        label="team B",
    ),
    case("production:board", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    *on_item(STUDIO_TEAM, "production_a", "production:board_csv", "production:production_archive"),
    case("production:production_archive", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case("production:board_csv", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case("production:session", mirror(STUDIO_TEAM), pk("session_b"), label="team B"),
    case("production:script", mirror(STUDIO_TEAM), pk("script_b"), label="team B"),
]

MEDIA_CASES: list[Case] = [
    case("courses_media:index", STUDIO_WIDE),
    case("courses_media:lecture", STUDIO_TEAM, lambda w, role: {"lecture_id": w.lecture.pk}),
    case("courses_media:video_upload", STUDIO_TEAM, lambda w, role: {"lecture_id": w.lecture.pk}),
    case("courses_media:video_upload_start", STUDIO_JSON_TEAM, lambda w, role: {"lecture_id": w.lecture.pk}),
    case("courses_media:caption_upload", STUDIO_TEAM, lambda w, role: {"lecture_id": w.lecture.pk}),
    case("courses_media:video_complete", STUDIO_JSON_TEAM, lambda w, role: {"uid": w.video.uid}),
    case("courses_media:video_status", STUDIO_JSON_TEAM, lambda w, role: {"uid": w.video.uid}),
    case("courses_media:video_retry", STUDIO_TEAM, lambda w, role: {"uid": w.video.uid}),
    case("courses_media:video_delete", STUDIO_TEAM, lambda w, role: {"uid": w.video.uid}),
    case("courses_media:caption_delete", STUDIO_TEAM, lambda w, role: {"caption_id": w.caption.pk}),
    case(
        "courses_media:lecture",
        mirror(STUDIO_TEAM),
        lambda w, role: {"lecture_id": w.lecture_b.pk},
        label="team B",
    ),
]


def admin_page(name: str, policy, attr: str | None = None) -> Case:
    """An admin page, looked at (GET) only; a change page shows the world's object ``attr``."""
    kwargs = (lambda w, role: {"object_id": getattr(w, attr).pk}) if attr else None
    return case(f"admin:{name}", policy, kwargs, methods=("GET",))


def admin_model(model: str, attr: str, *, listing=ADMIN, change=ADMIN_TEAM) -> list[Case]:
    """A model's admin list, and its change page of the world's object ``attr``."""
    return [admin_page(f"{model}_changelist", listing), admin_page(f"{model}_change", change, attr)]


# A sample; every admin URL is covered by the same rules.
ADMIN_CASES: list[Case] = [
    admin_page("index", ADMIN),
    *admin_model("production_production", "production_a"),
    *admin_model("production_recordingsession", "session_a"),
    admin_page("production_historyentry_changelist", ADMIN),
    admin_page("courses_course_change", ADMIN_TEAM, "course_a"),
    *admin_model("courses_lecture", "lecture_draft"),
    *admin_model("courses_video", "video"),
    *admin_model("accounts_user", "other_learner", listing=ADMIN_USERS, change=ADMIN_USERS),
]
