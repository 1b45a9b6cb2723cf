"""Public pages and capability URLs: open to everyone, or to whoever holds the unguessable token."""

from __future__ import annotations

import uuid

from courses.learning.services import unsubscribe_token
from tests.authorization.policy import NOBODY, PUBLIC, STUDIO_WIDE, case, nobody, rule
from tests.support.authz import Case
from tests.support.world import ENROLLED, LEARNER, OUTSIDER, PRODUCER


def _feed(w, role):
    token = {PRODUCER: w.feed_a.token, OUTSIDER: w.feed_outsider.token, LEARNER: w.extra["lapsed_feed"].token}
    return {"token": token.get(role, "forged-feed-token")}


# The certificate PDF: its owner only (the world's certificate is another learner's, so no role here
# owns it; tests/courses/learning/test_certificate_sheet.py has the owner); either team too: 404 (ADR 0028).
OWNER_PDF = nobody("404", anon="login", speaker="login")


def poster_key(w):
    from courses.catalog.posters import image_key

    return image_key(w.video.poster_name)


FEED = rule({PRODUCER, OUTSIDER}, anon="404", speaker="404", learner="404", enrolled="404", superuser="404")

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
        nobody("400"),
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
]
