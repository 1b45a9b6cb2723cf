from __future__ import annotations

import pytest

from courses.media.errors import MediaRejectedError
from courses.media.probing import probe_media
from tests.support import media as corpus


def test_a_real_recording_is_accepted_and_described(source_video):
    probe = probe_media(source_video)
    assert (probe.width, probe.height) == (640, 360)
    assert probe.duration == pytest.approx(3, abs=0.1)
    assert probe.video_codec == "h264" and probe.audio_codec == "aac" and probe.fps == 25


def test_webm_and_matroska_recordings_are_accepted(tmp_path):
    probe = probe_media(corpus.make_test_video(tmp_path / "talk.webm", seconds=1, width=320, height=180))
    assert probe.format == "matroska,webm" and probe.video_codec == "vp9"


HOSTILE = {
    "random bytes": (lambda p: corpus.make_random_bytes(p / "clip.mp4"), "not a video we can read"),
    "empty": (lambda p: (p / "clip.mp4").write_bytes(b"") and None or p / "clip.mp4", "The file is empty"),
    "truncated": (
        lambda p: corpus.make_truncated_video(p / "clip.mp4", seconds=3, width=320, height=180),
        "The file is incomplete",
    ),
    "truncated without index": (
        lambda p: corpus.make_truncated_video(
            p / "clip.mp4", seconds=2, width=320, height=180, faststart=False
        ),
        "not a video we can read",
    ),
    "HLS playlist named .mp4": (
        lambda p: corpus.make_hls_disguised_as_mp4(p / "clip.mp4"),
        "This is a playlist",
    ),
    "concat list": (lambda p: corpus.make_concat_list(p / "clip.mp4"), "This is a list of files to join"),
    "huge declared dimensions": (
        lambda p: corpus.make_huge_dimensions_video(p / "clip.mkv"),
        "The picture is 65535×240 pixels; at most 7680×4320 is accepted.",
    ),
    "audio only": (
        lambda p: _audio_only(p / "clip.mp4"),
        "The file holds no video picture",
    ),
}


def _audio_only(path):
    import subprocess

    from courses.media.ffmpeg import ffmpeg_exe

    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(path)],
        check=True,
    )
    return path


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_or_broken_file_is_refused_with_the_reason_in_words(kind, tmp_path):
    make, reason = HOSTILE[kind]
    path = make(tmp_path)
    with pytest.raises(MediaRejectedError) as refused:
        probe_media(path)
    assert reason in refused.value.message


def test_a_file_over_the_size_cap_is_refused_before_it_is_opened(source_video, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(MediaRejectedError) as refused:
        probe_media(source_video)
    assert "recordings may be at most 9.8\xa0KB" in refused.value.message
    assert refused.value.code == "media_too_large"


def test_a_recording_longer_than_the_cap_is_refused(source_video, settings):
    settings.MEDIA_MAX_DURATION_SECONDS = 2
    with pytest.raises(MediaRejectedError) as refused:
        probe_media(source_video)
    assert refused.value.code == "media_too_long"


def test_a_probe_that_hangs_is_stopped_by_the_timeout(tmp_path, settings, monkeypatch):
    # A child that never answers stands in for a file that makes the demuxer spin.
    import courses.media.probing as probing

    settings.MEDIA_PROBE_TIMEOUT_SECONDS = 1
    real_run = probing.subprocess.run

    def slow(command, **kwargs):
        return real_run([command[0], "-c", "import time; time.sleep(30)"], **kwargs)

    monkeypatch.setattr(probing.subprocess, "run", slow)
    with pytest.raises(MediaRejectedError) as refused:
        probe_media(tmp_path / "whatever.mp4")
    assert refused.value.code == "probe_timeout"
    assert "took too long" in refused.value.message
