"""Checks with a real client: ffmpeg decodes what the pipeline wrote; PyAV reads the segments."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av

from courses.media.ffmpeg import ffmpeg_exe


def decode_errors(playlist: Path) -> str:
    """Decode every variant of an HLS playlist with ffmpeg; returns ffmpeg's error output ('' = clean)."""
    completed = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-xerror",
            "-protocol_whitelist",
            "file",
            "-i",
            str(playlist),
            "-map",
            "0",
            "-f",
            "null",
            "-",
        ],  # fmt: skip
        capture_output=True,
        timeout=120,
        check=False,
    )
    return completed.stderr.decode() + (
        "" if completed.returncode == 0 else f" (exit {completed.returncode})"
    )


def segment_info(segment: Path) -> dict:
    """Picture size, first video timestamp and whether the segment starts on a keyframe."""
    with av.open(str(segment)) as container:
        video = container.streams.video[0]
        first = next(p for p in container.demux(video) if p.pts is not None)
        return {
            "size": (video.codec_context.width, video.codec_context.height),
            "start": round(float(first.pts * first.time_base), 2),
            "keyframe": first.is_keyframe,
            "audio": bool(container.streams.audio),
        }
