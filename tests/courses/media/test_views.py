from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.media.services import video_process
from courses.models import Caption, Video
from tests.factories import CourseFactory, LectureFactory, UserFactory
from tests.support.media import make_concat_list, make_random_bytes

pytestmark = pytest.mark.django_db
XHR = {
    "HTTP_X_REQUESTED_WITH": "XMLHttpRequest",
    "HTTP_ACCEPT": "application/json",
    "HTTP_ACCEPT_LANGUAGE": "en",
}


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, lecture, path: Path, **extra):
    with path.open("rb") as handle:
        return client.post(
            reverse("courses_media:video_upload", kwargs={"lecture_id": lecture.pk}),
            {"file": handle},
            **extra,
        )


def test_media_pages_are_for_producers_only(client, lecture):
    page = reverse("courses_media:lecture", kwargs={"lecture_id": lecture.pk})
    assert client.get(page).status_code == 302
    client.force_login(UserFactory())
    assert client.get(page).status_code == 403
    assert client.get(reverse("courses_media:index")).status_code == 403
    video = Video.objects.create(lecture=lecture, status=Video.Status.QUEUED)
    status = client.get(reverse("courses_media:video_status", kwargs={"uid": video.uid}))
    assert status.status_code == 403 and status.json()["code"] == "permission_denied"
    upload = client.post(reverse("courses_media:video_upload", kwargs={"lecture_id": lecture.pk}))
    assert upload.status_code == 403


def test_a_producer_uploads_a_recording_and_follows_its_progress(
    producer_client, lecture, source_video, monkeypatch
):
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: None)
    response = _upload(producer_client, lecture, source_video, **XHR)
    assert response.status_code == 201, response.content
    payload = response.json()
    assert payload["status"] == "queued" and payload["active"]
    video = Video.objects.get(uid=payload["uid"])
    assert video.lecture == lecture and video.original_filename == "lecture.mp4"

    status = producer_client.get(payload["status_url"], **XHR).json()
    assert status == {**status, "status": "queued", "progress_percent": 0}
    Video.objects.filter(pk=video.pk).update(status="transcoding", progress_percent=42, eta_seconds=7)
    status = producer_client.get(payload["status_url"], **XHR).json()
    assert (status["progress_percent"], status["eta_seconds"], status["active"]) == (42, 7, True)

    Video.objects.filter(pk=video.pk).update(status="queued", progress_percent=0, eta_seconds=None)
    video_process(video_id=video.pk)
    status = producer_client.get(payload["status_url"], **XHR).json()
    assert status["ready"] and status["progress_percent"] == 100 and status["renditions"] == ["360p", "180p"]


def test_an_upload_without_javascript_redirects_back_to_the_lecture(producer_client, lecture, source_video):
    response = _upload(producer_client, lecture, source_video)
    assert response.status_code == 302
    assert response["Location"] == reverse("courses_media:lecture", kwargs={"lecture_id": lecture.pk})
    assert Video.objects.filter(lecture=lecture, status="queued").count() == 1


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: make_random_bytes(p / "recording.mp4"), "not a video we can read"),
        (lambda p: make_concat_list(p / "recording.mp4"), "list of files to join"),
        (
            lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt",
            "is not a video file we accept",
        ),
    ],
)
def test_a_refused_upload_shows_the_reason_and_writes_nothing(
    producer_client, lecture, tmp_path, make, words
):
    response = _upload(producer_client, lecture, make(tmp_path), **XHR)
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert not Video.objects.exists()
    assert _media_files() == []


