"""Where the ffmpeg binary comes from: the one on PATH, else the one the ``imageio-ffmpeg`` package ships,
so a fresh machine needs no system packages. ``MEDIA_FFMPEG`` (setting or environment) overrides both."""

from __future__ import annotations

import functools
import os
import shutil


@functools.cache
def ffmpeg_exe() -> str:
    explicit = os.environ.get("MEDIA_FFMPEG", "")
    if explicit:
        return explicit
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
