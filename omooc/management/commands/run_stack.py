"""Start web, the Celery workers and Celery beat together; Ctrl-C stops them all.

Two workers, as in production (docker-compose.yml): one for ``mail`` and ``default`` and one for
``media``, so long transcodes never hold up reminders, invitations or progress flushes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand


def stack_commands(
    *, addrport: str, mail_concurrency: int | None = None, media_concurrency: int | None = None
) -> dict[str, list[str]]:
    """The processes ``make run`` starts, by name. Concurrency defaults to the settings
    ``CELERY_MAIL_CONCURRENCY`` and ``CELERY_MEDIA_CONCURRENCY``."""
    mail = mail_concurrency or settings.CELERY_MAIL_CONCURRENCY
    media = media_concurrency or settings.CELERY_MEDIA_CONCURRENCY
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "omooc"]
    return {
        "web": [python, "manage.py", "runserver", addrport, "--noreload"],
        "worker-mail": [*celery, "worker", "-Q", "mail,default", "-c", str(mail), "-n", "mail@%h",
                        "-l", "INFO"],
        # A fresh process now and then: ffmpeg and PyAV hold large buffers.
        "worker-media": [*celery, "worker", "-Q", "media", "-c", str(media), "-n", "media@%h", "-l", "INFO",
                         "--max-tasks-per-child", "10"],
        "beat": [*celery, "beat", "-l", "INFO", "-s", str(settings.VAR_DIR / "celerybeat-schedule")],
    }  # fmt: skip


def stack_environment(*, addrport: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every process of the stack. Without an explicit ``SITE_URL``, links in
    emails and calendar invites point at the address the stack serves (``--addrport`` /
    ``OMOOC_ADDRPORT``), so a newcomer on another port gets working speaker and certificate links."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("SITE_URL"):
        host, _, port = addrport.rpartition(":")
        if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - read, not bound here
            host = "127.0.0.1" if not host else "localhost"
        env["SITE_URL"] = f"http://{host}:{port}"
    return env


class Command(BaseCommand):
    help = "Run the development web server, a Celery worker for mail+default, one for media, and Celery beat."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default=os.environ.get("OMOOC_ADDRPORT", "127.0.0.1:8000"))
        parser.add_argument("--mail-concurrency", type=int, default=None)
        parser.add_argument("--media-concurrency", type=int, default=None)

    def handle(
        self, *args, addrport: str, mail_concurrency: int | None, media_concurrency: int | None, **options
    ):
        commands = stack_commands(
            addrport=addrport, mail_concurrency=mail_concurrency, media_concurrency=media_concurrency
        )
        processes: dict[str, subprocess.Popen] = {}
        env = stack_environment(addrport=addrport)
        for name, command in commands.items():
            # Fixed argument lists built above; nothing comes from user input.
            processes[name] = subprocess.Popen(  # noqa: S603
                command, cwd=settings.BASE_DIR, start_new_session=True, env=env
            )
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nOMOOC is running (web, mail worker, media worker, beat). Ctrl-C stops all.\n"
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
                    process.wait()
            self.stdout.write("Stopped web, workers and beat.")
