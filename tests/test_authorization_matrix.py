"""The authorization matrix: every URL pattern (walked from Django's resolver) × every role ×
its methods, against the policy below. A success where the policy says deny is a LEAK; a denied
request that changed any row of a domain table is a WRITE; a response that shows somebody else's
data (another learner, another team's production, another speaker) is DATA. A new URL pattern the
matrix does not know fails the coverage test, so the matrix cannot silently rot.

THE POLICY, in words:
- Studio pages (/studio/..., /studio/media/...) and the production API: producers only. Anonymous
  visitors (and speakers, who have no account) go to the login page (pages) or get 401 (API);
  learners get 403. Items of a production — its board, sessions, pre-talks, script parts,
  post-production, lectures' media — only for its team and superusers: a producer outside the team
  gets 404 (the item does not exist for them). Studio-wide pages (overviews, calendar, the speaker
  and location directories, the email log, feed settings) are open to every producer but list only
  what their own productions hold.
- Learner pages: the catalog and published course pages are public; the dashboard, preferences,
  heartbeats and the learner API need a login and only ever show the caller's own data; lectures
  play for enrolled learners (others are sent to the course page) and for the course's producer team
  (preview, drafts too; page, playback API and media follow one rule, courses/permissions.py); media
  only through a signed link made for that very user (a producer's preview link only for their
  team's courses); heartbeats only with the playback token issued to that learner. The lean heartbeat
  (/progress/beat/, ADR 0009) takes no session at all: its playback token is a capability that
  works for whoever holds it (it can only report that learner's progress in that lecture).
- The speaker's personal link shows only that speaker's items: another speaker's session is a 404,
  an unknown link a 404.
- Capability URLs (certificate verification, unsubscribe links, the producer's calendar feed,
  password-reset links) work for whoever holds the unguessable token; a forged token is a 404.
- Accounts pages, the health check, language switch and the OpenAPI schema/docs are public.
- Django admin: staff only; producers are staff for the catalog and production models and see only
  their team's rows there too (another team's object sends them back to the admin index); user
  accounts are for superusers. Checked on a sample of admin pages.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import resolve
from django.utils import timezone

from courses.learning import progress
from courses.learning.services import unsubscribe_token
from courses.media import access as media_access
from tests.support.authz import SUCCESS, Case, MatrixRunner, walk_patterns
from tests.support.world import (
    ANON,
    ENROLLED,
    LEARNER,
    OUTSIDER,
    PRODUCER,
    ROLES,
    SPEAKER,
    SUPER,
    build_world,
)

pytestmark = pytest.mark.django_db

ALL_USERS = {LEARNER, ENROLLED, OUTSIDER, PRODUCER, SUPER}
PRODUCERS = {OUTSIDER, PRODUCER, SUPER}
TEAM = {PRODUCER, SUPER}


def rule(allow, get_ok=("2xx",), **deny):
    """Roles in ``allow`` succeed (GET: ``get_ok``; writes: any outcome of an authorised call —
    success, redirect, validation error); every other role gets the outcome named in ``deny``
    (keys: anon, learner, enrolled, speaker, outsider)."""
    names = {"anon": ANON, "learner": LEARNER, "enrolled": ENROLLED, "speaker": SPEAKER, "outsider": OUTSIDER}
    names |= {"producer": PRODUCER, "superuser": SUPER}
    denied = {
        names[key]: frozenset(value if isinstance(value, tuple) else (value,)) for key, value in deny.items()
    }
    expect, write = {}, {}
    for role in ROLES:
        if role in allow:
            expect[role], write[role] = frozenset(get_ok), SUCCESS
        else:
            expect[role] = write[role] = denied[role]
    missing = [role for role in ROLES if role not in expect]
    assert not missing, missing
    return expect, write


STUDIO_TEAM = rule(TEAM, anon="login", speaker="login", learner="403", enrolled="403", outsider="404")
STUDIO_WIDE = rule(PRODUCERS, anon="login", speaker="login", learner="403", enrolled="403")
STUDIO_JSON_TEAM = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="404")
API_TEAM = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="404")
API_WIDE = rule(PRODUCERS, anon="401", speaker="401", learner="403", enrolled="403")
PUBLIC = rule(set(ROLES), get_ok=("2xx", "3xx"))
NOBODY = rule(
    set(),
    anon="404",
    speaker="404",
    learner="404",
    enrolled="404",
    outsider="404",
    producer="404",
    superuser="404",
)
# The certificate PDF: its owner only (the world's certificate is another learner's, so no role here
# owns it; tests/courses/learning/test_certificate_sheet.py has the owner); either team too: 404 (ADR 0028).
OWNER_PDF = rule(
    set(),
    anon="login",
    speaker="login",
    **dict.fromkeys(("learner", "enrolled", "outsider", "producer", "superuser"), "404"),
)
LOGGED_IN_PAGE = rule(ALL_USERS, get_ok=("2xx", "3xx"), anon="login", speaker="login")
LOGGED_IN_API = rule(ALL_USERS, anon="401", speaker="401")
# Producers are staff with the catalog and production models (omooc.accounts.services.producer_grant);
# the admin shows each producer only their team's rows (another team's object: back to the index).
ADMIN = rule(PRODUCERS, anon="login", speaker="login", learner="login", enrolled="login")
ADMIN_TEAM = rule(TEAM, anon="login", speaker="login", learner="login", enrolled="login", outsider="3xx")
ADMIN_USERS = rule(
    {SUPER}, anon="login", speaker="login", learner="login", enrolled="login", outsider="403", producer="403"
)


def mirror(policy):
    """The same rule for production B: its team is the other producer's."""

    def swap(table):
        return table | {PRODUCER: table[OUTSIDER], OUTSIDER: table[PRODUCER]}

    return tuple(swap(table) for table in policy)


