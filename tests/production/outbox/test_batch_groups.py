"""The outbox sends a leased batch in groups (ADR 0021): a group's rows are locked, sent over one SMTP
connection and recorded in one pipelined round trip with its commit. What must hold whatever the
group size: two scans never send a row twice; a worker killed mid-group (a real process, SIGKILL)
loses nothing, and the next scan repeats at most that group's delivered messages, with the same
Message-ID; a refused recipient inside a group is recorded with the server's reason while the
others go out; a retried message keeps its Message-ID; and the bytes sent are the message built
whole."""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import policy
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from production.models import EmailLog
from production.outbox.lease import Lease
from production.outbox.mailer import emails_send_due
from production.outbox.message import Contents, build_message
from production.outbox.queue import Content, email_queue
from tests.production.reminders.conftest import database_url, wait_until
from tests.support.mailbox import free_port, point_email_at

ROOT = Path(__file__).resolve().parents[3]

# Groups under a lease are PostgreSQL's (advisory locks, SKIP LOCKED, pipelining): the ``postgres``
# fixture skips without it (and fails under CI=true).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
]


def _queue(count: int, prefix: str) -> list[int]:
    """``count`` reminders with one text (the body a group shares), each to its own address."""
    content = Content(subject="Herinnering", text="Tot morgen.\n", html="<p>Tot morgen.</p>")
    queued = (
        email_queue(
            idempotency_key=f"{prefix}:{n}",
            kind="reminder",
            recipient=f"{prefix}{n}@example.org",
            content=content,
            send=False,
        )
        for n in range(count)
    )
    return [row.pk for row in queued]


