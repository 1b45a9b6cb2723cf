"""Transcoding: single-pass ladder vs one run per rendition; the pipeline vs bare ffmpeg.

× realtime of the single-pass ladder and of one ffmpeg run per rendition, and of the pipeline vs
the same ffmpeg command run bare.

Input: a generated 60-second 1080p test pattern with grain (camera-like) and a tone, cached in
``var/bench/``. Ladder and preset are the production defaults (1080p/720p/360p, x264 ``veryfast``)
unless ``MEDIA_LADDER``/``MEDIA_X264_PRESET`` settings say otherwise. ``BENCH_TRANSCODE_SECONDS``
shortens the input for a quick look.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import time
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


def _timed(command: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def run() -> list[str]:
    from courses import transcoding
    from courses.probing import probe_media

    seconds = int(os.environ.get("BENCH_TRANSCODE_SECONDS", 60))
    source = _source(seconds)
    probe = probe_media(source)
    renditions = transcoding.plan_ladder(probe.width, probe.height)
    duration = probe.duration
    lines = [
        f"# input {probe.width}x{probe.height} {duration:.0f} s, "
        f"ladder {'/'.join(r.name for r in renditions)}, "
        f"preset {getattr(settings, 'MEDIA_X264_PRESET', 'veryfast')}, {os.cpu_count()} CPUs"
    ]

    def fresh() -> Path:
        out = Path(tempfile.mkdtemp(prefix="omooc-bench-"))
        return out

    # 1. The exact single-pass command, run bare.
    out = fresh()
    bare = _timed(transcoding.build_command(source=source, out_dir=out, probe=probe, renditions=renditions))
    shutil.rmtree(out)

    # 2. The same command through the pipeline's runner (progress parsing, limits, timeout).
    out = fresh()
    reports = []
    cpu_before = _cpu()
    pipeline = transcoding.run_ffmpeg(
        transcoding.build_command(source=source, out_dir=out, probe=probe, renditions=renditions),
        duration=duration,
        timeout=transcoding.transcode_timeout(duration),
        on_progress=lambda fraction, eta: reports.append(fraction),
    )
    pipeline_cpu = _cpu() - cpu_before
    shutil.rmtree(out)

    # 3. The whole transcode() step: single pass + download remux + health check.
    out = fresh()
    started = time.monotonic()
    transcoding.transcode(source=source, out_dir=out, probe=probe)
    full = time.monotonic() - started
    shutil.rmtree(out)

    # 4. One ffmpeg run per rendition (each decodes the source again).
    per_rendition = 0.0
    cpu_before = _cpu()
    for rendition in renditions:
        out = fresh()
        per_rendition += _timed(
            transcoding.build_command(source=source, out_dir=out, probe=probe, renditions=[rendition])
        )
        shutil.rmtree(out)
    per_rendition_cpu = _cpu() - cpu_before
    load = os.getloadavg()[0]

    def xrt(wall: float) -> float:
        return duration / wall

    lines += [
        f"transcode_one_run_per_rendition: {xrt(per_rendition):.2f} x realtime (ratio 1.00 vs baseline)",
        f"transcode_single_pass: {xrt(pipeline):.2f} x realtime "
        f"(ratio {per_rendition / pipeline:.2f} vs one_run_per_rendition)",
        f"transcode_bare_ffmpeg: {xrt(bare):.2f} x realtime (ratio 1.00 vs baseline)",
        f"transcode_pipeline_runner: {xrt(pipeline):.2f} x realtime "
        f"(ratio {bare / pipeline:.3f} vs bare_ffmpeg)",
        f"transcode_pipeline_with_download_and_health_check: {xrt(full):.2f} x realtime "
        f"(ratio {bare / full:.3f} vs bare_ffmpeg)",
        f"transcode_single_pass_cpu: {pipeline_cpu / duration:.2f} cpu-seconds per second of video "
        f"(ratio {per_rendition_cpu / pipeline_cpu:.2f} vs one_run_per_rendition)",
        f"transcode_single_pass_idle_estimate: {os.cpu_count() * duration / pipeline_cpu:.2f} x realtime "
        f"on {os.cpu_count()} idle cores (ratio 1.00 vs baseline)",
        f"# load average during the run: {load:.1f} on {os.cpu_count()} CPUs "
        "(wall-clock figures suffer when it exceeds the CPUs)",
        f"transcode_progress_reports: {len(reports)} reports (ratio 1.00 vs baseline)",
    ]
    return lines
