"""A large upload streams through Django to disk: memory stays flat however big the file is."""

from __future__ import annotations

import http.client
import io
import tracemalloc
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.test import Client

from courses.models import Video
from tests.factories import LectureFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PADDING = 96 * 1024 * 1024


class _Body(io.RawIOBase):
    """prefix + the real recording + zero padding after it + suffix, produced while it is sent."""

    def __init__(self, parts: list[bytes | tuple[str, int]]):
        self.parts = parts
        self.index = 0
        self.offset = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while self.index < len(self.parts):
            part = self.parts[self.index]
            if isinstance(part, tuple):  # ("zeros", length)
                remaining = part[1] - self.offset
                chunk = b"\0" * min(size if size > 0 else remaining, remaining)
            else:
                chunk = part[self.offset : self.offset + (size if size > 0 else len(part))]
            if chunk:
                self.offset += len(chunk)
                return chunk
            self.index += 1
            self.offset = 0
        return b""


def test_a_100_mb_upload_streams_to_disk_without_holding_the_file_in_memory(live_server, source_video):
    lecture = LectureFactory()
    client = Client()
    client.force_login(UserFactory(producer=True))
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    token = "a" * 32
    video = source_video.read_bytes()
    boundary = "omooc-test-boundary"
    prefix = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()
    # An MP4 with its index first plays fine with trailing bytes after the media data.
    length = len(prefix) + len(video) + PADDING + len(suffix)
    body = _Body([prefix, video, ("zeros", PADDING), suffix])

    cookies = f"{django_settings.SESSION_COOKIE_NAME}={session}; {django_settings.CSRF_COOKIE_NAME}={token}"
    server = urlparse(live_server.url)
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=120)
    tracemalloc.start()
    try:
        connection.request(
            "POST",
            f"/studio/media/lectures/{lecture.pk}/upload/",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
                "Cookie": cookies,
                "X-CSRFToken": token,
                "X-Requested-With": "XMLHttpRequest",
                "Accept": "application/json",
                "Referer": live_server.url,
            },
            encode_chunked=False,
        )
        response = connection.getresponse()
        payload = response.read()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        connection.close()
    assert response.status == 201, payload
    stored = Video.objects.get(lecture=lecture)
    assert stored.size_bytes == len(video) + PADDING
    assert peak < 32 * 1024 * 1024, f"peak Python memory {peak / 1e6:.0f} MB while uploading"
