"""Every page a person reaches, in Chromium with the site's Content-Security-Policy in force: axe-core
(wcag2a, wcag2aa, wcag21a, wcag21aa, best-practice) reports no violation at all, of any impact, in
Dutch and English, on a laptop (1366 × 900) and a phone (390 × 844). A screenshot of each goes to
var/screenshots/every-page/ for review.

The pages are not listed by hand: they come from the authorization matrix (every URL pattern of the
resolver has a case there, tests/test_authorization_matrix.py), run against the same two-team world.
A page is every GET a role may make that answers 200 with HTML, for the role that uses it: visitors
(public pages), an enrolled learner, a speaker's personal link and a producer of the team. A new
page joins the sweep as soon as the matrix knows its URL. Django's admin and the API's Swagger page
are not ours to design and are left out (EXCLUDED)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from tests.e2e.axe import all_violations
from tests.e2e.browsing import log_in_by_cookie
from tests.e2e.screens import LAPTOP, PHONE, save_screenshot
from tests.support.world import ANON, ENROLLED, PRODUCER, SPEAKER, build_world
from tests.test_authorization_matrix import CASES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXCLUDED = {
    "admin:": "Django's admin: its own design",
    "api-docs": "the API's Swagger page: a third-party page for developers",
    "accounts:logout": "a GET would log the browser out",
    "set_language": "a redirect, not a page",
}
ROLES = {"public": ANON, "learner": ENROLLED, "speaker": SPEAKER, "studio": PRODUCER}
SIZES = {"laptop": LAPTOP, "phone": PHONE}


def _excluded(name: str) -> bool:
    return name.startswith(tuple(EXCLUDED))


def pages_for(world, role: str) -> list[tuple[str, str]]:
    """(title, path) of every HTML page ``role`` may GET, each path once."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    found: dict[str, str] = {}
    for case in CASES:
        if _excluded(case.name) or "2xx" not in case.expect.get(role, ()):
            continue
        if case.methods is not None and "GET" not in case.methods:
            continue
        path = reverse(case.name, kwargs=case.kwargs(world, role)) + case.query
        if path in found.values():
            continue
        response = client.get(path)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            found[case.title] = path
    return list(found.items())


@pytest.fixture
def world(hls_sample, settings, tmp_path):
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""
    return build_world(hls_sample=hls_sample)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("who", list(ROLES))
def test_every_page_has_no_accessibility_violation(live_server, new_context, world, who, language):
    role = ROLES[who]
    user = world.users.get(role)
    if user is not None:
        type(user).objects.filter(pk=user.pk).update(language=language)
    if role == SPEAKER:  # a speaker's page speaks the speaker's language, whatever the browser says
        type(world.speaker_1).objects.filter(pk=world.speaker_1.pk).update(language=language)
    pages = pages_for(world, role)
    assert len(pages) >= {"public": 8, "learner": 5, "speaker": 2, "studio": 20}[who], pages

    problems: dict[str, list[str]] = {}
    for size_name, size in SIZES.items():
        context = new_context(locale={"nl": "nl-NL", "en": "en-GB"}[language], viewport=size)
        if user is not None:
            log_in_by_cookie(context, live_server.url, user)
        page = context.new_page()
        csp_errors: list[str] = []
        page.on(
            "console",
            lambda msg, errors=csp_errors: (
                errors.append(msg.text)
                if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
                else None
            ),
        )
        for title, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{title} {path}: {response.status}"
            assert response.headers.get("content-security-policy"), f"{title}: no CSP header"
            assert page.evaluate("document.documentElement.lang").startswith(language), f"{title} {path}"
            page.wait_for_load_state("networkidle")
            save_screenshot(page, f"every-page/{who}-{language}-{size_name}-{urlparse(path).path}")
            found = all_violations(page) + [f"CSP: {e}" for e in csp_errors]
            csp_errors.clear()
            if found:
                problems[f"{size_name} {title} {path}"] = found
        context.close()
    assert not problems, "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items())


def test_the_sweep_finds_the_pages_of_every_role(world):
    """The sweep cannot pass by finding nothing: each role's list holds its main pages."""
    paths = {role: {path for _title, path in pages_for(world, ROLES[role])} for role in ROLES}
    assert "/" in paths["public"] and "/accounts/signup/" in paths["public"]
    assert "/my/courses/" in paths["learner"]
    assert f"/courses/{world.course_a.slug}/lectures/{world.lecture.slug}/" in paths["learner"]
    assert any(p.startswith("/s/") for p in paths["speaker"])
    assert "/studio/" in paths["studio"]
    assert f"/studio/productions/{world.production_a.pk}/" in paths["studio"]


def test_the_checker_reports_a_minor_violation_too(page):
    page.set_content('<html lang="nl"><body><div>no landmark</div><h3>skipped levels</h3></body></html>')
    found = all_violations(page)
    assert any(line.startswith("region") for line in found), found
