"""Reminders on PostgreSQL with a real Celery worker on Redis, sending to a real SMTP server."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from production.models import EmailLog, Reminder
from production.outbox.mailer import SEND_GROUP
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, make_production, make_session
from tests.support.mailbox import free_port

from .conftest import wait_until
from .factories import session_with_due_reminders

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


class Inbox:
    """aiosmtpd handler: keeps accepted messages; can SIGKILL a process when the N-th DATA arrives
    (before accepting it, so that message was never delivered)."""

    def __init__(self) -> None:
        self.accepted: list = []
        self.lock = threading.Lock()
        self.kill_pid: int | None = None
        self.kill_at: int | None = None
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import email
        from email import policy

        with self.lock:
            if self.kill_pid and self.kill_at is not None and len(self.accepted) + 1 >= self.kill_at:
                os.kill(self.kill_pid, signal.SIGKILL)
                self.kill_pid = None
                self.killed.set()
                return "451 connection torn down"
            self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.accepted)


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def _all_sent() -> bool:
    return (
        not EmailLog.objects.filter(state=EmailLog.State.QUEUED).exists()
        and not Reminder.objects.filter(state=Reminder.State.PENDING, due_at__lte=timezone.now()).exists()
    )


def test_a_thousand_due_reminders_with_two_scans_at_once_are_each_sent_exactly_once(
    inbox, start_worker, celery_client
):
    session_with_due_reminders(1000)
    worker = start_worker(smtp_port=inbox.port, pool="threads", concurrency=2)
    results = [celery_client.send_task("production.reminders_scan", queue="mail") for _ in range(2)]
    outcomes = [result.get(timeout=300) for result in results]

    ids = inbox.message_ids()
    assert len(inbox.accepted) == 1000, worker.output()[-3000:]
    assert len(ids) == 1000 and max(ids.values()) == 1
    assert len({m["To"] for m in inbox.accepted}) == 1000
    assert sum(o["reminders"] for o in outcomes) == 1000
    assert sum(o["emails"] for o in outcomes) == 1000
    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == 1000
    assert EmailLog.objects.filter(state=EmailLog.State.SENT).count() == 1000
    assert set(ids) == set(EmailLog.objects.values_list("message_id", flat=True))


def test_a_worker_killed_mid_batch_loses_none_and_repeats_at_most_one_group_after_restart(
    inbox, start_worker, celery_client
):
    session_with_due_reminders(300)
    worker = start_worker(smtp_port=inbox.port)
    inbox.kill_pid, inbox.kill_at = worker.process.pid, 120
    celery_client.send_task("production.reminders_scan", queue="mail")
    assert inbox.killed.wait(timeout=180), worker.output()[-3000:]
    worker.process.wait(timeout=30)
    assert worker.process.returncode == -signal.SIGKILL
    delivered_before_restart = len(inbox.accepted)
    assert 0 < delivered_before_restart < 300
    # The killed worker's locks died with its connection: nothing is stuck half-sent; at most the
    # group in flight was delivered without its "sent" marks (ADR 0030).
    recorded = EmailLog.objects.filter(state=EmailLog.State.SENT).count()
    assert delivered_before_restart - SEND_GROUP <= recorded <= delivered_before_restart

    restarted = start_worker(smtp_port=inbox.port)
    celery_client.send_task("production.reminders_scan", queue="mail")  # the next beat tick
    wait_until(lambda: len(inbox.accepted) >= 300 and _all_sent(), timeout=180, what="300", worker=restarted)

    ids = inbox.message_ids()
    assert len(inbox.accepted) == 300 + delivered_before_restart - recorded
    assert len(ids) == 300 and max(ids.values()) <= 2
    assert EmailLog.objects.filter(state=EmailLog.State.SENT).count() == 300


def test_holding_a_production_cancels_its_pending_reminders(inbox, start_worker, celery_client):
    speakers = [SpeakerFactory(), SpeakerFactory()]
    production = make_production(lectures=1)
    make_session(production, days=10, speakers=speakers, state="scheduled")
    make_session(production, days=3, speakers=speakers[:1])
    pending = Reminder.objects.filter(state=Reminder.State.PENDING)
    # 7 and 1 day before; the 3-day session only the 1-day one; and each session's reminder to the
    # team that speakers have not answered yet (planned with the schedule, one team member)
    assert pending.count() == 2 * 2 + 1 + 2

    scheduling.production_postpone_recordings(
        productions=[production], until=timezone.localdate() + timedelta(days=30), reason="lockdown", by=None
    )
    assert not Reminder.objects.filter(state=Reminder.State.PENDING).exists()
    # Even when their time comes, a cancelled reminder is never sent.
    Reminder.objects.update(due_at=timezone.now() - timedelta(minutes=1))

    worker = start_worker(smtp_port=inbox.port)
    celery_client.send_task("production.reminders_scan", queue="mail").get(timeout=120)
    wait_until(_all_sent, timeout=60, what="the outbox to drain", worker=worker)
    kinds = Counter(m["X-OMOOC-Kind"] for m in inbox.accepted)
    # The invitations were still queued when the hold came: they are superseded, never sent, and
    # there is nothing to take back from a calendar that never got them (ADR 0011).
    assert kinds == {}
    assert EmailLog.objects.filter(kind="invitation", state=EmailLog.State.SUPERSEDED).count() == 3
    assert Reminder.objects.filter(state=Reminder.State.CANCELLED).count() == 7
