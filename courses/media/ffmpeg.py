"""Which ffmpeg binary the media pipeline runs, and why.

The one on PATH only when it qualifies: version ``MIN_VERSION`` or newer and every option, encoder and
muxer the pipeline uses (``courses/media/transcoding.py``) present in its ``-h full``. Otherwise the binary
the ``imageio-ffmpeg`` package ships, so a fresh machine needs no system package and a distribution's
older build (Debian 12 ships 5.1, which lacks ``-display_rotation``) never runs half a pipeline.
``MEDIA_FFMPEG`` (environment) names a binary explicitly; it is used as given, with a warning when it
falls short. The choice is made once per process, checked with two quick runs (``-version``,
``-h full``) and logged with its reason: at the start of a worker that serves the ``media`` queue, or
at first use elsewhere.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from celery.signals import worker_init

logger = logging.getLogger(__name__)

# -display_rotation (a phone video's rotation, used to make rotated test videos) arrived in 6.0.
MIN_VERSION = (6, 0)
# Options as they appear in ``ffmpeg -h full`` ("-name <type>" or "-name[:<stream_spec>] ...").
REQUIRED_OPTIONS = (
    "-display_rotation",
    "-stats_period",
    "-progress",
    "-filter_complex",
    "-force_key_frames",
    "-protocol_whitelist",
    "-format_whitelist",
    "-x264-params",
    "-aac_coder",
    "-hls_time",
    "-hls_playlist_type",
    "-hls_list_size",
    "-hls_flags",
    "-hls_segment_type",
    "-hls_segment_filename",
    "-master_pl_name",
    "-var_stream_map",
    "-update",
)
# Encoders and muxers: present when their option section is ("libx264 AVOptions:" ...).
REQUIRED_COMPONENTS = {
    "libx264 AVOptions:": "the libx264 encoder",
    "AAC encoder AVOptions:": "the aac encoder",
    "hls muxer AVOptions:": "the hls muxer",
    "image2 muxer AVOptions:": "the image2 muxer (poster)",
}
CHECK_TIMEOUT = 20  # seconds per run
_VERSION = re.compile(r"^ffmpeg version (\S+)", re.MULTILINE)
_NUMBERS = re.compile(r"^n?(\d+)\.(\d+)")


@dataclass(frozen=True)
class FfmpegChoice:
    path: str
    origin: str  # "PATH", "bundled" or "MEDIA_FFMPEG"
    version: str
    reason: str


def _run(path: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (argv list, no shell)
        [path, "-hide_banner", *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=CHECK_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise OSError(f"`{path} {' '.join(args)}` stopped with exit code {result.returncode}")
    return result.stdout


def version_of(path: str) -> str:
    """The version ffmpeg reports (``5.1.6-0+deb12u1``, ``n7.1``, ``N-113000-g...``); raises ``OSError``."""
    match = _VERSION.search(_run(path, "-version"))
    return match.group(1) if match else "unknown"


def shortcomings(path: str) -> list[str]:
    """What ``path`` lacks for the pipeline, in words; empty when it qualifies."""
    try:
        version = version_of(path)
        help_text = _run(path, "-h", "full")
    except (OSError, subprocess.SubprocessError) as exc:
        return [f"it does not run ({exc})"]
    problems = []
    numbers = _NUMBERS.match(version)
    # A development build ("N-113000-g...") has no release number; its features decide.
    if numbers and tuple(int(n) for n in numbers.groups()) < MIN_VERSION:
        problems.append(f"version {version} is older than {'.'.join(map(str, MIN_VERSION))}")
    missing = [
        option
        for option in REQUIRED_OPTIONS
        if not re.search(rf"^\s*{re.escape(option)}[\s\[:]", help_text, re.MULTILINE)
    ]
    if missing:
        problems.append("it lacks the options " + ", ".join(missing))
    absent = [name for section, name in REQUIRED_COMPONENTS.items() if section not in help_text]
    if absent:
        problems.append("it lacks " + ", ".join(absent))
    return problems


def _bundled() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def choose() -> FfmpegChoice:
    """Decide (without caching or logging); ``ffmpeg_choice`` is the cached, logged decision."""
    explicit = os.environ.get("MEDIA_FFMPEG", "")
    if explicit:
        problems = shortcomings(explicit)
        reason = "MEDIA_FFMPEG names it" + (f", although {'; '.join(problems)}" if problems else "")
        return FfmpegChoice(explicit, "MEDIA_FFMPEG", _version_or_unknown(explicit), reason)
    on_path = shutil.which("ffmpeg")
    if on_path:
        problems = shortcomings(on_path)
        if not problems:
            return FfmpegChoice(
                on_path, "PATH", _version_or_unknown(on_path), "the ffmpeg on PATH has every feature used"
            )
        reason = f"the ffmpeg on PATH ({on_path}) does not qualify: {'; '.join(problems)}"
    else:
        reason = "no ffmpeg on PATH"
    bundled = _bundled()
    return FfmpegChoice(bundled, "bundled", _version_or_unknown(bundled), reason)


def _version_or_unknown(path: str) -> str:
    try:
        return version_of(path)
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@functools.cache
def ffmpeg_choice() -> FfmpegChoice:
    choice = choose()
    level = (
        logging.WARNING if choice.origin == "MEDIA_FFMPEG" and "although" in choice.reason else logging.INFO
    )
    logger.log(
        level,
        "media pipeline uses ffmpeg %s (%s, version %s): %s",
        choice.path,
        choice.origin,
        choice.version,
        choice.reason,
    )
    return choice


def ffmpeg_exe() -> str:
    """The path of the ffmpeg binary to run."""
    return ffmpeg_choice().path


@worker_init.connect
def _choose_at_worker_start(sender=None, **kwargs) -> None:
    """A worker serving the media queue decides (and says) at start; its pool processes inherit it."""
    try:
        queues = set(sender.app.amqp.queues.consume_from or sender.app.amqp.queues)
    except AttributeError:
        queues = {"media"}
    if "media" in queues:
        ffmpeg_choice()
