"""Media steps through nginx: a producer's direct upload to S3 (presigned POST), and a learner's
playback through signed URLs with heartbeats."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import requests

from courses.media.ffmpeg import ffmpeg_exe

from .client import Browser, wait_until


def make_video(path: Path, *, seconds: int, size: str = "320x180", fps: int = 25, crf: int = 30) -> Path:
    """A test pattern with a tone, small on disk (the transcode, not the upload, is the work)."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-pix_fmt", "yuv420p", "-g", str(fps),
        "-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart", "-shortest", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=600)
    return path


def upload(producer: Browser, *, lecture_id: int, path: Path) -> str:
    """The studio's direct upload: reserve, POST the file straight to the bucket, complete. Returns
    the video's uid."""
    size = path.stat().st_size
    start = producer.post(
        f"/studio/media/lectures/{lecture_id}/direct-upload/",
        data={"filename": path.name, "size": str(size)},
        headers={"Accept": "application/json"},
    )
    assert start.status_code == 201, start.text[:2000]
    grant = start.json()
    with path.open("rb") as handle:
        stored = requests.post(grant["url"], data=grant["fields"], files={"file": handle}, timeout=120)
    assert stored.status_code == 201, stored.text[:2000]
    done = producer.post(grant["complete_url"], headers={"Accept": "application/json"})
    assert done.status_code == 200 and done.json()["status"] == "queued", done.text[:2000]
    return grant["uid"]


def video_row(db, uid: str) -> dict:
    rows = db(
        "SELECT status, attempts, progress_percent, output_prefix, source, error, is_current "
        "FROM courses_video WHERE uid = %s",
        uid,
    )
    if not rows:
        return {}
    keys = ("status", "attempts", "progress", "prefix", "source", "error", "is_current")
    return dict(zip(keys, rows[0], strict=True))


def wait_ready(db, uid: str, *, within: float) -> dict:
    def ready():
        row = video_row(db, uid)
        assert row.get("status") not in ("failed", "rejected"), row
        return row if row.get("status") == "ready" else None

    return wait_until(ready, within=within, what=f"video {uid} ready", every=0.5)


def play(learner: Browser, *, lecture_id: int) -> dict:
    """Fetch the playback grant, the master playlist, a variant and its first segment through the
    signed URLs; returns the grant (heartbeat URL and token)."""
    grant = learner.get(f"/api/v1/lectures/{lecture_id}/playback/")
    assert grant.status_code == 200, grant.text[:2000]
    grant = grant.json()
    master = learner.get(grant["master_url"])
    assert master.status_code == 200 and master.text.startswith("#EXTM3U"), master.text[:500]
    variant_url = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
    variant = learner.get(requests.compat.urljoin(master.url, variant_url))
    assert variant.status_code == 200 and "#EXTINF" in variant.text, variant.text[:500]
    segment_url = next(line for line in variant.text.splitlines() if line and not line.startswith("#"))
    segment = learner.get(requests.compat.urljoin(variant.url, segment_url))
    assert segment.status_code == 200 and len(segment.content) > 1000
    kind = segment.headers.get("Content-Type", "")
    assert re.match(r"video/|application/octet|binary/", kind), segment.headers
    return grant


def beat(learner: Browser, grant: dict, *, position: float, played_from: float | None, event: str = "tick"):
    body = {"token": grant["heartbeat"]["token"], "position": position, "event": event}
    if played_from is not None:
        body["played_from"] = played_from
    return learner.post("/progress/beat/", json=body)


def watch(learner: Browser, grant: dict, *, seconds: float, step: float = 1.0) -> list[int]:
    """Play from 0 to ``seconds`` in real time, a heartbeat every ``step`` s; returns the statuses."""
    statuses = [beat(learner, grant, position=0, played_from=None, event="play").status_code]
    position = 0.0
    while position < seconds:  # as the player: played_from is the position of the last beat sent
        time.sleep(step)
        last, position = position, min(seconds, position + step)
        event = "end" if position >= seconds else "tick"
        statuses.append(beat(learner, grant, position=position, played_from=last, event=event).status_code)
    return statuses
