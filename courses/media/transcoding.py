"""Single-pass HLS transcoding: one decode, a ``split`` filter, one encode per rendition.

``transcode(source=, out_dir=, probe=)`` writes into a local folder::

    master.m3u8                  the master playlist (one variant per rendition)
    <height>p/index.m3u8         a rendition's media playlist, 6-second segments
    <height>p/seg_00000.ts ...
    poster.jpg                   a frame from early in the recording
    download.mp4                 the top rendition remuxed (no second encode)

Keyframes are forced every ``SEGMENT_SECONDS`` in every rendition (scene-cut keyframes off), so segment
boundaries agree across renditions and players can switch at any boundary. ffmpeg reports progress on
``-progress pipe:1``; ``on_progress(fraction, eta_seconds)`` gets it. The process runs niced, under a
wall-clock timeout and CPU/memory limits, reading only local files of whitelisted container formats.
``check_outputs`` is the health check run before anything is published.
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .container_inspection import FORMAT_WHITELIST
from .errors import TranscodeError
from .ffmpeg import ffmpeg_exe
from .probing import ProbeResult

SEGMENT_SECONDS = 6
# height -> (video kbit/s, audio kbit/s); a rendition never exceeds the source's height.
BITRATES = {2160: (14000, 160), 1440: (8000, 160), 1080: (5000, 128), 720: (2800, 128), 480: (1400, 96),
            360: (800, 96), 240: (400, 64), 180: (250, 64)}  # fmt: skip
DEFAULT_LADDER = (1080, 720, 360)
# x264 preset: "superfast" (bench/transcode.py: 1080p/720p/360p ladder on two cores); "veryfast" saves ~10 %
# bitrate at ~1.45× the CPU. MEDIA_X264_PRESET overrides.
DEFAULT_PRESET = "superfast"
# Fixed B-frame pattern (b-adapt=0): the adaptive B-frame decision runs a low-resolution motion search on
# every frame of every rendition (~25 % of the 1080p encoder's CPU); fixed costs ~0.1 dB PSNR on 1080p.
X264_PARAMS = "b-adapt=0"
# ffmpeg's "fast" AAC coder costs a third less CPU than "twoloop" (three audio encodes, one per variant);
# FFmpeg made it the default in 2018 as sounding no worse at 128 kbit/s.
AAC_CODER = "fast"
PROGRESS_INTERVAL = 1.0  # seconds between progress reports


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    video_kbps: int
    audio_kbps: int

    def as_dict(self) -> dict:
        return asdict(self)


def _setting(name: str, default):
    return getattr(settings, name, default)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def plan_ladder(
    width: int, height: int, heights: tuple[int, ...] | list[int] | None = None
) -> list[Rendition]:
    """The renditions for a ``width``×``height`` source, largest first, none larger than the source.

    A rung ("720p") sizes the picture's short side, so a portrait phone video gets 720×1280, not 405×720.
    """
    rungs = sorted(set(heights or _setting("MEDIA_LADDER", DEFAULT_LADDER)), reverse=True)
    short = min(width, height)
    chosen = [r for r in rungs if r <= short] or [_even(short)]
    renditions = []
    for rung in chosen:
        if width >= height:
            w, h = _even(width * rung / height), rung
        else:
            w, h = rung, _even(height * rung / width)
        video, audio = BITRATES.get(rung) or _scaled_bitrate(w, h)
        renditions.append(Rendition(name=f"{rung}p", width=w, height=h, video_kbps=video, audio_kbps=audio))
    return renditions


def _scaled_bitrate(width: int, height: int) -> tuple[int, int]:
    # Same bits per pixel as the 360p rung, at least 150 kbit/s.
    per_pixel = BITRATES[360][0] / (640 * 360)
    return max(150, int(width * height * per_pixel)), 64


def poster_time(duration: float) -> float:
    return round(min(5.0, duration / 10), 3)


def build_command(
    *, source: str | Path, out_dir: str | Path, probe: ProbeResult, renditions: list[Rendition]
) -> list[str]:
    """The one ffmpeg command: decode once, split, encode every rendition, write HLS and the poster."""
    out_dir = Path(out_dir)
    fps = probe.fps if probe.fps and 1 <= probe.fps <= 120 else 25.0
    gop = max(1, round(fps * SEGMENT_SECONDS))
    # Decode once; split off the poster; scale in a cascade (1080 -> 720 -> 360: each rung scales the
    # previous, smaller input than the source, ~2 % less CPU than scaling every rung from the source).
    graph = ["[0:v:0]split=2[base][sp]"]
    current = "base"
    for i, r in enumerate(renditions):
        step = f"[{current}]scale={r.width}:{r.height}:flags=bicubic,format=yuv420p,setsar=1"
        if i == len(renditions) - 1:
            graph.append(f"{step}[v{i}]")
        else:
            graph.append(f"{step},split=2[v{i}][c{i}]")
            current = f"c{i}"
    graph.append(f"[sp]select='gte(t\\,{poster_time(probe.duration)})',scale=-2:min(ih\\,720)[poster]")

    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-nostats", "-loglevel", "error",
        "-progress", "pipe:1", "-stats_period", "1",
        "-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST,
        "-i", str(source),
        "-filter_complex", ";".join(graph),
    ]  # fmt: skip
    stream_map = []
    for i, r in enumerate(renditions):
        command += ["-map", f"[v{i}]"]
        if probe.has_audio:
            command += ["-map", "0:a:0"]
            stream_map.append(f"v:{i},a:{i},name:{r.name}")
        else:
            stream_map.append(f"v:{i},name:{r.name}")
    threads = str(_setting("MEDIA_FFMPEG_THREADS", 0))
    command += [
        "-c:v", "libx264", "-preset", _setting("MEDIA_X264_PRESET", DEFAULT_PRESET), "-profile:v", "high",
        "-x264-params", X264_PARAMS, "-threads", threads,
        "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
    ]  # fmt: skip
    for i, r in enumerate(renditions):
        command += [
            f"-b:v:{i}", f"{r.video_kbps}k",
            f"-maxrate:v:{i}", f"{int(r.video_kbps * 1.07)}k",
            f"-bufsize:v:{i}", f"{int(r.video_kbps * 1.5)}k",
        ]  # fmt: skip
    if probe.has_audio:
        command += ["-c:a", "aac", "-aac_coder", AAC_CODER, "-ac", "2", "-ar", "48000"]
        for i, r in enumerate(renditions):
            command += [f"-b:a:{i}", f"{r.audio_kbps}k"]
    command += [
        "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod", "-hls_list_size", "0",
        "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", str(out_dir / "%v" / "seg_%05d.ts"),
        "-master_pl_name", "master.m3u8",
        "-var_stream_map", " ".join(stream_map),
        str(out_dir / "%v" / "index.m3u8"),
        "-map", "[poster]", "-frames:v", "1", "-q:v", "3", "-update", "1", str(out_dir / "poster.jpg"),
    ]  # fmt: skip
    return command


def _limits(timeout: float):
    cpu = int(timeout * 4) + 60
    memory = int(_setting("MEDIA_TRANSCODE_MEMORY_BYTES", 6 * 1024**3))
    nice = int(_setting("MEDIA_TRANSCODE_NICE", 5))

    def apply() -> None:
        import os
        import resource

        if nice:
            os.nice(nice)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def transcode_timeout(duration: float) -> float:
    """Wall-clock budget: ``MEDIA_TRANSCODE_TIMEOUT_FACTOR`` × the duration, at least 5 minutes."""
    return max(300.0, duration * float(_setting("MEDIA_TRANSCODE_TIMEOUT_FACTOR", 4)))


def run_ffmpeg(
    command: list[str],
    *,
    duration: float,
    timeout: float,
    on_progress: Callable[[float, int | None], None] | None = None,
    progress_interval: float | None = None,
) -> float:
    """Run an ffmpeg command that writes ``-progress pipe:1``; returns the wall-clock seconds taken."""
    started = time.monotonic()
    progress_interval = PROGRESS_INTERVAL if progress_interval is None else progress_interval
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 (argv list, no shell)
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            preexec_fn=_limits(timeout),  # noqa: PLW1509
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        last_report = 0.0
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                key, _sep, value = raw.decode("ascii", "replace").strip().partition("=")
                if key != "out_time_us" or not value.isdigit() or on_progress is None or duration <= 0:
                    continue
                now = time.monotonic()
                if now - last_report < progress_interval:
                    continue
                last_report = now
                fraction = min(1.0, int(value) / 1_000_000 / duration)
                elapsed = now - started
                eta = int(math.ceil(elapsed * (1 - fraction) / fraction)) if fraction > 0.01 else None
                on_progress(fraction, eta)
            process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if timed_out.is_set():
            raise TranscodeError(
                _("Transcoding took longer than the limit of %(minutes)s minutes and was stopped.")
                % {"minutes": round(timeout / 60)},
                code="transcode_timeout",
            )
        if process.returncode != 0:
            stderr.seek(0)
            tail = _first_errors(stderr.read(64 * 1024).decode("utf-8", "replace"))
            raise TranscodeError(
                _("ffmpeg stopped with an error (exit code %(code)s): %(detail)s")
                % {"code": process.returncode, "detail": tail or _("no details")},
                code="ffmpeg_failed",
            )
    return time.monotonic() - started


def _first_errors(output: str, lines: int = 3) -> str:
    """The first lines ffmpeg complained with (the cause; later lines are consequences), addresses removed."""
    kept = [re.sub(r" @ 0x[0-9a-f]+", "", line).strip() for line in output.splitlines() if line.strip()]
    return "\n".join(kept[:lines])[:600]


@dataclass
class TranscodeResult:
    renditions: list[dict]
    duration: float
    seconds: float


def transcode(
    *,
    source: str | Path,
    out_dir: str | Path,
    probe: ProbeResult,
    on_progress: Callable[[float, int | None], None] | None = None,
    heights: list[int] | None = None,
) -> TranscodeResult:
    """Transcode ``source`` into ``out_dir`` (see the module docstring) and health-check the result."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    renditions = plan_ladder(probe.width, probe.height, heights)
    timeout = transcode_timeout(probe.duration)
    seconds = run_ffmpeg(
        build_command(source=source, out_dir=out_dir, probe=probe, renditions=renditions),
        duration=probe.duration,
        timeout=timeout,
        on_progress=on_progress,
    )
    seconds += _remux_download(out_dir, renditions[0], timeout=timeout)
    summary = check_outputs(out_dir, renditions=renditions, duration=probe.duration)
    return TranscodeResult(renditions=summary, duration=probe.duration, seconds=seconds)


