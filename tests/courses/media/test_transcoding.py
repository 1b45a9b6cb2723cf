from __future__ import annotations

import shutil

import pytest

from courses.media import transcoding
from courses.media.probing import probe_media
from courses.media.transcoding import (
    TranscodeError,
    build_command,
    check_outputs,
    plan_ladder,
    run_ffmpeg,
    transcode,
)
from tests.support.media import make_test_video

from .helpers import decode_errors, segment_info


@pytest.fixture(scope="module")
def long_source(tmp_path_factory):
    """13 seconds: three 6-second segments, so boundaries can be compared."""
    return make_test_video(tmp_path_factory.mktemp("long") / "talk.mp4", seconds=13, width=640, height=360)


@pytest.fixture(scope="module")
def ladder_output(long_source, tmp_path_factory):
    from django.test import override_settings

    out = tmp_path_factory.mktemp("hls")
    reports = []
    with override_settings(MEDIA_LADDER=[360, 180], MEDIA_X264_PRESET="ultrafast"):
        old = transcoding.PROGRESS_INTERVAL
        transcoding.PROGRESS_INTERVAL = 0
        try:
            result = transcode(
                source=long_source,
                out_dir=out,
                probe=probe_media(long_source),
                on_progress=lambda fraction, eta: reports.append((fraction, eta)),
            )
        finally:
            transcoding.PROGRESS_INTERVAL = old
    return out, result, reports


def test_ffmpeg_decodes_the_master_playlist_without_errors(ladder_output):
    out, result, _reports = ladder_output
    assert decode_errors(out / "master.m3u8") == ""
    master = (out / "master.m3u8").read_text()
    assert "RESOLUTION=640x360" in master and "RESOLUTION=320x180" in master


def test_each_rendition_has_the_expected_picture_size_and_audio(ladder_output):
    out, result, _reports = ladder_output
    assert [(r["name"], r["width"], r["height"]) for r in result.renditions] == [
        ("360p", 640, 360),
        ("180p", 320, 180),
    ]
    for rendition in result.renditions:
        for segment in sorted((out / rendition["name"]).glob("seg_*.ts")):
            info = segment_info(segment)
            assert info["size"] == (rendition["width"], rendition["height"])
            assert info["audio"]


def test_segments_start_on_keyframes_at_the_same_times_in_every_rendition(ladder_output):
    out, result, _reports = ladder_output
    starts = {}
    for rendition in result.renditions:
        infos = [segment_info(s) for s in sorted((out / rendition["name"]).glob("seg_*.ts"))]
        assert len(infos) == 3  # 6 s + 6 s + 1 s
        assert all(info["keyframe"] for info in infos)
        starts[rendition["name"]] = [info["start"] - infos[0]["start"] for info in infos]
    assert starts["360p"] == starts["180p"]
    assert starts["360p"] == pytest.approx([0, 6, 12], abs=0.05)


def test_the_poster_and_the_download_mp4_are_written(ladder_output):
    out, result, _reports = ladder_output
    assert (out / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert decode_errors(out / "download.mp4") == ""
    import av

    with av.open(str(out / "download.mp4")) as container:
        assert container.streams.video[0].codec_context.height == 360
        assert container.duration / 1_000_000 == pytest.approx(13, abs=0.2)


def test_progress_is_reported_as_a_growing_fraction_with_time_left(ladder_output):
    _out, _result, reports = ladder_output
    fractions = [fraction for fraction, _eta in reports]
    assert fractions and fractions == sorted(fractions)
    assert fractions[-1] >= 0.9
    assert all(0 <= f <= 1 for f in fractions)


def test_the_ladder_uses_one_decode_and_a_split_filter(long_source, tmp_path, settings):
    probe = probe_media(long_source)
    command = build_command(
        source=long_source, out_dir=tmp_path, probe=probe, renditions=plan_ladder(640, 360)
    )
    assert command.count("-i") == 1
    graph = command[command.index("-filter_complex") + 1]
    assert graph.startswith("[0:v:0]split=2[base][sp]")  # the picture, and the poster
    assert graph.count("scale=") == 3 and graph.count("split=2") == 2  # 360p feeds 180p
    assert command[command.index("-protocol_whitelist") + 1] == "file"
    assert "-format_whitelist" in command


def test_the_ladder_is_never_larger_than_the_source(settings):
    settings.MEDIA_LADDER = [1080, 720, 360]
    assert [r.name for r in plan_ladder(1920, 1080)] == ["1080p", "720p", "360p"]
    assert [(r.width, r.height) for r in plan_ladder(1280, 720)] == [(1280, 720), (640, 360)]
    small = plan_ladder(426, 240)
    assert [(r.width, r.height) for r in small] == [(426, 240)]


def test_a_video_without_sound_is_transcoded_without_audio(tmp_path):
    source = make_test_video(tmp_path / "silent.mp4", seconds=2, width=320, height=180, audio=False)
    result = transcode(source=source, out_dir=tmp_path / "out", probe=probe_media(source))
    assert [r["name"] for r in result.renditions] == ["180p"]
    assert decode_errors(tmp_path / "out" / "master.m3u8") == ""
    assert not segment_info(next((tmp_path / "out" / "180p").glob("seg_*.ts")))["audio"]


def test_the_health_check_names_a_missing_segment_and_a_short_rendition(ladder_output, tmp_path):
    out, result, _reports = ladder_output
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "180p" / "seg_00001.ts").unlink()
    renditions = plan_ladder(640, 360)
    with pytest.raises(TranscodeError) as missing:
        check_outputs(copy, renditions=renditions, duration=13)
    assert "180p" in missing.value.message and "seg_00001.ts" in missing.value.message

    with pytest.raises(TranscodeError) as short:
        check_outputs(out, renditions=renditions, duration=20)
    assert "lasts 13.00 s instead of 20.00 s" in short.value.message


def test_a_transcode_over_its_time_limit_is_stopped_with_a_reason(tmp_path):
    from courses.media.ffmpeg import ffmpeg_exe

    command = [ffmpeg_exe(), "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5:duration=30",
               "-progress", "pipe:1", "-f", "null", "-"]  # fmt: skip
    with pytest.raises(TranscodeError) as stopped:
        run_ffmpeg(command, duration=30, timeout=1)
    assert "longer than the limit" in stopped.value.message


def test_an_ffmpeg_error_is_reported_with_ffmpegs_words(long_source, tmp_path, settings):
    settings.MEDIA_X264_PRESET = "no-such-preset"
    with pytest.raises(TranscodeError) as failed:
        transcode(source=long_source, out_dir=tmp_path, probe=probe_media(long_source))
    assert "ffmpeg stopped with an error" in failed.value.message
    assert "preset" in failed.value.message.lower()


def test_a_phone_video_stored_sideways_is_transcoded_upright(source_video, tmp_path):
    import subprocess

    from courses.media.ffmpeg import ffmpeg_exe

    rotated = tmp_path / "phone.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-display_rotation",
            "90",
            "-i",
            str(source_video),
            "-c",
            "copy",
            str(rotated),
        ],
        check=True,
    )
    probe = probe_media(rotated)
    assert (probe.width, probe.height, abs(probe.rotation)) == (360, 640, 90)
    result = transcode(source=rotated, out_dir=tmp_path / "out", probe=probe)
    assert [(r["width"], r["height"]) for r in result.renditions] == [(360, 640), (180, 320)]
    assert segment_info(next((tmp_path / "out" / "360p").glob("seg_*.ts")))["size"] == (360, 640)
