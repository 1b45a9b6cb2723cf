"""Issue 13 in Chromium: the catalog (posters, language, level) and the course page (poster and
trailer, goals, effort, speakers with photo and bio, syllabus by module with the learner's progress)
at 1366 × 900 and 390 × 844, in English and Dutch: every image loads from the public route, nothing
scrolls sideways, and axe-core finds nothing. Screenshots go to var/screenshots/ for review."""

from __future__ import annotations

import time

import pytest

from tests.e2e.axe import all_violations
from tests.e2e.browsing import log_in_by_cookie
from tests.e2e.screens import LAPTOP, PHONE, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"goals": "What you will learn", "speakers": "Speakers", "trailer": "Watch the first lecture"},
    "nl": {"goals": "Wat je leert", "speakers": "Sprekers", "trailer": "Bekijk het eerste college"},
}


@pytest.fixture
def course_world():
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from courses.catalog.services import Presenter, lecture_presenters_set
    from courses.learning.services import enrollment_create
    from courses.models import Course, LectureProgress, Module, PresenterProfile
    from tests.courses.catalog.images import image_bytes, ready_video_with_poster
    from tests.factories import CourseFactory, LectureFactory, ThemeFactory, UserFactory

    theme = ThemeFactory(name="Digitale overheid")
    course = CourseFactory(
        title="Publiek leiderschap",
        theme=theme,
        summary="Leiding geven in de publieke sector.",
        level=Course.Level.INTRODUCTORY,
        goals="Plan a user study in five days\nBuy software without regret\nShare data between organisations",
        effort_hours_per_week=2,
        effort_weeks=4,
        poster_alt="Three managers around a whiteboard",
    )
    course.poster.save("poster.png", ContentFile(image_bytes("PNG", (960, 540), (11, 92, 173))))
    basics = Module.objects.create(course=course, position=1, title="Basics")
    practice = Module.objects.create(course=course, position=2, title="In practice")
    lectures = [
        LectureFactory(
            course=course, module=basics, position=1, title="Gebruikers centraal", duration_seconds=600
        ),
        LectureFactory(course=course, module=basics, position=2, title="Aanbesteden", duration_seconds=900),
        LectureFactory(course=course, module=practice, position=3, title="Data delen", duration_seconds=1200),
    ]
    ready_video_with_poster(lectures[0])
    for lecture in lectures:
        lecture_presenters_set(
            lecture=lecture,
            presenters=[Presenter(name="Anna de Vries", affiliation="Director, Example City")],
        )
    lecture_presenters_set(lecture=lectures[2], presenters=[Presenter(name="Bram Smit")])
    profile = PresenterProfile(
        course=course, name="Anna de Vries", bio="Anna led three reforms of city services."
    )
    profile.photo.save("anna.jpg", ContentFile(image_bytes("JPEG", (320, 320), (30, 107, 52))), save=False)
    profile.save()
    fallback = CourseFactory(title="Open data", language="en", level=Course.Level.INTERMEDIATE, theme=theme)
    ready_video_with_poster(LectureFactory(course=fallback, title="Why open data"))
    CourseFactory(
        title="Samenwerken met startups", starts_on=timezone.localdate() + timezone.timedelta(days=30)
    )
    learner = UserFactory(full_name="Noor Jansen")
    enrollment = enrollment_create(user=learner, course=course)
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=lectures[0], completed_at=timezone.now(), watched_seconds=600,
        duration_seconds=600,
    )  # fmt: skip
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=lectures[1], watched_seconds=360, duration_seconds=900
    )
    return {"course": course, "learner": learner}


def broken_images(page) -> list[str]:
    """Images that did not load; an image still loading (a slow poster on a loaded machine) is given
    up to ten seconds first."""
    deadline = time.monotonic() + 10
    while page.evaluate("[...document.images].some(i => !i.complete)") and time.monotonic() < deadline:
        time.sleep(0.1)
    return page.evaluate(
        "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_catalog_and_course_page_are_complete_and_accessible(
    live_server, new_context, course_world, language, size
):
    viewport = LAPTOP if size == "laptop" else PHONE
    context = new_context(viewport=viewport, locale="nl-NL" if language == "nl" else "en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")
    cards = page.locator(".course-card")
    assert cards.count() == 3
    assert page.locator(".course-card .card-media img").count() == 2  # uploaded + video frame; one has none
    assert page.get_by_role("img", name="Three managers around a whiteboard").is_visible()
    assert broken_images(page) == [] and overflow(page) == 0
    assert all_violations(page) == [], "catalog"
    save_screenshot(page, f"course-page-{size}-{language}-catalog")

    log_in_by_cookie(context, live_server.url, course_world["learner"])
    page.goto(f"{live_server.url}{course_world['course'].get_absolute_url()}")
    page.wait_for_load_state("load")
    text = TEXT[language]
    assert page.get_by_role("heading", name=text["goals"]).is_visible()
    assert page.get_by_role("heading", name=text["speakers"]).is_visible()
    assert page.get_by_role("heading", name="Basics").is_visible()
    assert page.get_by_role("link", name=text["trailer"]).is_visible()
    assert page.locator(".speaker-photo").first.is_visible()
    assert page.locator(".lecture-item.is-complete").count() == 1  # the learner's own progress
    assert broken_images(page) == [] and overflow(page) == 0
    assert all_violations(page) == [], "course page"
    save_screenshot(page, f"course-page-{size}-{language}-course")