def _remux_download(out_dir: Path, top: Rendition, *, timeout: float) -> float:
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-nostats", "-loglevel", "error",
        "-progress", "pipe:1", "-protocol_whitelist", "file", "-f", "hls",
        "-i", str(out_dir / top.name / "index.m3u8"),
        "-map", "0", "-c", "copy", "-movflags", "+faststart", str(out_dir / "download.mp4"),
    ]  # fmt: skip
    return run_ffmpeg(command, duration=0, timeout=timeout)


# --- Health check ---------------------------------------------------------------------------------

_EXTINF = re.compile(r"^#EXTINF:([0-9.]+)")


def parse_media_playlist(path: Path) -> list[tuple[float, str]]:
    """``[(duration, segment name), ...]`` of an HLS media playlist."""
    segments: list[tuple[float, str]] = []
    pending: float | None = None
    for line in path.read_text().splitlines():
        line = line.strip()
        match = _EXTINF.match(line)
        if match:
            pending = float(match.group(1))
        elif line and not line.startswith("#") and pending is not None:
            segments.append((pending, line))
            pending = None
    return segments


def check_outputs(out_dir: str | Path, *, renditions: list[Rendition], duration: float) -> list[dict]:
    """Verify every rendition: listed in the master, segments present, durations add up to the source's,
    boundaries aligned across renditions; poster and download present. Returns the rendition summary."""
    out_dir = Path(out_dir)
    problems: list[str] = []
    master = out_dir / "master.m3u8"
    master_text = master.read_text() if master.exists() else ""
    if not master_text.startswith("#EXTM3U"):
        problems.append(_("the master playlist is missing"))
    tolerance = max(0.5, duration * 0.01)
    boundaries: dict[str, list[float]] = {}
    summary = []
    for r in renditions:
        playlist = out_dir / r.name / "index.m3u8"
        if f"{r.name}/index.m3u8" not in master_text:
            problems.append(_("rendition %(name)s is not in the master playlist") % {"name": r.name})
        if not playlist.exists():
            problems.append(_("rendition %(name)s has no playlist") % {"name": r.name})
            continue
        segments = parse_media_playlist(playlist)
        missing = [n for _d, n in segments if not (out_dir / r.name / n).is_file() or "/" in n or ".." in n]
        missing += [
            n
            for _d, n in segments
            if (out_dir / r.name / n).is_file() and not (out_dir / r.name / n).stat().st_size
        ]
        if not segments or missing:
            problems.append(
                _("rendition %(name)s lacks segments: %(missing)s")
                % {"name": r.name, "missing": ", ".join(missing[:5]) or _("none listed")}
            )
            continue
        total = sum(d for d, _n in segments)
        if abs(total - duration) > tolerance:
            problems.append(
                _("rendition %(name)s lasts %(total).2f s instead of %(duration).2f s")
                % {"name": r.name, "total": total, "duration": duration}
            )
        edges, position = [], 0.0
        for d, _n in segments[:-1]:
            position += d
            edges.append(round(position, 2))
        boundaries[r.name] = edges
        summary.append({**r.as_dict(), "segments": len(segments), "duration": round(total, 3),
                        "playlist": f"{r.name}/index.m3u8"})  # fmt: skip
    if len({tuple(e) for e in boundaries.values()}) > 1:
        problems.append(_("segment boundaries differ between renditions"))
    for name in ("poster.jpg", "download.mp4"):
        if not (out_dir / name).is_file() or not (out_dir / name).stat().st_size:
            problems.append(_("%(name)s is missing") % {"name": name})
    if problems:
        raise TranscodeError(
            _("The health check of the transcoded video failed: %(problems)s.")
            % {"problems": "; ".join(problems)},
            code="health_check_failed",
        )
    return summary
