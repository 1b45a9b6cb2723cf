"""A learner enrolls, watches with captions, leaves, and resumes on another device (Chromium)."""

from __future__ import annotations

import time

import pytest

from courses.learning.tasks import progress_flush
from courses.models import LectureProgress
from tests.courses.learning.media import install_video, make_hls
from tests.factories import CourseFactory, LectureFactory, UserFactory
from tests.support.learning import _progress_buffer, hls_sample  # noqa: F401 - fixtures

from .browsing import log_in, player_ready, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def video_time(page) -> float:
    return page.evaluate("document.getElementById('lecture-video').currentTime")


def test_a_learner_watches_with_captions_and_resumes_on_another_device(live_server, new_context, hls_sample):  # noqa: F811 - the fixture imported above
    course = CourseFactory(title="Digitale overheid")
    lecture = LectureFactory(course=course, title="Gebruikers centraal", position=1)
    install_video(lecture, sample=hls_sample)
    learner = UserFactory(email="noor@example.org")
    base = live_server.url

    laptop = new_context(locale="en-US").new_page()
    errors: list[str] = []
    laptop.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    beats: list[str] = []
    laptop.on(
        "request", lambda r: beats.append(r.url) if r.method == "POST" and "/progress/" in r.url else None
    )
    log_in(laptop, base, learner.email)
    laptop.goto(f"{base}/courses/{course.slug}/")
    laptop.get_by_role("button", name="Enroll for free").click()
    laptop.get_by_text("You are enrolled in").wait_for()
    laptop.get_by_role("link", name="Start the first lecture").click()
    laptop.get_by_role("heading", name="Gebruikers centraal").wait_for()

    player_ready(laptop)
    laptop.focus("#lecture-video")
    laptop.keyboard.press("k")  # keyboard: play
    wait_for(laptop, "document.getElementById('lecture-video').currentTime > 2")
    caption = wait_for(
        laptop,
        """() => {
            const tracks = document.getElementById('lecture-video').textTracks;
            for (const track of tracks) {
                if (track.mode === 'showing' && track.activeCues && track.activeCues.length) {
                    return track.activeCues[0].text;
                }
            }
            return false;
        }""",
    )
    assert caption in {
        "Welkom bij dit college over digitale dienstverlening.",
        "We beginnen met de gebruiker.",
    }
    assert laptop.locator("#transcript-list li").count() == 4  # transcript built from the cues

    wait_for(laptop, "document.getElementById('lecture-video').currentTime > 13", timeout=30)
    left_at = video_time(laptop)
    laptop.goto(f"{base}/my/courses/")  # leaving: pagehide sends a beacon

    deadline = time.time() + 10
    while time.time() < deadline:
        progress_flush()  # what the beat task does every few seconds
        row = LectureProgress.objects.filter(lecture=lecture, enrollment__user=learner).first()
        if row and row.position_seconds >= left_at - 1:
            break
        time.sleep(0.3)
    assert row is not None and abs(row.position_seconds - left_at) < 10
    assert row.watched_seconds >= 8  # really watched, credited by the server
    assert beats and {url.removeprefix(base) for url in beats} == {"/progress/beat/"}  # the lean path

    phone = new_context(locale="en-US", viewport={"width": 390, "height": 844}).new_page()
    log_in(phone, base, learner.email)
    phone.goto(f"{base}/my/courses/")
    phone.get_by_role("link", name="Continue watching").click()
    phone.get_by_text("Resumed where you stopped").wait_for()
    player_ready(phone)
    phone.focus("#lecture-video")
    phone.keyboard.press("k")
    wait_for(
        phone,
        "(() => { const v = document.getElementById('lecture-video'); "
        "return !v.paused && v.currentTime > 0; })()",
    )
    resumed = video_time(phone)
    assert abs(resumed - left_at) <= 10, (resumed, left_at)
    assert errors == []


