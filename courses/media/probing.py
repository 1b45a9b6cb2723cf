"""Hardened probing of uploaded recordings, before anything else touches them.

The untrusted file is opened by courses/media/container_inspection.py in a child process that runs under a
wall-clock timeout and CPU and memory limits; a hostile file can hang or crash only that child. The
child's verdict (a code) becomes a message in the producer's language here. Limits come from settings
(``MEDIA_MAX_UPLOAD_BYTES``, ``MEDIA_MAX_WIDTH`` ...), with defaults below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import MediaRejectedError

DEFAULTS = {
    "MEDIA_MAX_UPLOAD_BYTES": 20 * 1024**3,
    "MEDIA_MAX_WIDTH": 7680,
    "MEDIA_MAX_HEIGHT": 4320,
    "MEDIA_MIN_SIDE": 32,
    "MEDIA_MAX_DURATION_SECONDS": 6 * 3600,
    "MEDIA_MIN_DURATION_SECONDS": 0.5,
    "MEDIA_MAX_FPS": 120,
    "MEDIA_MAX_STREAMS": 16,
    "MEDIA_PROBE_TIMEOUT_SECONDS": 30,
    "MEDIA_PROBE_MEMORY_BYTES": 1536 * 1024**2,
}


def media_setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


@dataclass(frozen=True)
class ProbeResult:
    format: str
    duration: float
    width: int
    height: int
    fps: float | None
    video_codec: str
    audio_codec: str | None
    size: int
    pixel_format: str | None = None
    audio_channels: int | None = None
    rotation: int = 0

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    def as_dict(self) -> dict:
        return asdict(self)


def _limits() -> dict:
    return {
        "max_bytes": media_setting("MEDIA_MAX_UPLOAD_BYTES"),
        "max_width": media_setting("MEDIA_MAX_WIDTH"),
        "max_height": media_setting("MEDIA_MAX_HEIGHT"),
        "min_side": media_setting("MEDIA_MIN_SIDE"),
        "max_duration": media_setting("MEDIA_MAX_DURATION_SECONDS"),
        "min_duration": media_setting("MEDIA_MIN_DURATION_SECONDS"),
        "max_fps": media_setting("MEDIA_MAX_FPS"),
        "max_streams": media_setting("MEDIA_MAX_STREAMS"),
        "io_timeout": media_setting("MEDIA_PROBE_TIMEOUT_SECONDS"),
    }


def _limit_child(cpu_seconds: int, memory_bytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return apply


def _message(code: str, params: dict) -> str:
    limits = _limits()
    if code == "empty":
        return _("The file is empty (0 bytes). Choose the recording itself and upload it again.")
    if code == "too_large":
        return _("The file is %(size)s; recordings may be at most %(limit)s.") % {
            "size": filesizeformat(params.get("size", 0)),
            "limit": filesizeformat(limits["max_bytes"]),
        }
    if code == "playlist":
        return _(
            "This is a playlist (a text file that points to other files), not a video. "
            "Upload the recording itself, for example an MP4 file."
        )
    if code == "concat":
        return _("This is a list of files to join, not a video. Upload the recording itself.")
    if code == "text":
        return _("This is a text document, not a video. Upload the recording itself, for example an MP4.")
    if code == "unreadable":
        return _(
            "This file is not a video we can read, or it is damaged. "
            "Upload an MP4, MOV, MKV, WebM, AVI, MPEG-TS or MXF recording."
        )
    if code == "format":
        return _(
            "Files of type “%(format)s” are not accepted. Upload an MP4, MOV, MKV or WebM recording."
        ) % {"format": params.get("format", "?")}
    if code == "streams":
        return _("The file holds %(count)s streams; a recording has at most %(limit)s.") % {
            "count": params.get("count"),
            "limit": limits["max_streams"],
        }
    if code == "no_video":
        return _("The file holds no video picture (audio only?). Upload the video recording.")
    if code in {"no_dimensions", "undecodable"}:
        return _("The video picture in this file cannot be decoded. Export the recording again as H.264 MP4.")
    if code == "dimensions_large":
        return _(
            "The picture is %(width)s×%(height)s pixels; at most %(max_width)s×%(max_height)s is accepted."
        ) % {
            "width": params.get("width"),
            "height": params.get("height"),
            "max_width": limits["max_width"],
            "max_height": limits["max_height"],
        }
    if code == "dimensions_small":
        return _("The picture is only %(width)s×%(height)s pixels; at least %(min)s pixels per side.") % {
            "width": params.get("width"),
            "height": params.get("height"),
            "min": limits["min_side"],
        }
    if code == "no_duration":
        return _("The file does not say how long it is, so it cannot be a finished recording.")
    if code == "too_long":
        return _("The recording lasts %(duration)s minutes; at most %(limit)s minutes are accepted.") % {
            "duration": round(params.get("duration", 0) / 60),
            "limit": round(limits["max_duration"] / 60),
        }
    if code == "too_short":
        return _("The recording lasts less than a second.")
    if code == "fps":
        return _("The recording has %(fps)s frames per second; at most %(limit)s is accepted.") % {
            "fps": round(params.get("fps", 0)),
            "limit": limits["max_fps"],
        }
    if code == "truncated":
        return _(
            "The file is incomplete: it should last %(duration)s seconds but its data stops after "
            "%(reached)s seconds. Upload it again, and wait until the upload has finished."
        ) % {"duration": round(params.get("duration", 0), 1), "reached": round(params.get("reached", 0), 1)}
    if code == "timeout":
        return _("Checking the file took too long, so it was stopped. The file may be damaged.")
    return _("The file could not be checked. It may be damaged; export it again and retry.")


def probe_media(path: str | Path) -> ProbeResult:
    """Check ``path`` (a local file) and describe it, or raise ``MediaRejectedError`` saying why."""
    timeout = media_setting("MEDIA_PROBE_TIMEOUT_SECONDS")
    base_dir = str(Path(__file__).resolve().parents[2])  # the project root, above courses/
    command = [
        sys.executable,
        "-I",  # isolated: no user site, no environment variables, no cwd on sys.path
        "-c",
        f"import sys; sys.path.insert(0, {base_dir!r}); "
        "from courses.media.container_inspection import main; sys.exit(main(sys.argv[1:]))",
        str(path),
        json.dumps(_limits()),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            command,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_child(timeout + 5, media_setting("MEDIA_PROBE_MEMORY_BYTES")),  # noqa: PLW1509
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MediaRejectedError(_message("timeout", {}), code="probe_timeout") from None
    try:
        verdict = json.loads(completed.stdout or b"{}")
    except ValueError:
        verdict = {}
    if completed.returncode != 0 or "ok" not in verdict:
        raise MediaRejectedError(_message("crashed", {}), code="probe_failed")
    if not verdict["ok"]:
        code = verdict.get("code", "unreadable")
        raise MediaRejectedError(_message(code, verdict.get("params", {})), code=f"media_{code}")
    return ProbeResult(**verdict["info"])
