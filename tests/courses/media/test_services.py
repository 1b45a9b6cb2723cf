from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.media.errors import MediaRejectedError
from courses.media.services import video_process, video_retry, video_upload
from courses.models import Video
from tests.support.media import make_hls_disguised_as_mp4

from .helpers import decode_errors

pytestmark = pytest.mark.django_db


def _upload(lecture, path: Path, producer=None) -> Video:
    return video_upload(
        lecture=lecture, file=SimpleUploadedFile(path.name, path.read_bytes(), "video/mp4"), by=producer
    )


def _media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_uploaded_recording_is_queued_with_its_probe_and_enqueued_after_commit(
    lecture, producer, source_video, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        video = _upload(lecture, source_video, producer)
    assert video.status == Video.Status.QUEUED
    assert (video.width, video.height) == (640, 360)
    assert (video.probe["width"], video.probe["height"], video.probe["rotation"]) == (640, 360, 0)
    assert video.source.name == f"uploads/{video.uid}/source.mp4"
    assert sent == [{"video_id": video.pk}]


def test_processing_makes_the_video_ready_current_and_playable(lecture, source_video):
    video = _upload(lecture, source_video)
    video = video_process(video_id=video.pk)
    assert video.status == Video.Status.READY
    assert video.is_current and video.progress_percent == 100 and video.error == ""
    assert [r["name"] for r in video.renditions] == ["360p", "180p"]
    lecture.refresh_from_db()
    assert lecture.duration_seconds == 3
    master = Path(settings.MEDIA_ROOT) / video.master_playlist_name
    assert decode_errors(master) == ""
    assert (Path(settings.MEDIA_ROOT) / video.poster_name).exists()
    assert (Path(settings.MEDIA_ROOT) / video.download_name).exists()


def test_a_new_recording_replaces_the_current_one_and_its_files_go_after_commit(
    lecture, source_video, django_capture_on_commit_callbacks
):
    first = video_process(video_id=_upload(lecture, source_video).pk)
    second = _upload(lecture, source_video)
    old_files = [f for f in _media_files() if f.startswith(f"videos/{first.uid}") or str(first.uid) in f]
    assert old_files
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = video_process(video_id=second.pk)
    # Not yet committed: the old files are still there.
    assert all((Path(settings.MEDIA_ROOT) / f).exists() for f in old_files)
    for callback in callbacks:
        callback()
    assert not Video.objects.filter(pk=first.pk).exists()
    assert second.is_current
    assert not [f for f in _media_files() if str(first.uid) in f]


def test_a_refused_file_found_by_the_worker_is_deleted_and_the_reason_kept(
    lecture, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    with open(make_hls_disguised_as_mp4(tmp_path / "a.mp4"), "rb") as handle:
        name = default_storage.save("uploads/x/source.mp4", handle)
    video = Video.objects.create(lecture=lecture, source=name, status=Video.Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        video = video_process(video_id=video.pk)
    assert video.status == Video.Status.REJECTED
    assert "This is a playlist" in video.error
    assert not default_storage.exists(name)
    assert _media_files() == []


def test_a_refused_upload_writes_nothing(lecture, tmp_path):
    path = make_hls_disguised_as_mp4(tmp_path / "lecture.mp4")
    with pytest.raises(MediaRejectedError):
        _upload(lecture, path)
    assert not Video.objects.exists()
    assert _media_files() == []


def test_a_failed_transcode_shows_the_reason_keeps_the_source_and_can_be_retried(
    lecture, source_video, settings, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: None)
    video = _upload(lecture, source_video)
    settings.MEDIA_X264_PRESET = "no-such-preset"
    with django_capture_on_commit_callbacks(execute=True):
        video = video_process(video_id=video.pk)
    assert video.status == Video.Status.FAILED
    assert "invalid preset" in video.error
    assert video.can_retry
    assert not [f for f in _media_files() if f.startswith("videos/")]

    with django_capture_on_commit_callbacks(execute=True):
        video = video_retry(video=video)
    assert video.status == Video.Status.QUEUED and video.error == ""
    settings.MEDIA_X264_PRESET = "ultrafast"
    video = video_process(video_id=video.pk)
    assert video.status == Video.Status.READY and video.attempts == 2


def test_a_video_is_processed_once_even_if_the_task_is_delivered_twice(lecture, source_video):
    video = _upload(lecture, source_video)
    assert video_process(video_id=video.pk).status == Video.Status.READY
    assert video_process(video_id=video.pk) is None
    assert Video.objects.get(pk=video.pk).attempts == 1


def test_a_video_another_worker_is_transcoding_is_left_alone_until_it_goes_quiet(lecture, source_video):
    video = _upload(lecture, source_video)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.TRANSCODING, updated_at=timezone.now())
    assert video_process(video_id=video.pk) is None
    Video.objects.filter(pk=video.pk).update(updated_at=timezone.now() - timezone.timedelta(minutes=10))
    assert video_process(video_id=video.pk).status == Video.Status.READY


def test_the_media_task_is_routed_to_the_media_queue():
    from omooc.celery import app

    route = app.amqp.router.route({}, "courses.media.video_process")
    assert route["queue"].name == "media"


def test_a_video_left_half_done_by_a_dead_worker_is_queued_again(lecture, monkeypatch):
    from courses.media.services import video_requeue_stale

    sent = []
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: sent.append(kw["video_id"]))
    abandoned = Video.objects.create(lecture=lecture, status="transcoding", source="uploads/a/source.mp4")
    running = Video.objects.create(lecture=lecture, status="transcoding", source="uploads/b/source.mp4")
    done = Video.objects.create(lecture=lecture, status="ready", source="uploads/c/source.mp4")
    Video.objects.filter(pk__in=[abandoned.pk, done.pk]).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=30)
    )
    assert video_requeue_stale() == [abandoned.pk]
    assert sent == [abandoned.pk]
    assert running.pk not in sent


