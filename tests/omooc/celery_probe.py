"""A task for worker tests only (loaded with ``--include tests.omooc.celery_probe``): it holds a worker
process for a while, like a long transcode, and says when it started."""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.hold")
def hold(*, seconds: float, started_marker: str) -> str:
    Path(started_marker).touch()
    time.sleep(seconds)
    return "held"