def case(name, policy, kwargs=None, **options) -> Case:
    expect, write = policy
    return Case(
        name=name, expect=expect, expect_write=write, kwargs=kwargs or (lambda w, role: {}), **options
    )


def poster_key(w):
    from courses.catalog.posters import image_key

    return image_key(w.video.poster_name)


def pk(attr):
    return lambda w, role: {"pk": getattr(w, attr).pk}


def _day(session_attr):
    """The call sheet of the studio day on which a session of the world starts."""
    return lambda w, role: {"day": timezone.localtime(getattr(w, session_attr).starts_at).date().isoformat()}


# A studio-wide page asked for a filter value that does not exist: the page does not exist either.
NO_SUCH_FILTER = rule(
    set(),
    anon="login",
    speaker="login",
    learner="403",
    enrolled="403",
    outsider="404",
    producer="404",
    superuser="404",
)


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


def _speaker(target_attr=None, **fixed):
    """The speaker-link role uses its own token; everybody else holds no link, so a forged one."""

    def kwargs(w, role):
        out = {"token": w.speaker_token if role == SPEAKER else "forged-" + "x" * 24}
        if target_attr:
            out |= fixed | {"pk": getattr(w, target_attr).pk}
        return out

    return kwargs


def _feed(w, role):
    token = {PRODUCER: w.feed_a.token, OUTSIDER: w.feed_outsider.token, LEARNER: w.extra["lapsed_feed"].token}
    return {"token": token.get(role, "forged-feed-token")}


SPEAKER_PAGE = rule(
    {SPEAKER}, anon="404", learner="404", enrolled="404", outsider="404", producer="404", superuser="404"
)
FEED = rule({PRODUCER, OUTSIDER}, anon="404", speaker="404", learner="404", enrolled="404", superuser="404")
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
HEARTBEAT_NO_TOKEN = rule(
    set(),
    anon="403",
    speaker="403",
    learner="403",
    enrolled="403",
    outsider="403",
    producer="403",
    superuser="403",
)
HEARTBEAT = rule(
    {ENROLLED}, anon="403", speaker="403", learner="403", outsider="403", producer="403", superuser="403"
)


def _heartbeat(w, role):
    """Everybody posts the enrolled learner's playback token (it is bound to that learner)."""
    token = progress.playback_token(
        enrollment_id=w.enrollment.pk, lecture_id=w.lecture.pk, user_id=w.users[ENROLLED].pk, duration=4
    )
    return {"token": token, "position": "2", "played_from": "0", "event": "tick"}