def test_the_stale_video_sweep_is_in_the_beat_schedule():
    from omooc.celery import BEAT_SCHEDULE

    assert any(entry["task"] == "courses.media.video_requeue_stale" for entry in BEAT_SCHEDULE.values())


def test_a_refusal_found_by_the_worker_is_worded_in_the_uploaders_language(lecture, tmp_path):
    from django.core.files.storage import default_storage

    from tests.factories import UserFactory

    uploader = UserFactory(producer=True, language="nl")
    with open(make_hls_disguised_as_mp4(tmp_path / "a.mp4"), "rb") as handle:
        name = default_storage.save("uploads/y/source.mp4", handle)
    video = Video.objects.create(
        lecture=lecture, source=name, status=Video.Status.QUEUED, uploaded_by=uploader
    )
    video = video_process(video_id=video.pk)
    assert video.error.startswith("Dit is een afspeellijst")


def test_the_next_attempt_removes_what_a_killed_attempt_left_in_the_work_folder_and_the_storage(
    lecture, source_video, settings, tmp_path
):
    """A media worker killed mid-transcode (SIGKILL) runs no clean-up; the stack test kills a real one
    (tests/stack/test_queues.py). Here the leftovers are laid out as a killed attempt leaves them."""
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    video = _upload(lecture, source_video)
    other = _upload(lecture, source_video)
    work = Path(settings.MEDIA_WORK_DIR)
    killed = [work / f"omooc-hls-{video.uid}-x1y2", work / f"omooc-src-{video.uid}-a3b4"]
    kept = work / f"omooc-hls-{other.uid}-c5d6"  # another video's transcode, under way
    for folder in [*killed, kept]:
        folder.mkdir(parents=True)
        (folder / "index.m3u8").write_text("#EXTM3U\n")
    half_published = Path(settings.MEDIA_ROOT) / f"videos/{video.uid}/dead0001/720p/seg_000.ts"
    half_published.parent.mkdir(parents=True)
    half_published.write_bytes(b"partial")
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.TRANSCODING, attempts=1, updated_at=timezone.now() - timezone.timedelta(hours=1)
    )

    video = video_process(video_id=video.pk)

    assert video.status == Video.Status.READY and video.attempts == 2
    assert not [p for p in killed if p.exists()]
    assert kept.exists()
    assert not half_published.exists()
    assert all(name.startswith(video.output_prefix + "/") for name in _media_files() if "videos/" in name)
