"""The part of the hardened probe that touches the untrusted file, run in a child process.

``python -m courses.media.container_inspection PATH LIMITS_JSON`` prints one JSON object:
``{"ok": true, "info": {...}}`` or ``{"ok": false, "code": "...", "params": {...}}``. It imports no
Django, so the parent (courses/media/probing.py) can start it cheaply under a timeout and resource limits and
turn the code into a message in the producer's language.

Defences, in order: size checks; a look at the first bytes (playlists, concat lists and text are
refused before any demuxer sees them); libavformat opened with a container whitelist and the ``file``
protocol only; stream count, dimensions, frame rate and duration caps; one frame decoded; and the last
seconds demuxed, so a file whose index promises more than its bytes hold (truncated) is refused.
"""

from __future__ import annotations

import json
import os
import sys

# libavformat demuxer names we accept (ffmpeg's names, comma-joined as libavformat reports them).
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mxf"
ACCEPTED_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts", "mxf"}

_TEXT_SIGNATURES = {
    b"#EXTM3U": "playlist",
    b"#EXT-X": "playlist",
    b"ffconcat": "concat",
    b"file '": "concat",
    b'file "': "concat",
    b"[playlist]": "playlist",
    b"<?xml": "text",
    b"<MPD": "playlist",
    b"<!DOCTYPE": "text",
    b"<html": "text",
    b"WEBVTT": "text",
}


class Refused(Exception):
    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _sniff(path: str) -> None:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for signature, kind in _TEXT_SIGNATURES.items():
        if stripped[: len(signature)].lower() == signature.lower():
            raise Refused(kind)
    # Media containers are binary; a head that is all printable text is a list or a document.
    if head and all(32 <= byte < 127 or byte in (9, 10, 13) for byte in head):
        raise Refused("text")


def inspect(path: str, limits: dict) -> dict:
    size = os.path.getsize(path)
    if size == 0:
        raise Refused("empty")
    if size > limits["max_bytes"]:
        raise Refused("too_large", size=size, limit=limits["max_bytes"])
    _sniff(path)

    import av

    try:
        container = av.open(
            path,
            options={"format_whitelist": FORMAT_WHITELIST, "protocol_whitelist": "file"},
            timeout=limits.get("io_timeout", 10),
        )
    except av.error.FFmpegError:
        raise Refused("unreadable") from None
    with container:
        if container.format.name not in ACCEPTED_FORMATS:
            raise Refused("format", format=container.format.name)
        if len(container.streams) > limits["max_streams"]:
            raise Refused("streams", count=len(container.streams))
        if not container.streams.video:
            raise Refused("no_video")
        video = container.streams.video[0]
        ctx = video.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width <= 0 or height <= 0:
            raise Refused("no_dimensions")
        if (
            width > limits["max_width"]
            or height > limits["max_height"]
            or width * height > limits["max_width"] * limits["max_height"]
        ):
            raise Refused("dimensions_large", width=width, height=height)
        if width < limits["min_side"] or height < limits["min_side"]:
            raise Refused("dimensions_small", width=width, height=height)
        if container.duration is None or container.duration <= 0:
            raise Refused("no_duration")
        duration = container.duration / 1_000_000
        if duration > limits["max_duration"]:
            raise Refused("too_long", duration=duration)
        if duration < limits["min_duration"]:
            raise Refused("too_short", duration=duration)
        rate = video.average_rate or video.guessed_rate or video.base_rate
        fps = float(rate) if rate else 0.0
        if fps > limits["max_fps"]:
            raise Refused("fps", fps=fps)
        audio = container.streams.audio[0] if container.streams.audio else None

        # One decoded picture proves the codec is real and supported.
        try:
            frame = next(container.decode(video), None)
        except (av.error.FFmpegError, ValueError):
            frame = None
        if frame is None:
            raise Refused("undecodable")
        # Phones store portrait video as landscape pictures plus a rotation; ffmpeg turns them upright,
        # so the ladder is planned on the displayed size.
        rotation = int(getattr(frame, "rotation", 0) or 0)
        if abs(rotation) % 180 == 90:
            width, height = height, width

        # Truncation: the index promises ``duration``; the bytes must reach (nearly) that far.
        reached = 0.0
        try:
            container.seek(int(max(0.0, duration - 3.0) * 1_000_000))
            for packet in container.demux(video):
                if packet.pts is not None and packet.size:
                    end = (packet.pts + (packet.duration or 0)) * packet.time_base
                    reached = max(reached, float(end) - float(video.start_time or 0) * float(video.time_base))
        except av.error.FFmpegError:
            pass
        tolerance = max(1.0, duration * 0.02)
        if reached < duration - tolerance:
            raise Refused("truncated", reached=reached, duration=duration)

        return {
            "format": container.format.name,
            "duration": duration,
            "width": width,
            "height": height,
            "fps": round(fps, 3) if fps else None,
            "video_codec": ctx.name,
            "pixel_format": ctx.format.name if ctx.format else None,
            "audio_codec": audio.codec_context.name if audio else None,
            "audio_channels": (audio.codec_context.channels if audio else None),
            "size": size,
            "rotation": rotation,
        }


def main(argv: list[str]) -> int:
    path, limits = argv[0], json.loads(argv[1])
    try:
        result = {"ok": True, "info": inspect(path, limits)}
    except Refused as refused:
        result = {"ok": False, "code": refused.code, "params": refused.params}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
