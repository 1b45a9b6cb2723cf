"""A producer uploads a recording in Chromium: progress bar, refusal messages, live transcoding status."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from courses.media.services import video_process
from courses.models import Video
from tests.factories import LectureFactory, UserFactory
from tests.support.media import make_concat_list, make_test_video

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def producer_page(live_server, new_context, settings):
    settings.MEDIA_LADDER = [180]
    settings.MEDIA_X264_PRESET = "ultrafast"
    producer = UserFactory(producer=True)
    client = Client()
    client.force_login(producer)
    context = new_context(locale="en-US")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    return page


def test_a_producer_uploads_a_recording_and_watches_it_become_ready(live_server, producer_page, tmp_path):
    page = producer_page
    lecture = LectureFactory(title="Data delen")
    source = make_test_video(tmp_path / "data-delen.mp4", seconds=2, width=320, height=180)
    page.goto(f"{live_server.url}/studio/media/lectures/{lecture.pk}/")
    page.get_by_label("Recording", exact=True).set_input_files(str(source))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload", exact=True).click()
    card = page.locator(".video-list li").first
    card.get_by_text("Waiting to transcode").wait_for()
    assert card.locator("progress").is_visible()

    video = Video.objects.get(lecture=lecture)
    assert video_process(video_id=video.pk).status == Video.Status.READY
    # media-progress.js polls the status and reloads when the video is done.
    page.locator(".media-current").get_by_text("Ready").wait_for(timeout=20_000)
    assert "180p (320×180)" in page.locator(".media-current").inner_text()
    assert page.console_errors == []


def test_a_refused_file_shows_the_reason_next_to_the_upload_button(live_server, producer_page, tmp_path):
    page = producer_page
    lecture = LectureFactory()
    page.goto(f"{live_server.url}/studio/media/lectures/{lecture.pk}/")
    page.get_by_label("Recording", exact=True).set_input_files(
        str(make_concat_list(tmp_path / "recording.mp4"))
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    alert = page.locator("[data-upload-error]")
    alert.wait_for()
    assert "This is a list of files to join, not a video." in alert.inner_text()
    assert page.locator("progress#upload-progress-bar").get_attribute("max") == "100"
    assert not Video.objects.exists()