class KillingInbox:
    """aiosmtpd handler: keeps every message; at the ``kill_at``-th DATA it keeps the message (the
    server has it: delivered) and SIGKILLs the sending process before answering, so the sender dies
    between the server's acceptance and the record of it: the worst moment."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        self.kill_pid: int | None = None
        self.kill_at = 0
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
            if self.kill_pid and len(self.raw) >= self.kill_at:
                os.kill(self.kill_pid, signal.SIGKILL)
                self.kill_pid = None
                self.killed.set()
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(
                str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"]) for raw in self.raw
            )


@pytest.fixture
def killing_inbox(settings):
    from aiosmtpd.controller import Controller

    handler = KillingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    point_email_at(settings, controller.port)
    yield handler
    controller.stop()


SCAN = (
    "import django; django.setup(); from production.outbox.mailer import emails_send_due; "
    "emails_send_due(group={group})"
)


def _scan_in_a_process(*, port: int, group: int, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "OMOOC_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "omooc.settings",
        "OMOOC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "10",
    }
    log = (tmp_path / "scan.log").open("a")
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCAN.format(group=group)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _leases_alive() -> bool:
    tokens = set(EmailLog.objects.exclude(lease_holder=None).values_list("lease_holder", flat=True))
    return any(Lease.holder_alive(token) for token in tokens)


def test_two_scans_sending_in_groups_send_every_message_exactly_once(smtp_server):
    _queue(200, "pair")
    together = threading.Barrier(2)

    def scan(_n: int) -> int:  # each in its own thread and database session
        together.wait(timeout=30)
        try:
            return emails_send_due(batch=20, group=5)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        handled = list(pool.map(scan, range(2), timeout=300))

    delivered = Counter(str(message["Message-ID"]) for message in smtp_server.messages)
    assert len(delivered) == 200 and max(delivered.values()) == 1
    assert len(handled) == 2 and sum(handled) == 200
    assert EmailLog.objects.filter(state=EmailLog.State.SENT, lease_holder=None).count() == 200
    assert set(delivered) == set(EmailLog.objects.values_list("message_id", flat=True))


@pytest.mark.parametrize("group", [1, 10])
def test_a_scan_killed_mid_group_loses_nothing_and_the_next_repeats_at_most_its_group(
    killing_inbox, tmp_path, group
):
    _queue(120, f"killed{group}")
    keys = dict(EmailLog.objects.values_list("message_id", "idempotency_key"))
    scan = _scan_in_a_process(port=killing_inbox.port, group=group, tmp_path=tmp_path)
    killing_inbox.kill_pid, killing_inbox.kill_at = scan.pid, 35  # inside the fourth group of ten
    try:
        assert killing_inbox.killed.wait(timeout=180), (tmp_path / "scan.log").read_text()[-3000:]
        scan.wait(timeout=30)
    finally:
        if scan.poll() is None:
            scan.kill()
    assert scan.returncode == -signal.SIGKILL
    delivered_before = len(killing_inbox.raw)
    # The server ends the killed client's session (and its lease's advisory lock) a moment later.
    wait_until(lambda: not _leases_alive(), timeout=20, what="the killed scan's session to end")
    recorded_before = EmailLog.objects.filter(state=EmailLog.State.SENT).count()
    # Delivered but not recorded when it died: at most the group in flight.
    assert delivered_before - group <= recorded_before <= delivered_before

    assert emails_send_due() == 120 - recorded_before, "the next scan takes every row not recorded"

    ids = killing_inbox.message_ids()
    assert set(ids) == set(keys), "none lost"
    repeated = [message_id for message_id, times in ids.items() if times > 1]
    assert len(repeated) == delivered_before - recorded_before <= group
    assert max(ids.values()) <= 2
    # A repeat is the same message: the Message-ID of its key.
    for message_id in repeated:
        assert EmailLog.message_id_for(keys[message_id]) == message_id
    assert EmailLog.objects.filter(state=EmailLog.State.SENT, lease_holder=None).count() == 120


def test_a_refused_recipient_inside_a_group_is_recorded_with_its_reason_and_the_others_go_out(mailbox):
    _queue(12, "group")
    mailbox.replies = {
        "group4@example.org": "550 5.1.1 no such user here",
        "group7@example.org": "452 4.2.2 mailbox full, try later",
    }
    handled = emails_send_due(group=5)
    assert handled == 12 + 1, "the twelve, and the bounce report to the team"
    rows = {row.recipient: row for row in EmailLog.objects.filter(kind=EmailLog.Kind.REMINDER)}
    bounced, waiting = rows.pop("group4@example.org"), rows.pop("group7@example.org")
    assert bounced.state == EmailLog.State.BOUNCED and "550 5.1.1 no such user here" in bounced.error
    assert waiting.state == EmailLog.State.QUEUED and "452 4.2.2 mailbox full" in waiting.error
    assert waiting.next_attempt_at > timezone.now() and waiting.attempts == 1
    assert all(row.state == EmailLog.State.SENT and row.error == "" for row in rows.values())
    delivered = Counter(mailbox.message_ids())
    assert set(delivered) >= {row.message_id for row in rows.values()} and max(delivered.values()) == 1
    assert bounced.message_id not in delivered and waiting.message_id not in delivered
    assert EmailLog.objects.filter(lease_holder__isnull=False).count() == 0


def test_a_message_retried_after_a_refusal_goes_out_with_the_same_message_id(mailbox):
    [pk] = _queue(1, "retry")
    mailbox.replies = {"retry0@example.org": "451 4.3.0 try again later"}
    assert emails_send_due(group=5) == 1
    row = EmailLog.objects.get(pk=pk)
    assert row.state == EmailLog.State.QUEUED and mailbox.raw == []
    mailbox.replies = {}
    EmailLog.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert emails_send_due(group=5) == 1
    row.refresh_from_db()
    assert row.state == EmailLog.State.SENT and row.attempts == 2
    assert mailbox.message_ids() == [row.message_id] == [EmailLog.message_id_for("retry:0")]


@pytest.mark.parametrize(
    ("name", "subject", "recipient"),
    [
        ("", "Herinnering 1", "bench1@example.org"),
        ("Zoë Ÿsbrand", "Herinnering: opname één", "zoe@example.org"),
        (
            "de Vries, Jan",
            "A subject that is long enough to be folded past the seventy-six octets",
            "a.b+c@x.org",
        ),
        ('A "quoted" name', "=?utf-8?q?not_an_encoded_word?= really", '"odd local"@example.org'),
        ("Ÿsbrand Zoë " * 8, "Zoë " * 30, "jan@bücher.example"),
    ],
)
def test_the_bytes_sent_are_the_message_built_whole(name, subject, recipient):
    row = EmailLog(
        id=7,
        idempotency_key="bytes:7",
        message_id=EmailLog.message_id_for("bytes:7"),
        kind="reminder",  # as read from the database
        recipient=recipient,
        recipient_name=name,
        subject=subject,
        body_text="Hallo é\n" * 3,
        body_html="<p>Hallo</p>",
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        ics_method="REQUEST",
        unsubscribe_url="https://example.org/opt-out/abc",
    )
    contents = Contents()

    def same(raw: bytes) -> bytes:  # the Date and the multipart boundaries differ by design
        raw = re.sub(rb"=_omooc_[0-9a-f]{32}", b"BOUNDARY", raw)
        return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", raw)

    whole = build_message(row).message().as_bytes(linesep="\r\n")
    assert same(contents.flat(row)) == same(whole)
    # Another row with the same content reuses the body flattened for the first, under its own headers.
    other = EmailLog(
        **{f.attname: getattr(row, f.attname) for f in EmailLog._meta.concrete_fields},
    )
    other.recipient, other.recipient_name = "other@example.org", ""
    other.subject, other.message_id = "Anders", "<other@example.org>"
    assert contents.body(other) is contents.body(row)
    flat_other = contents.flat(other)
    assert same(flat_other) == same(build_message(other).message().as_bytes(linesep="\r\n"))
    assert b"\r\nTo: other@example.org\r\n" in flat_other and b"Message-ID: <other@example.org>" in flat_other
