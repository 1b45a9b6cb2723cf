"""Real image files for the catalog's tests, made with Pillow."""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from courses.models import Video


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 450), colour=(11, 92, 173)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str, fmt: str = "JPEG", size: tuple[int, int] = (800, 450)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type="image/jpeg")


def huge_png(name: str = "huge.png") -> SimpleUploadedFile:
    """A real PNG of 30 MB (noise does not compress)."""
    side = 3240
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG", compress_level=0)
    data = buffer.getvalue()
    assert len(data) > 30 * 1024 * 1024
    return SimpleUploadedFile(name, data, content_type="image/png")


def ready_video_with_poster(lecture, *, colour=(200, 30, 30)) -> Video:
    """The lecture's current ready video with a poster frame in the storage (no HLS needed here)."""
    prefix = f"videos/{lecture.course.slug}/{lecture.slug}"
    folder = Path(settings.MEDIA_ROOT) / prefix
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "poster.jpg").write_bytes(image_bytes("JPEG", (640, 360), colour))
    (folder / "master.m3u8").write_text("#EXTM3U\n")
    return Video.objects.create(
        lecture=lecture,
        is_current=True,
        status=Video.Status.READY,
        duration_seconds=600,
        output_prefix=prefix,
    )
