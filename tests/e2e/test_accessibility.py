"""axe-core in Chromium: no serious or critical violations on the pages people use most."""

from __future__ import annotations

import re

import pytest

from production.scheduling import services as scheduling
from tests.e2e.axe import serious_violations
from tests.e2e.browsing import player_ready, wait_for
from tests.factories import CourseFactory, LectureFactory
from tests.support.studio_pages import hold_all_recordings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, page, path):
    course = CourseFactory(title="Publiek leiderschap")
    LectureFactory(course=course)
    page.goto(f"{live_server.url}{path}")
    assert serious_violations(page) == []


def test_a_form_with_errors_stays_accessible(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("button", name="Account aanmaken").click()
    page.locator(".error").first.wait_for()
    assert serious_violations(page) == []


def test_the_checker_does_report_a_serious_violation(page):
    page.set_content('<html lang="nl"><body><main><img src="data:,"><button></button></main></body></html>')
    found = serious_violations(page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("button-name") for line in found)


# --- The pages people use most, with realistic content (issue 7) ------------------------------


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_the_catalog_and_course_page_have_no_serious_accessibility_violations(
    live_server, new_context, page_as, learning_world, who
):
    page = page_as(learning_world["learner"]) if who == "learner" else new_context().new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name="Publiek leiderschap").wait_for()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/?q=zzz-nothing")  # the empty state after a search
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}{learning_world['course'].get_absolute_url()}")
    page.get_by_role("heading", name="Publiek leiderschap", level=1).wait_for()
    assert serious_violations(page) == []


def test_the_lecture_page_with_the_player_has_no_serious_accessibility_violations(
    live_server, page_as, learning_world, hls_sample, _progress_buffer
):
    from tests.courses.learning.media import install_video

    course, lecture = learning_world["course"], learning_world["lectures"][1]
    install_video(lecture, sample=hls_sample, duration=8)
    page = page_as(learning_world["learner"])
    page.goto(f"{live_server.url}/courses/{course.slug}/lectures/{lecture.slug}/")
    player_ready(page)
    wait_for(page, "document.querySelectorAll('#transcript-list li').length === 4")
    assert serious_violations(page) == []


def test_the_learner_dashboard_has_no_serious_accessibility_violations(live_server, page_as, learning_world):
    page = page_as(learning_world["learner"])
    page.goto(f"{live_server.url}/my/courses/")
    page.get_by_role("link", name="Data en ethiek").wait_for()
    assert serious_violations(page) == []


@pytest.fixture
def studio_world(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import UserFactory
    from tests.production.factories import SpeakerFactory, make_production, make_session

    producer = UserFactory(producer=True, email="lead@example.org")
    speaker = SpeakerFactory(name="Anna de Vries", email="anna@example.org", language="en")
    production = make_production(lectures=3, team=[producer])
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(production, days=10, speakers=[speaker], state="scheduled")
        held = make_session(
            production, days=12, speakers=[speaker], lectures=list(production.course.lectures.all()[:1])
        )
        scheduling.recording_session_hold(
            session=held, until=timezone.localdate() + timedelta(days=30), reason="lockdown", by=None
        )
    return {"producer": producer, "speaker": speaker, "production": production, "session": session}


def test_the_studio_board_and_session_page_have_no_serious_accessibility_violations(
    live_server, page_as, studio_world
):
    page = page_as(studio_world["producer"])
    page.goto(f"{live_server.url}/studio/")
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/studio/productions/{studio_world['production'].pk}/")
    page.get_by_test_id("board").wait_for()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/studio/sessions/{studio_world['session'].pk}/")
    assert serious_violations(page) == []


def test_the_speaker_page_has_no_serious_accessibility_violations(live_server, new_context, studio_world):
    import secrets

    from production.models import SpeakerLink

    token = secrets.token_urlsafe(24)
    SpeakerLink.objects.create(speaker=studio_world["speaker"], token_hash=SpeakerLink.hash_token(token))
    page = new_context(locale="en-GB").new_page()
    page.goto(f"{live_server.url}/s/{token}/")
    page.get_by_role("heading", name="Speaker page of Anna de Vries").wait_for()
    assert serious_violations(page) == []
    for summary in page.locator("main summary").all():  # the decline / propose forms, opened
        summary.click()
    assert serious_violations(page) == []


def test_enrolling_answering_as_a_speaker_and_holding_recordings_work_without_javascript(
    live_server, new_context, page_as, studio_world
):
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Enrollment
    from production.models import SessionSpeaker, SpeakerLink
    from tests.factories import UserFactory

    course = CourseFactory(title="Publiek leiderschap")
    LectureFactory(course=course, position=1, title="Gebruikers centraal")
    learner = UserFactory()
    page = page_as(learner, locale="en-US", java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Publiek leiderschap").click()
    page.get_by_role("button", name="Enroll for free").click()
    page.get_by_role("link", name="Start the first lecture").click()
    page.get_by_role("heading", name="Gebruikers centraal").wait_for()
    assert Enrollment.objects.filter(user=learner, course=course).exists()

    token = secrets.token_urlsafe(24)
    SpeakerLink.objects.create(speaker=studio_world["speaker"], token_hash=SpeakerLink.hash_token(token))
    speaker_page = new_context(locale="en-GB", java_script_enabled=False).new_page()
    speaker_page.goto(f"{live_server.url}/s/{token}/")
    speaker_page.locator(f"#session-{studio_world['session'].pk}").get_by_role(
        "button", name="Confirm"
    ).click()
    speaker_page.get_by_text("you confirmed").wait_for()
    answer = SessionSpeaker.objects.get(session=studio_world["session"], speaker=studio_world["speaker"])
    assert answer.rsvp == "accepted"

    studio = page_as(studio_world["producer"], locale="en-US", java_script_enabled=False)
    studio.goto(f"{live_server.url}/studio/productions/{studio_world['production'].pk}/")
    until = timezone.localdate() + timedelta(days=20)
    hold_all_recordings(studio, until=until, reason="lockdown")
    studio.get_by_text(re.compile(r"recording sessions? put on hold until at least")).wait_for()
    studio_world["session"].refresh_from_db()
    assert (
        studio_world["session"].state == "on_hold"
        and studio_world["session"].hold_until.isoformat() == until.isoformat()
    )
