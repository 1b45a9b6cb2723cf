"""A real HLS output for tests, made with ffmpeg the way the media pipeline lays it out:
``<prefix>/master.m3u8``, ``<prefix>/180p/index.m3u8`` + 4 s ``.ts`` segments, ``poster.jpg``,
plus a hand-written WebVTT caption. H.264 baseline + AAC in MPEG-TS (Debian's Chromium plays it
through hls.js/MSE; see the browser test)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from courses.models import Caption, Video

DURATION = 24
MASTER = (
    "#EXTM3U\n#EXT-X-VERSION:3\n"
    '#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"\n'
    "180p/index.m3u8\n"
)
VTT = """WEBVTT

00:00:00.000 --> 00:00:06.000
Welkom bij dit college over digitale dienstverlening.

00:00:06.000 --> 00:00:12.000
We beginnen met de gebruiker.

00:00:12.000 --> 00:00:18.000
Daarna kijken we naar aanbesteden.

00:00:18.000 --> 00:00:24.000
Tot slot: data delen tussen organisaties.
"""


def ffmpeg() -> str:
    from courses.media.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def make_hls(folder: Path, *, duration: int = DURATION, bandwidth: int = 400_000) -> Path:
    """Transcode a test pattern with a tone into ``folder`` (HLS, one 180p rendition).

    hls.js buffers ahead by size for low bit rates (the whole clip); declaring a high ``bandwidth``
    makes it buffer only ~30 s ahead, like a real lecture."""
    rendition = folder / "180p"
    rendition.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size=320x180:rate=25:duration={duration}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={duration}",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-pix_fmt", "yuv420p",
            "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(rendition / "seg_%03d.ts"), str(rendition / "index.m3u8"),
        ],
        check=True,
        timeout=120,
    )  # fmt: skip
    subprocess.run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-ss", "1",
         "-i", str(rendition / "seg_000.ts"), "-frames:v", "1", str(folder / "poster.jpg")],
        check=True,
        timeout=60,
    )  # fmt: skip
    (folder / "master.m3u8").write_text(MASTER.format(bandwidth=bandwidth))
    return folder


def install_video(
    lecture, *, sample: Path, duration: float = DURATION, captions: dict[str, str] | None = None
):
    """Copy ``sample`` into MEDIA_ROOT as the lecture's current ready video and add captions."""
    prefix = f"videos/{uuid.uuid4()}"
    shutil.copytree(sample, Path(settings.MEDIA_ROOT) / prefix)
    video = Video.objects.create(
        lecture=lecture,
        is_current=True,
        status=Video.Status.READY,
        output_prefix=prefix,
        duration_seconds=duration,
        width=320,
        height=180,
        renditions=[{"height": 180, "playlist": "180p/index.m3u8"}],
    )
    for language, text in (captions if captions is not None else {"nl": VTT}).items():
        caption = Caption(lecture=lecture, language=language, cue_count=text.count("-->"))
        caption.vtt.save(f"{lecture.slug}-{language}.vtt", ContentFile(text.encode()), save=False)
        caption.save()
    return video
