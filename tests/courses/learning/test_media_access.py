"""Media only for enrolled learners, through short-lived signed URLs scoped to the enrollment."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from courses.learning import progress
from courses.learning.services import enrollment_create, enrollment_leave
from courses.media import access as media_access
from courses.models import Lecture
from tests.factories import LectureFactory, UserFactory

from .media import install_video
from .player_page import player_config

pytestmark = pytest.mark.django_db

KINDS = ["master playlist", "variant playlist", "segment", "caption", "poster"]


def _urls(client, lecture) -> dict[str, str]:
    """The signed URLs the lecture page hands to the player of the logged-in learner."""
    response = client.get(
        f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    urls = player_config(response.content.decode())
    master = urls["master"]
    base = master.rsplit("/", 1)[0]
    return {
        "master playlist": master,
        "variant playlist": f"{base}/180p/index.m3u8",
        "segment": f"{base}/180p/seg_001.ts",
        "caption": urls["captions"][0]["url"],
        "poster": urls["poster"],
    }


@pytest.fixture
def setup(client, hls_sample):
    lecture = LectureFactory()
    install_video(lecture, sample=hls_sample)
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    client.force_login(learner)
    return {"lecture": lecture, "learner": learner, "urls": _urls(client, lecture)}


@pytest.mark.parametrize("kind", KINDS)
def test_an_enrolled_learner_gets_every_kind_of_media(client, setup, kind):
    response = client.get(setup["urls"][kind])
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    expected = {
        "master playlist": b"180p/index.m3u8",
        "variant playlist": b"seg_000.ts",
        "segment": b"G",  # MPEG-TS sync byte
        "caption": b"WEBVTT",
        "poster": b"\xff\xd8",  # JPEG
    }[kind]
    assert expected in body[:4096]


@pytest.mark.parametrize("kind", KINDS)
def test_an_anonymous_visitor_with_a_learners_media_url_is_refused(client, setup, kind):
    client.logout()
    assert client.get(setup["urls"][kind]).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_another_logged_in_user_who_is_not_enrolled_is_refused(client, setup, kind):
    client.force_login(UserFactory())
    assert client.get(setup["urls"][kind]).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_a_learner_who_unenrolled_can_no_longer_use_their_urls(client, setup, kind):
    enrollment_leave(enrollment=setup["learner"].enrollments.get())
    assert client.get(setup["urls"][kind]).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_media_url_is_refused(client, setup, kind, monkeypatch):
    later = time.time() + media_access.ttl_seconds() + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(setup["urls"][kind])
    assert response.status_code == 403
    assert b"expired" in response.content


@pytest.mark.parametrize("kind", KINDS)
def test_media_of_a_lecture_taken_back_to_draft_is_refused(client, setup, kind):
    Lecture.objects.filter(pk=setup["lecture"].pk).update(status=Lecture.Status.DRAFT)
    assert client.get(setup["urls"][kind]).status_code == 403


def test_a_tampered_token_or_a_path_outside_the_video_folder_is_refused(client, setup):
    master = setup["urls"]["master playlist"]
    prefix, token, _ = master.rsplit("/", 2)
    assert client.get(f"{prefix}/{token[:-2]}xx/master.m3u8").status_code == 403
    assert client.get(f"{prefix}/{token}/../../captions/x.vtt").status_code in (403, 404)
    caption = setup["urls"]["caption"]
    assert client.get(caption.rsplit("/", 1)[0] + "/other.vtt").status_code == 403


def test_a_segment_range_request_is_answered_with_206_so_seeking_works(client, setup):
    response = client.get(setup["urls"]["segment"], HTTP_RANGE="bytes=188-375")
    assert response.status_code == 206
    body = b"".join(response.streaming_content)
    assert len(body) == 188 and body[0:1] == b"G"
    total = int(response["Content-Range"].split("/")[1])
    assert response["Content-Range"] == f"bytes 188-375/{total}"
    assert response["Accept-Ranges"] == "bytes"
    tail = client.get(setup["urls"]["segment"], HTTP_RANGE="bytes=-100")
    assert tail.status_code == 206 and len(b"".join(tail.streaming_content)) == 100
    beyond = client.get(setup["urls"]["segment"], HTTP_RANGE=f"bytes={total + 10}-")
    assert beyond.status_code == 416


def test_media_is_handed_to_nginx_with_x_accel_redirect_when_configured(client, setup, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = client.get(setup["urls"]["segment"])
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/protected/videos/")
    assert response["X-Accel-Redirect"].endswith("/180p/seg_001.ts")
    assert response.content == b""


def test_a_producer_may_preview_a_draft_lecture_but_a_learner_may_not_see_it(client, hls_sample):
    lecture = LectureFactory(status=Lecture.Status.DRAFT)
    install_video(lecture, sample=hls_sample)
    url = f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(producer=True))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert client.get(response.context["urls"]["master"]).status_code == 200
    assert response.context["playback_token"] == ""  # a preview records no progress


def test_s3_playlists_are_rewritten_to_presigned_segment_urls():
    text = '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nseg_000.ts\n#EXTINF:4.0,\nseg_001.ts\n'
    out = media_access.rewrite_playlist(
        text, "videos/abc/180p", lambda name: f"https://s3.example.org/{name}?sig"
    )
    assert "https://s3.example.org/videos/abc/180p/seg_000.ts?sig" in out
    assert 'URI="https://s3.example.org/videos/abc/180p/init.mp4?sig"' in out
    master = media_access.rewrite_playlist("#EXTM3U\n180p/index.m3u8\n", "videos/abc", lambda n: "x")
    assert "180p/index.m3u8" in master  # nested playlists come back through the signed view


def test_an_open_lecture_page_gets_fresh_urls_and_a_stranger_does_not(client, setup):
    lecture = setup["lecture"]
    url = f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/media/"
    fresh = client.get(url).json()
    assert fresh["expires_in"] == media_access.ttl_seconds()
    assert client.get(fresh["master"]).status_code == 200
    # ... and a fresh playback token: the lean heartbeat path accepts it without a session
    claims = progress.read_playback_token(fresh["token"], user_id=None, max_age=progress.beat_token_max_age())
    assert (claims.lecture_id, claims.user_id) == (lecture.pk, setup["learner"].pk)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 403
