"""The player's quality menu, announcements, caption size, "continue or start over" and "up next"
(issue 13) in Chromium, on a real HLS video with two renditions played through hls.js."""

from __future__ import annotations

import shutil

import pytest
from django.utils import timezone

from tests.e2e.browsing import log_in_by_cookie, player_ready, wait_for
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECONDS = 12
MASTER = (
    "#EXTM3U\n#EXT-X-VERSION:3\n"
    '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"\n'
    "180p/index.m3u8\n"
    '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.42c00d,mp4a.40.2"\n'
    "360p/index.m3u8\n"
)


@pytest.fixture(scope="module")
def two_renditions(tmp_path_factory):
    """A real ladder of two renditions (the second a copy under its own playlist, so hls.js sees two
    levels and can switch between them)."""
    from tests.courses.learning.media import make_hls

    folder = make_hls(tmp_path_factory.mktemp("hls") / "ladder", duration=SECONDS)
    shutil.copytree(folder / "180p", folder / "360p")
    (folder / "master.m3u8").write_text(MASTER)
    return folder


@pytest.fixture(autouse=True)
def _progress_buffer(settings, tmp_path):
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""


@pytest.fixture
def two_lectures(two_renditions):
    from courses.learning.services import enrollment_create
    from tests.courses.learning.media import install_video

    course = CourseFactory(title="Digitale overheid")
    first = LectureFactory(course=course, position=1, title="Gebruikers centraal")
    second = LectureFactory(course=course, position=2, title="Aanbesteden")
    install_video(first, sample=two_renditions, duration=SECONDS)
    install_video(second, sample=two_renditions, duration=SECONDS)
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    return {"course": course, "first": first, "second": second, "learner": learner, "enrollment": enrollment}


def open_lecture(live_server, new_context, world, lecture):
    context = new_context(locale="en-US")
    log_in_by_cookie(context, live_server.url, world["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/courses/{world['course'].slug}/lectures/{lecture.slug}/")
    player_ready(page)
    return page


def status(page) -> str:
    return page.locator("#player-status").inner_text()


def test_quality_speed_captions_and_caption_size_are_chosen_and_announced(
    live_server, new_context, two_lectures
):
    page = open_lecture(live_server, new_context, two_lectures, two_lectures["first"])
    quality = page.get_by_label("Quality", exact=True)
    quality.wait_for()
    assert [o.strip() for o in quality.locator("option").all_inner_texts()][1:] == ["360p", "180p"]
    assert page.locator("#player-status").get_attribute("aria-live") == "polite"

    quality.select_option(label="180p")
    wait_for(page, "document.getElementById('player-status').textContent === 'Quality: 180p'")
    quality.select_option(index=0)
    wait_for(page, "document.getElementById('player-status').textContent === 'Quality: Auto'")

    page.get_by_label("Speed").select_option("1.5")
    assert status(page) == "Speed: 1.5×"
    assert page.evaluate("document.getElementById('lecture-video').playbackRate") == 1.5

    page.get_by_label("Caption size").select_option("l")
    assert status(page) == "Caption size: Large"
    assert "captions-l" in page.locator("#player").get_attribute("class")

    page.focus("#lecture-video")
    page.keyboard.press("c")
    wait_for(page, "document.getElementById('player-status').textContent === 'Captions off'")
    page.keyboard.press("c")
    wait_for(page, "document.getElementById('player-status').textContent.startsWith('Captions: ')")

    page.reload()  # the caption size is remembered on this device
    player_ready(page)
    assert "captions-l" in page.locator("#player").get_attribute("class")


def test_a_returning_learner_continues_where_they_stopped_or_starts_over(
    live_server, new_context, two_lectures
):
    from courses.models import LectureProgress

    LectureProgress.objects.create(
        enrollment=two_lectures["enrollment"], lecture=two_lectures["first"], position_seconds=5,
        watched=[[0, 5]], watched_seconds=5, duration_seconds=SECONDS, last_heartbeat_at=timezone.now(),
    )  # fmt: skip
    page = open_lecture(live_server, new_context, two_lectures, two_lectures["first"])
    page.get_by_text("Continuing at 0:05").wait_for()
    page.focus("#lecture-video")
    page.keyboard.press("k")
    wait_for(page, "document.getElementById('lecture-video').currentTime >= 5")
    page.get_by_role("button", name="Start over").click()
    assert page.evaluate("document.getElementById('lecture-video').currentTime") < 2
    assert status(page) == "Playing from the start"
    assert not page.get_by_text("Continuing at 0:05").is_visible()


def test_up_next_counts_down_can_be_cancelled_and_otherwise_opens_the_next_lecture(
    live_server, new_context, two_lectures
):
    page = open_lecture(live_server, new_context, two_lectures, two_lectures["first"])
    up_next = page.get_by_text("Up next: Aanbesteden")
    assert not up_next.is_visible()

    def play_to_the_end():
        wait_for(page, "isFinite(document.getElementById('lecture-video').duration)")
        page.evaluate(
            "const v = document.getElementById('lecture-video'); v.currentTime = v.duration - 1; v.play()"
        )
        up_next.wait_for()

    play_to_the_end()
    wait_for(page, "/Next lecture in \\d+ s/.test(document.getElementById('up-next-count').textContent)")
    page.get_by_role("button", name="Cancel").click()
    assert status(page) == "Next lecture cancelled" and not up_next.is_visible()
    page.wait_for_timeout(11_500)  # longer than the countdown: nothing happens
    assert page.url.endswith(f"/lectures/{two_lectures['first'].slug}/")

    play_to_the_end()
    page.wait_for_url(f"**/lectures/{two_lectures['second'].slug}/", timeout=15_000)
    page.get_by_role("heading", name="Aanbesteden").wait_for()
