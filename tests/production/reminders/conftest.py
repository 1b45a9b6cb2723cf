"""A real Celery worker (subprocess) on Redis, using the live test database and a local SMTP server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.support.factory_fixtures import closing_each
from tests.support.processes import celery_worker_command, stop_process

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, *, redis_url: str, smtp_port: int, tmp_path: Path, pool: str, concurrency: int):
        self.env = {
            **os.environ,
            "OMOOC_ENV": "test",
            "OMOOC_VAR_DIR": str(tmp_path),
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "10",
            "CONN_MAX_AGE": "0",
        }
        for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER"):
            self.env.pop(key, None)
        self.pool, self.concurrency = pool, concurrency
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            celery_worker_command(
                queues="default,mail",
                name=f"reminders-{os.getpid()}-{time.monotonic_ns()}@%h",
                concurrency=self.concurrency,
                pool=self.pool,
            ),
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        stop_process(self.process)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.fixture
def start_worker(redis_url, tmp_path, postgres):
    def start(*, smtp_port: int, pool: str = "solo", concurrency: int = 1) -> Worker:
        return Worker(
            redis_url=redis_url, smtp_port=smtp_port, tmp_path=tmp_path, pool=pool, concurrency=concurrency
        ).start()

    yield from closing_each(start, close=Worker.stop)


@pytest.fixture
def celery_client(redis_url):
    from celery import Celery

    client = Celery("omooc-test-client", broker=redis_url, backend=redis_url)
    client.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    return client


def wait_until(predicate, *, timeout: float, what: str, worker: Worker | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    detail = f"\nworker output:\n{worker.output()[-4000:]}" if worker else ""
    raise AssertionError(f"timed out waiting for {what}{detail}")