# The speaker directory (ADR 0013). Every producer finds every speaker (to put them on a session) and
# sees their contact details, but only the items of their own team's productions. Contact details may
# be changed, and personal links withdrawn, only by the producers of every production the speaker works
# with (a speaker on nothing yet: by whoever added them); superusers always. A new link may be emailed
# (to the stored address) by any team the speaker works with.
SPEAKER_OWNERS = rule(TEAM, anon="login", speaker="login", learner="403", enrolled="403", outsider="403")
SPEAKER_SUPERUSER_ONLY = rule(
    {SUPER}, anon="login", speaker="login", learner="403", enrolled="403", outsider="403", producer="403"
)
API_SPEAKER_OWNERS = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="403")
API_SPEAKER_SUPERUSER_ONLY = rule(
    {SUPER}, anon="401", speaker="401", learner="403", enrolled="403", outsider="403", producer="403"
)


def _speaker_pk(name):
    return lambda w, role: {"pk": w.extra[name].pk}


_SPEAKERS = (
    # (kwargs, label, manage: edit/withdraw links, send: email a new link)
    (pk("speaker_1"), "", SPEAKER_OWNERS, SPEAKER_OWNERS),
    (pk("speaker_2"), "team B's speaker", mirror(SPEAKER_OWNERS), mirror(SPEAKER_OWNERS)),
    (_speaker_pk("shared_speaker"), "shared by both teams", SPEAKER_SUPERUSER_ONLY, STUDIO_WIDE),
    (_speaker_pk("new_speaker"), "on nothing yet, added by team A", SPEAKER_OWNERS, SPEAKER_OWNERS),
)
_API_MANAGE = {
    "": API_SPEAKER_OWNERS,
    "team B's speaker": mirror(API_SPEAKER_OWNERS),
    "shared by both teams": API_SPEAKER_SUPERUSER_ONLY,
    "on nothing yet, added by team A": API_SPEAKER_OWNERS,
}

SPEAKER_DIRECTORY: list[Case] = [
    Case(name="production:speakers", expect=STUDIO_WIDE[0], expect_write=STUDIO_WIDE[1]),
    Case(
        name="production:speakers",
        expect=STUDIO_WIDE[0],
        query="?q=Sprekertje",
        label="search",
        methods=("GET",),
    ),
    Case(name="production:speaker_create", expect=STUDIO_WIDE[0], expect_write=STUDIO_WIDE[1]),
    Case(name="v1:speaker-list", expect=API_WIDE[0], expect_write=API_WIDE[1]),
]
for _kwargs, _label, _manage, _send in _SPEAKERS:
    SPEAKER_DIRECTORY += [
        Case("production:speaker", STUDIO_WIDE[0], _kwargs, STUDIO_WIDE[1], _label),
        Case("production:speaker_edit", _manage[0], _kwargs, _manage[1], _label),
        Case("production:email_speaker", STUDIO_WIDE[0], _kwargs, STUDIO_WIDE[1], _label),
        Case("production:speaker_links_revoke", _manage[0], _kwargs, _manage[1], _label),
        Case("production:speaker_link_send", _send[0], _kwargs, _send[1], _label),
        Case("v1:speaker-detail", API_WIDE[0], _kwargs, _API_MANAGE[_label][1], _label),
    ]
SPEAKER_DIRECTORY_NAMES = {c.name for c in SPEAKER_DIRECTORY}


def lecture_kwargs(attr):
    return lambda w, role: {"slug": w.course_a.slug, "lecture_slug": getattr(w, attr).slug}