def test_the_transcript_seeks_and_filters_and_the_speed_and_keys_work(live_server, new_context, hls_sample):  # noqa: F811 - the fixture imported above
    from courses.learning.services import enrollment_create

    lecture = LectureFactory(title="Aanbesteden", position=1)
    install_video(lecture, sample=hls_sample)
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    page = new_context(locale="en-US").new_page()
    log_in(page, live_server.url, learner.email)
    page.goto(f"{live_server.url}/courses/{lecture.course.slug}/lectures/{lecture.slug}/")
    player_ready(page)
    wait_for(page, "document.querySelectorAll('#transcript-list li').length === 4")

    page.get_by_label("Search the transcript").fill("aanbesteden")
    assert page.locator("#transcript-list li:not(.is-hidden)").count() == 1
    page.get_by_role("button", name="Daarna kijken we naar aanbesteden.").click()
    wait_for(page, "(() => { const v = document.getElementById('lecture-video'); "
                   "return !v.paused && v.currentTime >= 12 && v.currentTime < 16; })()")  # fmt: skip

    page.get_by_label("Speed").select_option("1.5")
    assert page.evaluate("document.getElementById('lecture-video').playbackRate") == 1.5
    page.focus("#lecture-video")
    page.keyboard.press("k")
    wait_for(page, "document.getElementById('lecture-video').paused")
    before = video_time(page)
    page.keyboard.press("j")
    wait_for(
        page, f"Math.abs(document.getElementById('lecture-video').currentTime - {max(before - 10, 0)}) < 1"
    )

    master = page.get_attribute("#player", "data-src")
    stranger = new_context().new_page()
    assert stranger.request.get(f"{live_server.url}{master}").status == 403
    assert page.request.get(f"{live_server.url}{master}").status == 200


@pytest.fixture(scope="module")
def long_sample(tmp_path_factory):
    return make_hls(tmp_path_factory.mktemp("hls-long") / "sample", duration=90, bandwidth=50_000_000)


def test_the_player_renews_expired_media_urls_and_keeps_playing(
    live_server, new_context, long_sample, settings, monkeypatch
):
    """Signed URLs live 4 s here; hls.js buffers ~30 s ahead, so segments at 70 s are fetched long
    after the page's first URLs expired: the player must have renewed them. The playback token for
    heartbeats (8 s here) is renewed with them."""
    from courses.learning import progress
    from courses.learning.services import enrollment_create
    from courses.media import access as media_access

    settings.MEDIA_URL_TTL = 4
    monkeypatch.setattr(progress, "BEAT_TOKEN_MAX_AGE", 0)  # so tokens live 2 x 4 s
    served: list[tuple[str, int]] = []
    original = media_access.serve

    def recording(request, token, path):
        response = original(request, token, path)
        served.append((path, response.status_code))
        return response

    monkeypatch.setattr(media_access, "serve", recording)
    lecture = LectureFactory(title="Lang college", position=1)
    install_video(lecture, sample=long_sample, duration=90)
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    page = new_context(locale="en-US").new_page()
    beats: list[tuple[float, int]] = []
    page.on(
        "response",
        lambda r: beats.append((time.time(), r.status)) if r.url.endswith("/progress/beat/") else None,
    )
    log_in(page, live_server.url, learner.email)
    opened = time.time()
    page.goto(f"{live_server.url}/courses/{lecture.course.slug}/lectures/{lecture.slug}/")
    player_ready(page)
    first_master = page.get_attribute("#player", "data-src")
    page.wait_for_timeout(6000)
    assert page.request.get(f"{live_server.url}{first_master}").status == 403  # expired by now
    assert ("180p/seg_018.ts", 200) not in served  # not buffered yet
    page.evaluate("document.getElementById('lecture-video').currentTime = 70")
    page.evaluate("document.getElementById('lecture-video').play()")
    wait_for(page, "document.getElementById('lecture-video').currentTime > 72", timeout=30)
    assert ("180p/seg_018.ts", 200) in served
    page.wait_for_timeout(max(0, int((opened + 10 - time.time()) * 1000)))
    page.evaluate("document.getElementById('lecture-video').pause()")
    wait_for(page, "document.getElementById('lecture-video').paused")
    deadline = time.time() + 10
    while not any(at > opened + 10 for at, _status in beats) and time.time() < deadline:
        page.wait_for_timeout(200)
    # the page's first token has expired by now; heartbeats carry the renewed one
    assert any(at > opened + 10 for at, _status in beats)
    assert {status for _at, status in beats} == {204}
