"""The outbox scan claims a batch of due rows with a lease (ADR 0021): two scans at once share the
queue and never send a message twice; a lease whose holder is gone (a worker killed mid-batch) or
whose time is up is taken by the next scan, which sends each of its unsent rows once; a live
holder's lease is left alone.

The holder of a lease is a scan's database session (an advisory lock): it ends with the worker's
connection, as the row lock of ADR 0005 did. ``tests/production/reminders/test_worker.py`` kills a
real Celery worker mid-batch (SIGKILL) and checks the same from the outside."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from production.models import EmailLog
from production.outbox.mailer import Lease, emails_send_due
from production.outbox.queue import Content, email_queue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("leases are PostgreSQL's (advisory locks, SKIP LOCKED)")


def _queue(count: int, prefix: str) -> list[int]:
    return [
        email_queue(
            idempotency_key=f"{prefix}:{n}",
            kind=EmailLog.Kind.TEAM_NOTICE,
            recipient=f"{prefix}{n}@example.org",
            content=Content(subject=f"Bericht {n}", text="Hallo\n", html="<p>Hallo</p>"),
            send=False,
        ).pk
        for n in range(count)
    ]


def _delivered(smtp_server) -> Counter:
    return Counter(str(message["Message-ID"]) for message in smtp_server.messages)


class Holder(threading.Thread):
    """Another scan, in its own thread and database session: claims a batch and then sends nothing
    (a worker stuck, or about to be killed) until told to go away."""

    def __init__(self, *, batch: int) -> None:
        super().__init__(daemon=True)
        self.batch = batch
        self.claimed: list[int] = []
        self.ready = threading.Event()
        self.leave = threading.Event()

    def run(self) -> None:
        try:
            lease = Lease.open()
            self.claimed = [email.pk for email in lease.claim(limit=self.batch)]
            self.ready.set()
            self.leave.wait(timeout=60)
        finally:
            connection.close()  # its session ends without giving the rows back: a killed worker

    def gone(self) -> None:
        self.leave.set()
        self.join(timeout=30)


def _wait_until_the_session_is_gone(token: int) -> None:
    """The server ends a closed session (and its advisory locks) a moment after the client left."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not Lease.holder_alive(token):
            return
        time.sleep(0.05)
    raise AssertionError("the holder's session still holds its lock")


def test_two_scans_at_once_send_every_message_exactly_once(smtp_server):
    _queue(200, "race")
    start = threading.Barrier(2)
    handled: list[int] = []

    def scan() -> None:
        try:
            start.wait(timeout=30)
            handled.append(emails_send_due(batch=10))
        finally:
            connection.close()

    scans = [threading.Thread(target=scan) for _ in range(2)]
    for thread in scans:
        thread.start()
    for thread in scans:
        thread.join(timeout=300)

    delivered = _delivered(smtp_server)
    assert len(delivered) == 200 and max(delivered.values()) == 1
    assert len(handled) == 2 and sum(handled) == 200
    assert EmailLog.objects.filter(state=EmailLog.State.SENT).count() == 200
    assert set(delivered) == set(EmailLog.objects.values_list("message_id", flat=True))


def test_a_live_holders_lease_is_left_alone_and_its_rows_are_sent_once_when_it_is_gone(smtp_server):
    _queue(30, "held")
    holder = Holder(batch=20)
    holder.start()
    assert holder.ready.wait(timeout=30)
    assert len(holder.claimed) == 20
    token = EmailLog.objects.get(pk=holder.claimed[0]).lease_holder

    assert emails_send_due() == 10, "the 20 leased rows wait for their holder"
    assert len(_delivered(smtp_server)) == 10
    assert EmailLog.objects.filter(pk__in=holder.claimed, state=EmailLog.State.QUEUED).count() == 20

    holder.gone()
    _wait_until_the_session_is_gone(token)
    assert emails_send_due() == 20, "the next scan takes the dead holder's rows"
    delivered = _delivered(smtp_server)
    assert len(delivered) == 30 and max(delivered.values()) == 1
    assert EmailLog.objects.filter(state=EmailLog.State.SENT).count() == 30
    assert emails_send_due() == 0


def test_a_lease_whose_time_is_up_is_taken_even_while_its_holder_lives(smtp_server):
    _queue(5, "late")
    holder = Holder(batch=5)
    holder.start()
    assert holder.ready.wait(timeout=30)
    try:
        assert emails_send_due() == 0, "a live, timely lease is left alone"
        EmailLog.objects.filter(pk__in=holder.claimed).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        assert emails_send_due() == 5
    finally:
        holder.gone()
    delivered = _delivered(smtp_server)
    assert len(delivered) == 5 and max(delivered.values()) == 1
    assert EmailLog.objects.filter(state=EmailLog.State.SENT, lease_holder=None).count() == 5


def test_a_message_sent_on_its_own_never_goes_out_while_a_scan_holds_it(smtp_server):
    """The after-commit send of one email (``email_send``) and a scan's lease exclude each other."""
    from production.outbox.mailer import email_send

    [pk] = _queue(1, "single")
    holder = Holder(batch=1)
    holder.start()
    assert holder.ready.wait(timeout=30)
    try:
        assert email_send(email_id=pk) is None
        assert _delivered(smtp_server) == Counter()
    finally:
        holder.gone()
    _wait_until_the_session_is_gone(EmailLog.objects.get(pk=pk).lease_holder)
    assert email_send(email_id=pk) == EmailLog.State.SENT
    assert len(_delivered(smtp_server)) == 1


def test_a_batch_meets_refusals_as_one_message_at_a_time_did(settings):
    """Inside a batch the envelope of a row goes out before its DATA: a 5xx to its recipient still
    bounces that row (and tells the team), a 4xx still waits for a retry, the others go out once."""
    from tests.support.mailbox import SMTPServer, point_email_at

    server = SMTPServer()
    mailbox = server.start()
    point_email_at(settings, server.port)
    try:
        _queue(6, "refused")
        mailbox.replies = {
            "refused1@example.org": "550 no such user",
            "refused3@example.org": "451 try later",
        }
        assert emails_send_due() == 6 + 1, "the six, and the bounce report to the team"
    finally:
        server.stop()
    states = dict(EmailLog.objects.filter(kind=EmailLog.Kind.TEAM_NOTICE).values_list("recipient", "state"))
    assert states["refused1@example.org"] == EmailLog.State.BOUNCED
    assert states["refused3@example.org"] == EmailLog.State.QUEUED
    assert EmailLog.objects.get(recipient="refused3@example.org").next_attempt_at > timezone.now()
    sent = {r for r, state in states.items() if state == EmailLog.State.SENT}
    assert sent == {f"refused{n}@example.org" for n in (0, 2, 4, 5)}
    delivered = Counter(str(message["Message-ID"]) for message in mailbox.messages)
    assert len(delivered) == 4 + 1 and max(delivered.values()) == 1
    assert EmailLog.objects.filter(lease_holder__isnull=False).count() == 0
