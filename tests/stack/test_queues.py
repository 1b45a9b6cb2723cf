"""The media queue under stress on the production topology: a media worker killed mid-transcode (the
video is processed again and becomes ready once, nothing left behind in S3 or on disk), and a long
transcode that occupies the media worker while a speaker reminder falls due (sent within 90 s).

The long transcode is last in the package: it is cut off when the stack stops."""

from __future__ import annotations

import time

import pytest

from .client import received, scenario, wait_until
from .media import make_video, upload, video_row, wait_ready
from .test_journeys import stack_keys

pytestmark = [pytest.mark.stack]


def transcoding(db, uid: str, *, at_least: int = 1):
    row = video_row(db, uid)
    return row if row.get("status") == "transcoding" and row["progress"] >= at_least else None


def leftovers(stack) -> list[str]:
    """Files the media pipeline keeps while it works: its work folder and temporary downloads."""
    found = [p for p in stack.work_dir.rglob("*")]
    found += [p for p in stack.tmp_dir.glob("omooc-*")]
    return sorted(str(p) for p in found)


def test_a_media_worker_killed_mid_transcode_gets_the_video_processed_again_ready_once_nothing_orphaned(
    stack, db, browser, tmp_path
):
    world = scenario(stack, "world", tag="sigkill")
    producer = browser(world["producer"], world["password"])
    source = make_video(tmp_path / "long-take.mp4", seconds=40, size="640x360")
    uid = upload(producer, lecture_id=world["lecture_id"], path=source)
    wait_until(lambda: transcoding(db, uid, at_least=5), within=180, what="the transcode under way")
    assert leftovers(stack), "the transcode writes nothing to its work folder?"
    stack.kill("worker-media")  # SIGKILL to the worker, its pool process and ffmpeg
    killed = time.monotonic()
    media = stack.services["worker-media"]
    wait_until(lambda: media.running() and media.starts == 2, within=30, what="the media worker again")
    video = wait_ready(db, uid, within=300)
    recovered = time.monotonic() - killed
    print(f"media worker SIGKILLed mid-transcode: video ready {recovered:.0f} s later (stale after 20 s)")
    assert video["attempts"] == 2 and video["is_current"] and not video["error"]
    assert stack.log("worker-media").count(f"video {uid} ready in") == 1

    keys = [k for k in stack_keys(stack) if uid in k]
    outputs = [k for k in keys if k.startswith("videos/")]
    assert outputs and all(k.startswith(video["prefix"] + "/") for k in outputs), outputs
    assert [k for k in keys if not k.startswith("videos/")] == [video["source"]], keys
    assert not leftovers(stack)


def test_a_reminder_falls_due_during_a_long_transcode_and_is_sent_within_90_s(
    stack, db, smtp, browser, tmp_path
):
    world = scenario(stack, "world", tag="queues")
    producer = browser(world["producer"], world["password"])
    # Ten minutes of source: the media worker is busy for minutes (x264 preset "slow").
    source = make_video(tmp_path / "ten-minutes.mp4", seconds=600, size="640x360", fps=25, crf=40)
    uid = upload(producer, lecture_id=world["lecture_id"], path=source)
    wait_until(lambda: transcoding(db, uid), within=180, what="the long transcode under way")

    planned = scenario(
        stack, "session", production_id=world["production_id"], speaker_id=world["speaker_id"], reminder_in=5
    )
    wait_until(lambda: received(smtp, to=world["speaker"], kind="reminder"), within=100, what="the reminder")
    latency = time.time() - planned["due_at"]
    still = video_row(db, uid)
    print(
        f"reminder sent {latency:.1f} s after it fell due, while the transcode was at {still['progress']} %"
    )
    assert still["status"] == "transcoding", "the transcode ended before the reminder: not a measurement"
    assert latency < 90
    assert len(received(smtp, to=world["speaker"], kind="reminder")) == 1
