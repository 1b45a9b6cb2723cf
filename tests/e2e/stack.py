"""The whole stack for journey tests: the live server's Celery app publishing to Redis, a real Celery
worker subprocess on the same Redis and the same test database, sending to a real SMTP server."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

from tests.production.reminders.conftest import Worker


@contextmanager
def web_publishes_to(broker_url: str):
    """Point the test process's Celery app (used by the live server's views and their on_commit
    hooks) at ``broker_url`` instead of the in-memory test broker, and back afterwards."""
    from omooc.celery import app

    def reset_pools() -> None:
        # Dropped, not closed: kombu shares pools per broker URL with other apps (the test client).
        app._pool = None
        app.amqp._producer_pool = None

    # The app reads Django settings with the CELERY_ namespace: the prefixed key wins.
    keys = ("CELERY_BROKER_URL", "broker_url")
    saved = {key: app.conf.get(key) for key in keys}
    app.conf.update({key: broker_url for key in keys})
    reset_pools()
    assert app.connection_for_write().as_uri().startswith(broker_url.split("://")[0])
    try:
        yield app
    finally:
        reset_pools()
        app.conf.update(saved)


@dataclass
class Stack:
    base: str
    worker: Worker
    client: object  # a Celery client on the same broker, to run tasks through the worker
    inbox: object  # the smtp_server fixture: .messages

    def run_task(self, name: str, *, queue: str = "default", timeout: float = 60):
        """Run a task in the worker and wait for it (results through Redis)."""
        return self.client.send_task(name, queue=queue).get(timeout=timeout)

    def wait_for_mail(self, predicate, *, timeout: float = 60, what: str = "the email"):
        """Wait until some received message satisfies ``predicate``; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.inbox.messages):
                if predicate(message):
                    return message
            time.sleep(0.2)
        received = [(m["To"], m["Subject"]) for m in self.inbox.messages]
        log = self.worker.output()[-4000:]
        raise AssertionError(f"timed out waiting for {what}; received {received}\nworker output:\n{log}")


def start_stack(*, base: str, redis_url: str, smtp_server, tmp_path, media_root: str) -> Stack:
    from celery import Celery

    worker = Worker(
        redis_url=redis_url, smtp_port=smtp_server.port, tmp_path=tmp_path, pool="solo", concurrency=1
    )
    worker.env.update({"SITE_URL": base, "MEDIA_ROOT": media_root, "LOG_LEVEL": "WARNING"})
    worker.start()
    # Not the current app: shared tasks the code under test enqueues must keep using omooc.celery.app.
    client = Celery("omooc-journeys-client", broker=redis_url, backend=redis_url, set_as_current=False)
    client.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    return Stack(base=base, worker=worker, client=client, inbox=smtp_server)