def test_a_refused_upload_without_javascript_shows_the_reason_on_the_page(producer_client, lecture, tmp_path):
    response = _upload(
        producer_client, lecture, make_concat_list(tmp_path / "recording.mp4"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "This is a list of files to join, not a video." in response.content.decode()


def test_an_upload_over_the_size_cap_is_stopped_with_the_limit_in_words(
    producer_client, lecture, source_video, settings
):
    settings.MEDIA_MAX_UPLOAD_BYTES = 100_000
    response = _upload(producer_client, lecture, source_video, **XHR)
    assert response.status_code == 413
    assert "larger than 97.7\xa0KB" in response.json()["message"]
    assert not Video.objects.exists()
    assert _media_files() == []


def test_an_upload_is_streamed_to_a_temporary_file_not_held_in_memory(
    producer_client, lecture, source_video, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # the 700 KB source must go to disk
    seen = {}
    import courses.media.services as services

    real = services.probe_media

    def spy(path):
        seen["path"] = str(path)
        return real(path)

    services.probe_media = spy
    try:
        response = _upload(producer_client, lecture, source_video, **XHR)
    finally:
        services.probe_media = real
    assert response.status_code == 201
    assert seen["path"].startswith(settings.FILE_UPLOAD_TEMP_DIR)


def test_the_lecture_page_shows_progress_errors_and_a_retry_button_without_inline_script(
    producer_client, lecture
):
    Video.objects.create(
        lecture=lecture, status="transcoding", progress_percent=37, original_filename="a.mp4"
    )
    failed = Video.objects.create(
        lecture=lecture, status="failed", error="ffmpeg stopped with an error", source="uploads/x/source.mp4"
    )
    response = producer_client.get(reverse("courses_media:lecture", kwargs={"lecture_id": lecture.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="progress-' in html and 'value="37"' in html
    assert "ffmpeg stopped with an error" in html
    assert reverse("courses_media:video_retry", kwargs={"uid": failed.uid}) in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and " onclick=" not in html
    assert html.count('id="id_file"') == 1 and html.count('id="caption_file"') == 1
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_retrying_a_failed_video_queues_it_again(producer_client, lecture, monkeypatch):
    sent = []
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: sent.append(kw))
    failed = Video.objects.create(
        lecture=lecture, status="failed", error="boom", source="uploads/x/source.mp4"
    )
    response = producer_client.post(reverse("courses_media:video_retry", kwargs={"uid": failed.uid}))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.error == ""


def test_uploading_captions_through_the_page(producer_client, lecture):
    url = reverse("courses_media:caption_upload", kwargs={"lecture_id": lecture.pk})
    srt = SimpleUploadedFile("en.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    assert producer_client.post(url, {"language": "en", "file": srt}).status_code == 302
    assert Caption.objects.get(lecture=lecture, language="en").transcript == "Hello"

    broken = SimpleUploadedFile("nl.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHallo\n\n2\n00:00:03,000\nX\n")
    response = producer_client.post(url, {"language": "nl", "file": broken}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Line 6: the timing line must look like" in response.content.decode()
    assert not Caption.objects.filter(language="nl").exists()


def test_the_messages_are_translated_to_dutch(producer_client, lecture, tmp_path):
    from django.utils import translation

    with translation.override("nl"):
        response = _upload(
            producer_client,
            lecture,
            make_concat_list(tmp_path / "recording.mp4"),
            **{**XHR, "HTTP_ACCEPT_LANGUAGE": "nl"},
        )
    assert "lijst" in response.json()["message"].lower()


@pytest.mark.parametrize("count", [1, 12])
def test_the_media_overview_uses_a_fixed_number_of_queries(producer_client, django_assert_num_queries, count):
    course = CourseFactory()
    for _ in range(count):
        lecture = LectureFactory(course=course)
        Video.objects.create(lecture=lecture, status="ready", is_current=True, duration_seconds=61)
        Caption.objects.create(lecture=lecture, language="nl", vtt="captions/x.vtt", cue_count=1)
    # session + user + producer group + count + lectures + videos + captions + the course filter's choices
    with django_assert_num_queries(8):
        response = producer_client.get(reverse("courses_media:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="badge badge-ok" data-video-badge') == count


def test_the_media_overview_has_an_empty_state(producer_client):
    response = producer_client.get(reverse("courses_media:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert "There are no lectures yet" in response.content.decode()


def test_the_status_endpoint_answers_404_for_an_unknown_video(producer_client):
    assert (
        producer_client.get("/studio/media/videos/00000000-0000-0000-0000-000000000000/status/").status_code
        == 404
    )


def test_direct_upload_needs_s3_storage(producer_client, lecture):
    url = reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk})
    response = producer_client.post(url, {"filename": "a.mp4", "size": "1000"})
    assert response.status_code == 400 and response.json()["code"] == "upload_mode"
    assert json.loads(response.content)["message"]


def test_the_upload_still_checks_the_csrf_token(producer, lecture, source_video):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    response = _upload(client, lecture, source_video, **XHR)
    assert response.status_code == 403
    assert not Video.objects.exists()
