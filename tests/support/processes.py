"""Child processes that tests start: a Celery worker's command line, and stopping a process for good."""

from __future__ import annotations

import subprocess
import sys


def celery_worker_command(*, queues: str, name: str, concurrency: int = 1, pool: str = "solo") -> list[str]:
    """``celery -A omooc worker`` for ``queues`` (comma-separated), logging warnings only."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "omooc",
        "worker",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "--pool",
        pool,
        "-l",
        "WARNING",
        "-n",
        name,
    ]


def stop_process(process: subprocess.Popen | None, *, timeout: float = 20, kill_after: float = 10) -> None:
    """Terminate a child that still runs; kill it when it has not ended within ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=kill_after)
