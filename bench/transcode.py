"""Transcoding: single-pass ladder vs one run per rendition; the pipeline vs bare ffmpeg.

× realtime of the single-pass ladder and of one ffmpeg run per rendition on the same input, and the
pipeline's runner (progress parsing, limits, timeout) vs the same ffmpeg command run bare.

Input: a generated 60-second 1080p test pattern with temporal grain (camera-like, ~65 Mbit/s) and a
tone, cached in ``var/bench/``. Ladder and preset are the production defaults (1080p/720p/360p,
``MEDIA_X264_PRESET``). ``BENCH_TRANSCODE_SECONDS`` shortens the input; ``BENCH_REPEAT`` (default 2)
repeats the bare/pipeline pair, alternating, and keeps the fastest of each. Wall-clock figures need
an otherwise idle machine; the CPU-time figures (``cpu-seconds per second of video``) are steadier on
a busy one, and ``idle estimate`` = CPUs ÷ CPU-seconds per second.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings


def _source(seconds: int) -> Path:
    from tests.support.media import make_test_video

    path = Path(settings.VAR_DIR) / "bench" / f"camera-1080p-{seconds}s.mp4"
    if not path.exists():
        tmp = path.with_suffix(".part.mp4")
        make_test_video(tmp, seconds=seconds, width=1920, height=1080, fps=25, noise=True)
        tmp.rename(path)
    return path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(work: Callable[[Path], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of child processes) for ``work(out_dir)``."""
    out = Path(tempfile.mkdtemp(prefix="omooc-bench-"))
    try:
        cpu, started = _cpu(), time.monotonic()
        work(out)
        return time.monotonic() - started, _cpu() - cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run() -> list[str]:
    from courses.media import transcoding
    from courses.media.probing import probe_media

    seconds = int(os.environ.get("BENCH_TRANSCODE_SECONDS", 60))
    repeat = max(1, int(os.environ.get("BENCH_REPEAT", 2)))
    source = _source(seconds)
    probe = probe_media(source)
    renditions = transcoding.plan_ladder(probe.width, probe.height)
    duration = probe.duration
    cpus = os.cpu_count() or 1
    preset = getattr(settings, "MEDIA_X264_PRESET", transcoding.DEFAULT_PRESET)

    def command(out: Path, ladder=renditions) -> list[str]:
        return transcoding.build_command(source=source, out_dir=out, probe=probe, renditions=ladder)

    def bare(out: Path) -> None:
        subprocess.run(command(out), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    reports: list[float] = []

    def pipeline(out: Path) -> None:
        transcoding.run_ffmpeg(
            command(out),
            duration=duration,
            timeout=transcoding.transcode_timeout(duration),
            on_progress=lambda fraction, eta: reports.append(fraction),
        )

    def full(out: Path) -> None:
        transcoding.transcode(source=source, out_dir=out, probe=probe)

    def per_rendition(out: Path) -> None:
        for rendition in renditions:
            target = out / rendition.name
            subprocess.run(
                command(target, [rendition]), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

    bare_runs, pipeline_runs = [], []
    for _ in range(repeat):
        bare_runs.append(_measure(bare))
        pipeline_runs.append(_measure(pipeline))
    bare_wall, bare_cpu = min(bare_runs)
    pipe_wall, pipe_cpu = min(pipeline_runs)
    full_wall, full_cpu = _measure(full)
    split_wall, split_cpu = _measure(per_rendition)
    load = os.getloadavg()[0]

    def xrt(wall: float) -> str:
        return f"{duration / wall:.2f}"

    return [
        f"# input {probe.width}x{probe.height} {duration:.0f} s, "
        f"ladder {'/'.join(r.name for r in renditions)}, x264 preset {preset}, {cpus} CPUs, "
        f"load average at the end {load:.1f}",
        f"transcode_one_run_per_rendition: {xrt(split_wall)} x realtime (ratio 1.00 vs baseline)",
        f"transcode_single_pass: {xrt(pipe_wall)} x realtime "
        f"(ratio {split_wall / pipe_wall:.2f} vs one_run_per_rendition)",
        f"transcode_one_run_per_rendition_cpu: {split_cpu / duration:.2f} cpu-seconds per second of video "
        "(ratio 1.00 vs baseline)",
        f"transcode_single_pass_cpu: {pipe_cpu / duration:.2f} cpu-seconds per second of video "
        f"(ratio {split_cpu / pipe_cpu:.2f} vs one_run_per_rendition)",
        f"transcode_single_pass_idle_estimate: {cpus * duration / pipe_cpu:.2f} x realtime "
        f"on {cpus} idle CPUs (ratio 1.00 vs baseline)",
        f"transcode_bare_ffmpeg: {xrt(bare_wall)} x realtime (ratio 1.00 vs baseline)",
        f"transcode_pipeline_runner: {xrt(pipe_wall)} x realtime "
        f"(ratio {bare_wall / pipe_wall:.3f} vs bare_ffmpeg)",
        f"transcode_pipeline_runner_cpu: {pipe_cpu / duration:.2f} cpu-seconds per second of video "
        f"(ratio {bare_cpu / pipe_cpu:.3f} vs bare_ffmpeg)",
        f"transcode_with_download_and_health_check: {xrt(full_wall)} x realtime "
        f"(ratio {bare_wall / full_wall:.3f} vs bare_ffmpeg)",
        f"transcode_progress_reports: {len(reports) // repeat} per run (ratio 1.00 vs baseline)",
    ]
