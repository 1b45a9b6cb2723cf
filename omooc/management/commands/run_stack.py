"""Start web, Celery worker and Celery beat together; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server, a Celery worker on all queues and Celery beat."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default=os.environ.get("OMOOC_ADDRPORT", "127.0.0.1:8000"))
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("CELERY_CONCURRENCY", 4)))

    def handle(self, *args, addrport: str, concurrency: int, **options) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "omooc"]
        commands = {
            "web": [python, "manage.py", "runserver", addrport, "--noreload"],
            # One worker on every queue, with enough processes that a transcode never holds up mail.
            "worker": [*celery, "worker", "-Q", "default,mail,media", "-c", str(concurrency), "-l", "INFO"],
            "beat": [*celery, "beat", "-l", "INFO", "-s", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        processes: dict[str, subprocess.Popen] = {}
        for name, command in commands.items():
            # Fixed argument lists built above; nothing comes from user input.
            processes[name] = subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nOMOOC is running (web, worker, beat). Ctrl-C stops all.\n"
                f"  catalog:   http://{host}/\n"
                f"  studio:    http://{host}/studio/\n"
                f"  admin:     http://{host}/admin/\n"
                f"  API docs:  http://{host}/api/docs/\n"
                f"  health:    http://{host}/healthz\n"
                f"  demo logins: producer@example.org / omooc-demo, learner@example.org / omooc-demo\n"
                f"  emails go to {getattr(settings, 'EMAIL_FILE_PATH', None) or settings.EMAIL_HOST}\n"
            )
        )
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with code {process.returncode}; stopping the rest.")
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)  # Celery does a warm shutdown of its pool
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            self.stdout.write("Stopped web, worker and beat.")
