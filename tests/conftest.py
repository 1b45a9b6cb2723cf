"""Shared fixtures. With CI=true, PostgreSQL, Redis and Chromium are required: missing means failure."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip when a local service is missing, but fail under CI where it must be there."""
    if condition:
        return
    if CI:
        pytest.fail(f"CI=true requires it: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_sessionstart(session) -> None:
    if CI and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError("CI=true requires PostgreSQL: set DATABASE_URL to a postgres:// URL.")


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> str:
    """A Redis URL for this test worker (its own database number, flushed per session)."""
    base = os.environ.get("REDIS_TEST_URL", "")
    need(
        bool(base) and _reachable(base), "Redis is not reachable (set REDIS_URL or run one on 127.0.0.1:6379)"
    )
    parsed = urlparse(base)
    offset = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    db = int((parsed.path or "/15").lstrip("/") or 15) - offset
    url = f"{parsed.scheme}://{parsed.netloc}/{db}"
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def postgres(db) -> None:
    need(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL (set DATABASE_URL)",
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("OMOOC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    need(bool(path), "Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    """Every test writes media into its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache (the catalog cache must not leak between tests)."""
    from django.core.cache import cache

    cache.clear()


class _Collector:
    """aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list = []
        self.replies: dict[str, str] = {}  # recipient -> SMTP reply to force (e.g. "550 no such user")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        forced = self.replies.get(address.lower())
        if forced:
            return forced
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django sends to it over SMTP."""
    from aiosmtpd.controller import Controller

    from tests.support.mailbox import free_port, point_email_at

    handler = _Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    point_email_at(settings, port, timeout=None)
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