CASES: list[Case] = [
    # --- public -----------------------------------------------------------------------------
    case("healthz", PUBLIC),
    case("styleguide", STUDIO_WIDE),  # the living style page: staff (producers, administrators)
    case("set_language", PUBLIC),
    case("schema", PUBLIC, methods=("GET",)),
    case("api-docs", PUBLIC),
    case("accounts:signup", PUBLIC),
    case("accounts:signup_sent", PUBLIC),
    case(
        "accounts:signup_confirm",
        rule(
            set(),
            **dict.fromkeys(
                ("anon", "speaker", "learner", "enrolled", "outsider", "producer", "superuser"), "400"
            ),
        ),
        lambda w, role: {"uidb64": "MQ", "token": "forged-token"},
        label="forged link",
    ),
    case("accounts:login", PUBLIC),
    case("accounts:logout", PUBLIC),
    case("accounts:password_reset", PUBLIC),
    case("accounts:password_reset_done", PUBLIC),
    case(
        "accounts:password_reset_confirm", PUBLIC, lambda w, role: {"uidb64": "MQ", "token": "forged-token"}
    ),
    case("accounts:password_reset_complete", PUBLIC),
    case("v1:auth-token", PUBLIC),
    case("home", PUBLIC),
    case("courses:course_detail", PUBLIC, lambda w, role: {"slug": w.course_a.slug}),
    case(
        "courses:course_detail", NOBODY, lambda w, role: {"slug": w.course_draft.slug}, label="draft course"
    ),
    # Public images (ADR 0027): a published course's poster; nothing of a draft, nothing unknown.
    case("courses:course_poster", PUBLIC, lambda w, role: {"slug": w.course_a.slug, "key": poster_key(w)}),
    case(
        "courses:course_poster",
        NOBODY,
        lambda w, role: {"slug": w.course_draft.slug, "key": "0" * 16},
        label="draft course",
    ),
    case(
        "courses:presenter_photo", NOBODY, lambda w, role: {"slug": w.course_a.slug, "pk": 1, "key": "0" * 16}
    ),
    case("v1:course-list", PUBLIC),
    case("v1:course-detail", PUBLIC, lambda w, role: {"slug": w.course_a.slug}),
    case("v1:course-detail", NOBODY, lambda w, role: {"slug": w.course_draft.slug}, label="draft course"),
    # --- capability URLs --------------------------------------------------------------------
    case("courses:certificate_verify", PUBLIC, lambda w, role: {"uid": w.certificate.uid}, public_names=True),
    case("courses:certificate_pdf", OWNER_PDF, lambda w, role: {"uid": w.certificate.uid}, public_names=True),
    case("courses:certificate_verify", NOBODY, lambda w, role: {"uid": uuid.uuid4()}, label="forged uid"),
    case("courses:certificate_pdf", OWNER_PDF, lambda w, role: {"uid": uuid.uuid4()}, label="forged uid"),
    case(
        "courses:unsubscribe",
        PUBLIC,
        lambda w, role: {"token": unsubscribe_token(user_id=w.users[ENROLLED].pk, kind="nudges")},
    ),
    case("courses:unsubscribe", NOBODY, lambda w, role: {"token": "forged:token"}, label="forged token"),
    case("production:feed", FEED, _feed),
    # --- learner pages and API --------------------------------------------------------------
    case("courses:dashboard", LOGGED_IN_PAGE),
    case("courses:email_preferences", LOGGED_IN_PAGE),
    case("courses:enroll", ENROLL, lambda w, role: {"slug": w.course_a.slug}),
    case(
        "courses:enroll",
        rule(
            set(),
            anon="login",
            speaker="login",
            learner="404",
            enrolled="404",
            outsider="404",
            producer="404",
            superuser="404",
        ),
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
        rule(
            set(),
            anon="401",
            speaker="401",
            learner="404",
            enrolled="404",
            outsider="404",
            producer="404",
            superuser="404",
        ),
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
    # --- speaker's personal link ------------------------------------------------------------
    case("speaker:page", SPEAKER_PAGE, _speaker()),
    case("speaker:answer", SPEAKER_PAGE, _speaker("session_a", target="session")),
    case("speaker:answer", NOBODY, _speaker("session_b", target="session"), label="another speaker's"),
    case("speaker:answer", SPEAKER_PAGE, _speaker("pretalk_a", target="pretalk"), label="pre-talk"),
    case("speaker:ics", SPEAKER_PAGE, _speaker("session_a", target="session")),
    case("speaker:ics", NOBODY, _speaker("session_b", target="session"), label="another speaker's"),
    case("speaker:ics", NOBODY, _speaker("pretalk_b", target="pretalk"), label="another speaker's pre-talk"),
    case("speaker:script", SPEAKER_PAGE, _speaker("script_a")),
    case("speaker:script", NOBODY, _speaker("script_b"), label="another speaker's"),
    case("speaker:feed", SPEAKER_PAGE, _speaker()),
    case("speaker:page", NOBODY, lambda w, role: {"token": w.extra["revoked_token"]}, label="withdrawn link"),
    case("speaker:feed", NOBODY, lambda w, role: {"token": w.extra["revoked_token"]}, label="withdrawn link"),
    # --- studio: production tracker ---------------------------------------------------------
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
    case("production:board", STUDIO_TEAM, pk("production_a")),
    case("production:production_edit", STUDIO_TEAM, pk("production_a")),
    case("production:postpone", STUDIO_TEAM, pk("production_a")),
    case("production:history", STUDIO_TEAM, pk("production_a")),
    case("production:session_create", STUDIO_TEAM, pk("production_a")),
    case("production:pretalk_create", STUDIO_TEAM, pk("production_a")),
    case("production:session", STUDIO_TEAM, pk("session_a")),
    case("production:session_edit", STUDIO_TEAM, pk("session_a")),
    case("production:session_state", STUDIO_TEAM, pk("session_a")),
    case("production:session_hold", STUDIO_TEAM, pk("session_a")),
    case("production:hold", STUDIO_TEAM, lambda w, role: {"pk": w.extra["hold_a"].pk}),
    case("production:hold_undo", STUDIO_TEAM, lambda w, role: {"pk": w.extra["hold_a"].pk}),
    case("production:session_add_speaker", STUDIO_TEAM, pk("session_a")),
    case("production:session_add_crew", STUDIO_TEAM, pk("session_a")),
    case(
        "production:session_remove_speaker",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.session_a.pk, "speaker_id": w.speaker_1.pk},
    ),
    case(
        "production:session_rsvp",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.session_a.pk, "speaker_id": w.speaker_1.pk},
    ),
    case(
        "production:session_remove_crew",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.session_a.pk, "crew_id": w.crew_a.pk},
    ),
    case("production:pretalk", STUDIO_TEAM, pk("pretalk_a")),
    case("production:pretalk_edit", STUDIO_TEAM, pk("pretalk_a")),
    case("production:pretalk_held", STUDIO_TEAM, pk("pretalk_a")),
    case("production:pretalk_cancel", STUDIO_TEAM, pk("pretalk_a")),
    case("production:pretalk_add_speaker", STUDIO_TEAM, pk("pretalk_a")),
    case(
        "production:pretalk_remove_speaker",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.pretalk_a.pk, "speaker_id": w.speaker_1.pk},
    ),
    case(
        "production:pretalk_rsvp",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.pretalk_a.pk, "speaker_id": w.speaker_1.pk},
    ),
    case("production:script", STUDIO_TEAM, pk("script_a")),
    case(
        "production:script_file",
        STUDIO_TEAM,
        lambda w, role: {"pk": w.script_a.pk, "version_id": w.script_version_a.pk},
    ),
    case("production:post_production", STUDIO_TEAM, pk("post_production_a")),
    case("production:board", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case("production:board_csv", STUDIO_TEAM, pk("production_a")),
    case("production:production_archive", STUDIO_TEAM, pk("production_a")),
    case("production:production_archive", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case("production:board_csv", mirror(STUDIO_TEAM), pk("production_b"), label="team B"),
    case("production:session", mirror(STUDIO_TEAM), pk("session_b"), label="team B"),
    case("production:script", mirror(STUDIO_TEAM), pk("script_b"), label="team B"),
    # --- studio: media ------------------------------------------------------------------------
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
    # --- production API -----------------------------------------------------------------------
    case("v1:production-list", API_WIDE),
    case("v1:production-postpone-all", API_WIDE),
    case("v1:production-detail", API_TEAM, pk("production_a")),
    case("v1:production-board", API_TEAM, pk("production_a")),
    case("v1:production-history", API_TEAM, pk("production_a")),
    case("v1:production-postpone", API_TEAM, pk("production_a")),
    case("v1:location-list", API_WIDE),
    case("v1:location-detail", API_WIDE, lambda w, role: {"pk": w.extra["location"].pk}),
    case("v1:session-list", API_WIDE),
    case("v1:session-detail", API_TEAM, pk("session_a")),
    case("v1:session-add-speaker", API_TEAM, pk("session_a")),
    case("v1:session-crew", API_TEAM, pk("session_a")),
    case("v1:session-hold", API_TEAM, pk("session_a")),
    case("v1:session-remove-speaker", API_TEAM, pk("session_a")),
    case("v1:session-response", API_TEAM, pk("session_a")),
    case("v1:session-transition", API_TEAM, pk("session_a")),
    case("v1:pretalk-list", API_WIDE),
    case("v1:pretalk-detail", API_TEAM, pk("pretalk_a")),
    case("v1:pretalk-cancel", API_TEAM, pk("pretalk_a")),
    case("v1:pretalk-held", API_TEAM, pk("pretalk_a")),
    case("v1:pretalk-response", API_TEAM, pk("pretalk_a")),
    case("v1:script-part-detail", API_TEAM, pk("script_a")),
    case("v1:script-part-transition", API_TEAM, pk("script_a")),
    case("v1:script-part-versions", API_TEAM, pk("script_a")),
    case("v1:post-production-detail", API_TEAM, pk("post_production_a")),
    case("v1:production-detail", mirror(API_TEAM), pk("production_b"), label="team B"),
    case("v1:session-detail", mirror(API_TEAM), pk("session_b"), label="team B"),
    case("v1:pretalk-detail", mirror(API_TEAM), pk("pretalk_b"), label="team B"),
    # --- speaker directory (ADR 0013): two teams, every page, action and API route ------------
    *SPEAKER_DIRECTORY,
    # --- Django admin (a sample; every admin URL is covered by the same rules) -----------------
    case("admin:index", ADMIN, methods=("GET",)),
    case("admin:production_production_changelist", ADMIN, methods=("GET",)),
    case(
        "admin:production_production_change",
        ADMIN_TEAM,
        lambda w, role: {"object_id": w.production_a.pk},
        methods=("GET",),
    ),
    case("admin:production_recordingsession_changelist", ADMIN, methods=("GET",)),
    case(
        "admin:production_recordingsession_change",
        ADMIN_TEAM,
        lambda w, role: {"object_id": w.session_a.pk},
        methods=("GET",),
    ),
    case("admin:production_historyentry_changelist", ADMIN, methods=("GET",)),
    case(
        "admin:courses_course_change",
        ADMIN_TEAM,
        lambda w, role: {"object_id": w.course_a.pk},
        methods=("GET",),
    ),
    case("admin:courses_lecture_changelist", ADMIN, methods=("GET",)),
    case(
        "admin:courses_lecture_change",
        ADMIN_TEAM,
        lambda w, role: {"object_id": w.lecture_draft.pk},
        methods=("GET",),
    ),
    case("admin:courses_video_changelist", ADMIN, methods=("GET",)),
    case(
        "admin:courses_video_change", ADMIN_TEAM, lambda w, role: {"object_id": w.video.pk}, methods=("GET",)
    ),
    case("admin:accounts_user_changelist", ADMIN_USERS, methods=("GET",)),
    case(
        "admin:accounts_user_change",
        ADMIN_USERS,
        lambda w, role: {"object_id": w.other_learner.pk},
        methods=("GET",),
    ),
]

# URL patterns covered by a rule instead of a case of their own.
RULES = {"admin:": "Django admin: checked on a sample of index, changelist and change pages"}

GROUPS = {
    "public and capability URLs": lambda c: (
        not c.name.startswith(("v1:", "production:", "courses_media:", "speaker:", "admin:", "courses:"))
        or c.name.startswith(("courses:certificate", "courses:unsubscribe", "production:feed"))
        and c.name != "production:feed_settings"
    ),
    "learner pages and API": lambda c: (
        (
            c.name.startswith("courses:")
            and not c.name.startswith(("courses:certificate", "courses:unsubscribe"))
        )
        or c.name.split(":")[-1]
        in (
            "me",
            "enrollment-list",
            "enrollment-detail",
            "lecture-playback",
            "progress",
            "course-list",
            "course-detail",
            "auth-token",
        )
    ),
    "speaker link": lambda c: c.name.startswith("speaker:"),
    "speaker directory": lambda c: c.name in SPEAKER_DIRECTORY_NAMES,
    "studio tracker": lambda c: (
        c.name.startswith("production:")
        and c.name != "production:feed"
        and c.name not in SPEAKER_DIRECTORY_NAMES
    ),
    "studio media": lambda c: c.name.startswith("courses_media:"),
    "production API": lambda c: (
        c.name.startswith("v1:")
        and c.name not in SPEAKER_DIRECTORY_NAMES
        and c.name.split(":")[-1]
        not in (
            "me",
            "enrollment-list",
            "enrollment-detail",
            "lecture-playback",
            "progress",
            "course-list",
            "course-detail",
            "auth-token",
        )
    ),
    "admin": lambda c: c.name.startswith("admin:"),
}


def uncovered() -> tuple[list[str], list[str]]:
    """URL patterns without a case (and not under a rule), and cases whose pattern is gone."""
    known = {c.name for c in CASES}
    names = {name for name, _route, _view in walk_patterns()}
    unknown = sorted(n for n in names if n not in known and not n.startswith(tuple(RULES)))
    stale = sorted(n for n in known if n not in names)
    return unknown, stale


def test_every_url_pattern_has_a_place_in_the_matrix():
    unknown, stale = uncovered()
    assert not unknown, (
        f"URL patterns the authorization matrix does not know (add a case with its policy): {unknown}"
    )
    assert not stale, f"cases for URL patterns that no longer exist: {stale}"


@pytest.mark.urls("tests.support.leaky_urls")
def test_a_new_url_pattern_without_a_policy_is_reported():
    unknown, _stale = uncovered()
    assert unknown == ["leak", "sneaky"]


def test_every_case_belongs_to_exactly_one_group():
    for c in CASES:
        groups = [name for name, member in GROUPS.items() if member(c)]
        assert len(groups) == 1, (c.title, groups)


@pytest.fixture(scope="session")
def hls_sample(tmp_path_factory):
    from tests.courses.learning.media import make_hls

    return make_hls(tmp_path_factory.mktemp("authz-hls") / "sample", duration=4)


@pytest.fixture
def world(hls_sample, settings, tmp_path):
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""
    return build_world(hls_sample=hls_sample)


@pytest.mark.parametrize("group", list(GROUPS))
def test_no_role_reaches_what_the_policy_denies(group, world):
    cases = [c for c in CASES if GROUPS[group](c)]
    report = MatrixRunner(world).run(cases)
    checked = len(report.cells)
    print(f"\n{group}: {checked} checks\n" + report.table())
    assert checked, "nothing was checked"
    assert not report.problems, f"{len(report.problems)} problem(s) in {group}:\n" + report.explain()


@pytest.mark.urls("tests.support.leaky_urls")
def test_the_matrix_catches_a_leak_a_denied_write_and_someone_elses_data(world):
    cases = [
        case("leak", STUDIO_TEAM),
        case(
            "sneaky",
            rule(
                set(),
                **{
                    k: "403"
                    for k in ("anon", "speaker", "learner", "enrolled", "outsider", "producer", "superuser")
                },
            ),
        ),
    ]
    report = MatrixRunner(world).run(cases)
    found = {(c.case.name, c.method, c.role): c.problem for c in report.problems}
    assert found[("leak", "GET", ANON)] == "LEAK"
    assert found[("leak", "GET", LEARNER)] == "LEAK"
    assert found[("leak", "POST", OUTSIDER)] == "LEAK"
    assert found[("leak", "GET", PRODUCER)] == "DATA"  # allowed, but shows another learner
    assert ("leak", "GET", SUPER) not in found  # superusers may see everyone
    assert found[("sneaky", "POST", LEARNER)] == "WRITE"
    assert ("sneaky", "GET", LEARNER) not in found
    assert "LEAK" in report.explain() and "anonymous" in report.table()
