"""The production topology on this host (deploy/stack.py), started once per test module, with its own
PostgreSQL instance (restartable), Redis, S3 server, two web nodes behind nginx, the two workers and
beat; emails go to a real SMTP server of the test (aiosmtpd) that a test may take down.

Run alone (``make test-stack``): two stacks must never run at once on this machine (CPU, ports)."""

from __future__ import annotations

import shutil
import time

import pytest

from deploy import engines
from deploy.stack import Stack
from tests.conftest import need
from tests.support.mailbox import SMTPServer

from .client import Browser, scenario
from .media import make_video, upload, wait_ready

# Short enough for a test, as documented in the README: a video silent this long counts as abandoned.
STACK_ENVIRONMENT = {"MEDIA_STALE_SECONDS": "20", "MEDIA_X264_PRESET": "slow", "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="package")
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def stack(smtp, tmp_path_factory):
    try:
        engines.need_binary("nginx", "nginx")
    except RuntimeError as error:
        need(False, str(error))
    need(bool(shutil.which("redis-server")), "redis-server is not installed (apt-get install redis-server)")
    try:
        engines.postgres_bin()
    except RuntimeError as error:
        need(False, str(error))
    stack = Stack(
        tmp_path_factory.mktemp("stack"),
        private_postgres=True,
        email_url=f"smtp://127.0.0.1:{smtp.port}",
        environment={**STACK_ENVIRONMENT, "EMAIL_TIMEOUT": "5"},
    )
    started = time.monotonic()
    try:
        stack.start()
    except Exception:
        stack.stop()
        raise
    stack.started_in = time.monotonic() - started
    yield stack
    stack.stop()
    # Through every fault, not one 500: nginx saw none, and no web node logged one.
    access = (stack.state / "nginx" / "access.log").read_text()
    assert '" 500 ' not in access, [line for line in access.splitlines() if '" 500 ' in line][:5]
    for name in ("web-1", "web-2"):
        assert "Internal Server Error" not in stack.log(name), stack.log(name)[-4000:]


@pytest.fixture(scope="package")
def db(stack):
    """SQL on the stack's database (the test process has no Django database of its own here)."""
    import psycopg

    def query(sql: str, *params):
        url = stack.database_url.replace("postgres://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    return query


@pytest.fixture
def browser(stack):
    def make(email: str | None = None, password: str | None = None) -> Browser:
        made = Browser(stack.url)
        return made.log_in(email, password) if email else made

    return make


@pytest.fixture(scope="package")
def ready_lecture(stack, db, tmp_path_factory) -> dict:
    """A published lecture with a ready video (uploaded as the studio does), an enrolled learner."""
    world = scenario(stack, "world", tag="faults")
    producer = Browser(stack.url).log_in(world["producer"], world["password"])
    path = make_video(tmp_path_factory.mktemp("ready") / "lecture.mp4", seconds=20)
    wait_ready(db, upload(producer, lecture_id=world["lecture_id"], path=path), within=240)
    learner = Browser(stack.url).log_in(world["learner"], world["password"])
    assert learner.post(f"/courses/{world['course_slug']}/enroll/").status_code == 200
    return world
