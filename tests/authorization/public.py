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
    case("v1:course-list", PUBLIC),
    case("v1:course-detail", PUBLIC, lambda w, role: {"slug": w.course_a.slug}),
    case("v1:course-detail", NOBODY, lambda w, role: {"slug": w.course_draft.slug}, label="draft course"),
    # --- capability URLs --------------------------------------------------------------------
    case("courses:certificate_verify", PUBLIC, lambda w, role: {"uid": w.certificate.uid}, public_names=True),
    case("courses:certificate_pdf", PUBLIC, lambda w, role: {"uid": w.certificate.uid}, public_names=True),
    case("courses:certificate_verify", NOBODY, lambda w, role: {"uid": uuid.uuid4()}, label="forged uid"),
    case("courses:certificate_pdf", NOBODY, lambda w, role: {"uid": uuid.uuid4()}, label="forged uid"),
    case(
        "courses:unsubscribe",
        PUBLIC,
        lambda w, role: {"token": unsubscribe_token(user_id=w.users[ENROLLED].pk, kind="nudges")},
    ),
    case("courses:unsubscribe", NOBODY, lambda w, role: {"token": "forged:token"}, label="forged token"),
    case("production:feed", FEED, _feed),
]
