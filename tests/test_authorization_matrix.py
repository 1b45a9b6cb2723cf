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

import pytest

from tests.authorization import api, learner, public, speaker, studio
from tests.authorization.policy import STUDIO_TEAM, case, nobody
from tests.support.authz import Case, MatrixRunner, walk_patterns
from tests.support.world import ANON, LEARNER, OUTSIDER, PRODUCER, SUPER, build_world

pytestmark = pytest.mark.django_db

SPEAKER_DIRECTORY_NAMES = {c.name for c in speaker.DIRECTORY}

CASES: list[Case] = [
    *public.CASES,
    *learner.CASES,
    *speaker.LINK_CASES,
    *studio.TRACKER_CASES,
    *studio.MEDIA_CASES,
    *api.CASES,
    *speaker.DIRECTORY,
    *studio.ADMIN_CASES,
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
        or c.name.split(":")[-1] in learner.API_ROUTES
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
        and c.name.split(":")[-1] not in learner.API_ROUTES
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
            nobody("403"),
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
