"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os

import pytest

from tests.support.factory_fixtures import closing_each
from tests.support.learning import progress_buffer  # noqa: F401 - the ``_progress_buffer`` fixture

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser):
    """Factory for fresh browser contexts (a new device: no cookies, no storage)."""

    def make(*, locale: str = "nl-NL", **kwargs):
        context = browser.new_context(locale=locale, **kwargs)
        context.set_default_timeout(15_000)
        return context

    yield from closing_each(make, close=lambda context: context.close())


@pytest.fixture
def page_as(live_server, new_context):
    """Factory: a new page in a fresh context (``new_context``'s options) where ``user`` is logged in
    by a session cookie."""
    from tests.e2e.browsing import log_in_by_cookie

    def open_page(user, **options):
        context = new_context(**options)
        log_in_by_cookie(context, live_server.url, user)
        return context.new_page()

    return open_page


@pytest.fixture
def page(new_context):
    page = new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    return page


# --- Learner pages with realistic content, shared by the accessibility and phone tests ---------


@pytest.fixture(scope="module")
def hls_sample(tmp_path_factory):
    from tests.courses.learning.media import make_hls

    return make_hls(tmp_path_factory.mktemp("hls") / "sample", duration=8)


@pytest.fixture
def learning_world():
    """A published course with a theme, three lectures (one watched, one not yet released) and a
    learner enrolled in it and in a completed course with a certificate."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.learning.services import certificate_issue, enrollment_create
    from tests.factories import CourseFactory, LectureFactory, ThemeFactory, UserFactory, watched_until

    theme = ThemeFactory(name="Digitale overheid")
    course = CourseFactory(
        title="Publiek leiderschap", theme=theme, summary="Leiding geven in de publieke sector."
    )
    CourseFactory(title="Samenwerken met startups", theme=theme)
    lectures = [
        LectureFactory(course=course, position=1, title="Gebruikers centraal"),
        LectureFactory(course=course, position=2, title="Aanbesteden"),
        LectureFactory(
            course=course, position=3, title="Data delen", release_at=timezone.now() + timedelta(days=3)
        ),
    ]
    learner = UserFactory(full_name="Noor Jansen")
    enrollment = enrollment_create(user=learner, course=course)
    watched_until(
        enrollment, lectures[0], seconds=7, duration=8, at=timezone.now(), completed_at=timezone.now()
    ).save()
    enrollment.last_lecture = lectures[1]
    enrollment.last_position_seconds = 3
    enrollment.last_activity_at = timezone.now()
    enrollment.save()
    finished = CourseFactory(title="Data en ethiek")
    LectureFactory(course=finished, position=1)
    certificate_issue(enrollment=enrollment_create(user=learner, course=finished))
    return {"course": course, "lectures": lectures, "learner": learner}
