"""A task executed by a real Celery worker, over a real Redis broker and result backend."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from celery import Celery

from tests.support.processes import celery_worker_command, stop_process

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_on_redis(redis_url, tmp_path):
    env = {**os.environ, "REDIS_URL": redis_url, "OMOOC_ENV": "test", "OMOOC_VAR_DIR": str(tmp_path)}
    env.pop("CELERY_BROKER_URL", None)
    process = subprocess.Popen(
        celery_worker_command(queues="default,mail,media", name=f"test-{os.getpid()}@%h"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        stop_process(process)


def test_a_task_runs_on_a_real_worker_over_redis(worker_on_redis, redis_url):
    client = Celery("omooc-test-client", broker=redis_url, backend=redis_url)
    client.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    started = time.monotonic()
    result = client.send_task("omooc.ping", kwargs={"payload": "hello from the test"}, queue="default")
    assert result.get(timeout=60) == "hello from the test"
    assert time.monotonic() - started < 60


def test_the_worker_is_configured_for_safe_redelivery():
    from omooc.celery import app

    app.loader.import_default_modules()
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert {q.name for q in conf.task_queues} == {"default", "mail", "media"}
