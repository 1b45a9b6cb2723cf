"""Queue and send the studio's emails (the email log is the outbox).

- ``queue.email_queue`` stores a rendered message (idempotent by its key) and, after commit, asks the
  mail queue to send it (``email_send``).
- ``email_send`` claims its one row with ``select_for_update(skip_locked=True)``; ``emails_send_due``
  leases a batch and sends it in groups (``SEND_GROUP`` rows locked, sent and recorded in one
  transaction, ADR 0030). Every row stays locked until its result is recorded, so two workers never
  send the same row, and a worker that dies mid-group leaves its unrecorded rows queued for the next
  scan (its database connection, locks and lease disappear with it): at most one group's delivered
  messages are sent again, with the same Message-ID.
- SMTP 4xx and connection trouble: retried with exponential backoff (the scan picks the row up again
  at ``next_attempt_at``). SMTP 5xx: the address is recorded as bounced, the row is marked bounced,
  and the producer team is told.
- Every message carries a stable Message-ID derived from its idempotency key.
- A calendar message (invitation, update, postponement, cancellation) is never sent when a newer
  calendar message for the same speaker and item exists, and a speaker reminder is never sent when
  its item is no longer planned, the speaker is off it or declined, or a newer calendar message
  changed what it says: such rows become *superseded* at send time (ADR 0011). ``calendar_sync``
  marks them superseded as soon as the newer message is queued; this check is the last guard.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from ..models.outbox import BouncedAddress, EmailLog
from . import envelope as envelopes
from .lease import Lease, Pipeline, RowClaim, claimed, lease_free, sent_marks
from .message import Contents, build_message, wire
from .queue import superseded_reason
from .retry import (
    MAX_ATTEMPTS,
    UNREACHABLE_RETRY_CAP_SECONDS,
    ServerUnreachableError,
    backoff,
    describe,
    smtp_code,
)
from .team_notices import team_bounce_notice

logger = logging.getLogger(__name__)

# How many due rows a scan leases at a time, and how many of them are locked, sent and recorded in
# one transaction: the most messages a worker killed mid-group can have delivered without their
# "sent" marks, which the next scan sends again (ADR 0021, ADR 0030).
LEASE_BATCH = 200
SEND_GROUP = 10


LEASE_FIELDS = ("lease_holder", "lease_until")


class Sender:
    """Sends claimed rows over one SMTP connection, opened lazily and reopened after trouble."""

    def __init__(self, connection=None) -> None:
        self._own = connection is None
        self.connection = connection or get_connection(fail_silently=False)
        self.opened = False
        # Set when opening the connection failed: the scan stops there (one probe per scan while the
        # server is down, instead of one connection timeout per queued message).
        self.unreachable = False
        self.record: EmailLog | None = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.opened:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                logger.debug("closing the SMTP connection failed", exc_info=True)
            self.opened = False

    def _open(self) -> None:
        if not self.opened:
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                self.unreachable = True
                raise ServerUnreachableError(describe(exc)) from exc
            self.opened = True

    def envelope(self, email: EmailLog) -> envelopes.Envelope | None:
        """Start the row's SMTP transaction (MAIL FROM, RCPT TO) ahead of its DATA; None when the
        backend takes whole messages. Trouble is kept and raised by ``send``."""
        if not envelopes.uses_smtp(self.connection):
            return None
        try:
            self._open()
        except ServerUnreachableError as exc:
            return envelopes.Envelope(email.pk, error=exc)
        envelope = envelopes.open_envelope(self.connection.connection, email)
        if isinstance(envelope.error, smtplib.SMTPServerDisconnected | OSError):
            self.close()
        return envelope

    def abandon(self, envelope: envelopes.Envelope | None) -> None:
        if envelope is not None and self.opened:
            envelopes.abandon(self.connection.connection, envelope)

    def send(
        self,
        message: EmailMultiAlternatives | bytes,
        envelope: envelopes.Envelope | None = None,
        idle: Callable[[], object] | None = None,
    ) -> None:
        """``message``: a whole message, or (with an ``envelope``, on SMTP) its bytes on the wire
        (``message.wire``). ``idle``: work to do while the server reads it."""
        if envelope is not None:
            if envelope.error is None and not self.opened:
                raise smtplib.SMTPServerDisconnected("The connection closed before DATA.")
            if not isinstance(message, bytes):
                message = wire(message.message().as_bytes(linesep="\r\n"))
            envelopes.deliver(self.connection.connection, envelope, message, idle)
            return
        if isinstance(message, bytes):  # pragma: no cover - guard: bytes travel only with an envelope
            raise TypeError("a message as bytes needs an open SMTP envelope")
        self._open()
        message.connection = self.connection
        sent = self.connection.send_messages([message])
        if not sent:
            raise smtplib.SMTPException("The mail backend accepted nothing.")

    def send_row(
        self,
        email: EmailLog,
        *,
        commit: bool = False,
        message: Callable[[], EmailMultiAlternatives | bytes] | None = None,
        record_later: bool = False,
        envelope: envelopes.Envelope | None = None,
        idle: Callable[[], object] | None = None,
    ) -> str:
        """Send one claimed (locked) row and record the result on it (its lease ends). Returns the new
        state. ``commit``: the caller's transaction ends right after this (the sent mark commits with
        it). ``message``: gives the row's message (``message.Contents``; bytes only with an
        ``envelope``). ``record_later``: the sent row is left in ``self.record`` for the caller to
        record with its group (``lease.sent_marks``).
        ``envelope``: the row's SMTP transaction, begun (``envelope``). ``idle``: work to do while
        the server reads the message (``send``)."""
        email.lease_holder = email.lease_until = None
        now = timezone.now()
        reason = superseded_reason(email)
        if reason:
            email.state = EmailLog.State.SUPERSEDED
            email.save(update_fields=["state", "superseded_by", *LEASE_FIELDS])
            logger.info("email %s to %s superseded: %s", email.id, email.recipient, reason)
            self.abandon(envelope)
            return email.state
        email.attempts += 1
        bounced = getattr(email, "address_bounced", None)
        if bounced is None:
            bounced = BouncedAddress.objects.filter(email__iexact=email.recipient).exists()
        if bounced:
            email.state = EmailLog.State.BOUNCED
            email.error = "Not sent: this address bounced before."
            email.save(update_fields=["attempts", "state", "error", *LEASE_FIELDS])
            self.abandon(envelope)
            return email.state
        try:
            self.send(message() if message is not None else build_message(email), envelope, idle)
        except (smtplib.SMTPException, OSError) as exc:
            code = None if isinstance(exc, ServerUnreachableError) else smtp_code(exc)
            email.error = describe(exc)[:2000]
            if isinstance(exc, ServerUnreachableError):
                # Not the message's fault: it waits (never failed, never bounced) until the server answers.
                email.next_attempt_at = now + min(
                    backoff(email.attempts), timedelta(seconds=UNREACHABLE_RETRY_CAP_SECONDS)
                )
            elif code is not None and 500 <= code < 600:
                email.state = EmailLog.State.BOUNCED
                _record_bounce(email, code=code)
            elif email.attempts >= MAX_ATTEMPTS:
                email.state = EmailLog.State.FAILED
            else:
                email.next_attempt_at = now + backoff(email.attempts)
            if code is None or not isinstance(exc, smtplib.SMTPRecipientsRefused):
                # The connection may be unusable now: start a fresh one for the next message.
                self.close()
            email.save(update_fields=["attempts", "state", "error", "next_attempt_at", *LEASE_FIELDS])
            logger.warning("email %s to %s: %s", email.id, email.recipient, email.error)
            return email.state
        email.state = EmailLog.State.SENT
        email.sent_at = timezone.now()
        email.error = ""
        if record_later:
            self.record = email
        else:
            _record_sent(email, commit=commit and _sole_transaction())
        return email.state

    def take_record(self) -> EmailLog | None:
        record, self.record = self.record, None
        return record


def _record_bounce(email: EmailLog, *, code: int) -> None:
    bounce, created = BouncedAddress.objects.get_or_create(
        email=email.recipient.lower(), defaults={"code": code, "reason": email.error}
    )
    if email.kind == EmailLog.Kind.BOUNCE:
        return  # never report a bounce of a bounce report
    team_bounce_notice(email=email)


def sent_statement(email: EmailLog) -> tuple[str, list]:
    """The success path's one UPDATE, as plain SQL: it runs once per message on the hot path, where
    the ORM's save() costs more than the statement itself. It ends the row's lease."""
    fields = {f.name: f.column for f in EmailLog._meta.concrete_fields}
    sql = (
        f"UPDATE {connection.ops.quote_name(EmailLog._meta.db_table)} SET "  # noqa: S608 - names only
        f"{fields['attempts']} = %s, {fields['state']} = %s, {fields['error']} = %s, "
        f"{fields['sent_at']} = %s, {fields['lease_holder']} = NULL, {fields['lease_until']} = NULL "
        f"WHERE {fields['id']} = %s"
    )
    return sql, [email.attempts, email.state, email.error, email.sent_at, email.id]


def _record_sent(email: EmailLog, *, commit: bool = False) -> None:
    """With ``commit`` (only when this is the connection's one outermost transaction), the COMMIT
    travels in the same round trip; the atomic block's own commit then finds nothing left to do."""
    sql, params = sent_statement(email)
    with connection.cursor() as cursor:
        cursor.execute(sql + ("; COMMIT" if commit else ""), params)


def _sole_transaction() -> bool:
    """True inside exactly one atomic block that is a real transaction (no caller's transaction or
    savepoint around it), on PostgreSQL, with nothing waiting for the commit."""
    return (
        connection.vendor == "postgresql"
        and len(connection.atomic_blocks) == 1
        and not connection.savepoint_ids
        and not connection.run_on_commit
        and not connection.needs_rollback
    )


@contextmanager
def _relaxed_commits():
    """Only the durability of the per-message transactions is relaxed (no fsync wait per message): a
    worker crash is unaffected; a PostgreSQL crash could forget the last few "sent" marks. Set once
    for the scan's connection (not once per message), and reset afterwards."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - a broken connection is discarded anyway
            logger.debug("could not reset synchronous_commit", exc_info=True)


def _unleased(queryset):
    """Rows no live scan holds (leases are PostgreSQL's; elsewhere there are none)."""
    return queryset.filter(lease_free()) if connection.vendor == "postgresql" else queryset


def email_send(*, email_id: int, sender: Sender | None = None) -> str | None:
    """Send one queued email now, unless another worker holds it (its row lock, or a scan's lease)
    or it is no longer queued."""
    own = sender is None
    sender = sender or Sender()
    try:
        with _relaxed_commits(), transaction.atomic():
            email = RowClaim(_unleased(EmailLog.objects.filter(id=email_id, state=EmailLog.State.QUEUED)))()
            if email is None:
                return None
            return sender.send_row(email, commit=True)
    finally:
        if own:
            sender.close()


def emails_send_due(
    *,
    limit: int | None = None,
    sender: Sender | None = None,
    batch: int = LEASE_BATCH,
    group: int = SEND_GROUP,
) -> int:
    """Send every queued email whose time has come. Returns how many rows this call handled (sent,
    retried later, bounced or superseded). On PostgreSQL the rows are claimed ``batch`` at a time
    under a lease and sent in groups of ``group`` rows, each group one transaction (ADR 0030);
    elsewhere, and inside a caller's transaction, one locked row at a time."""
    own = sender is None
    sender = sender or Sender()
    try:
        with _relaxed_commits():
            if connection.vendor == "postgresql":
                return _send_leased(sender, limit=limit, batch=batch, group=group)
            return _send_one_by_one(sender, limit=limit)
    finally:
        if own:
            sender.close()


def _send_leased(sender: Sender, *, limit: int | None, batch: int, group: int) -> int:
    lease = Lease.open()
    contents = Contents()
    try:
        if not connection.in_atomic_block:
            return _send_in_groups(sender, lease, contents, limit=limit, batch=batch, group=group)
        # Inside the caller's transaction each row gets a savepoint and everything commits with
        # the caller.
        handled = 0
        while (limit is None or handled < limit) and not sender.unreachable:
            emails = lease.claim(limit=batch if limit is None else min(batch, limit - handled))
            if not emails:
                break
            handled += _send_batch_in_savepoints(sender, lease, emails)
        return handled
    finally:
        lease.close()


def _send_in_groups(
    sender: Sender, lease: Lease, contents: Contents, *, limit: int | None, batch: int, group: int
) -> int:
    """Claim a batch, send it and what the claims pipelined with it bring (``_send_queue``), and
    claim again until a claim after the last commit finds nothing (a row queued meanwhile, such as
    a bounce report to the team, goes out in the same scan)."""
    handled = 0
    while (limit is None or handled < limit) and not sender.unreachable:
        queue = deque(lease.claim(limit=batch if limit is None else min(batch, limit - handled)))
        if not queue:
            break
        left = None if limit is None else limit - handled
        handled += _send_queue(sender, lease, contents, queue, limit=left, batch=batch, group=group)
    return handled


def _send_queue(
    sender: Sender,
    lease: Lease,
    contents: Contents,
    queue: deque[EmailLog],
    *,
    limit: int | None,
    batch: int,
    group: int,
) -> int:
    """The leased rows in groups of ``group``, each group one transaction on the server (ADR 0030,
    0032): the last group's "sent" marks (one UPDATE; all but the last row's already sent while
    that row went out), COMMIT, BEGIN and the locks of this group's rows travel in one round trip
    (``lease.Pipe``), sent before this group's first SMTP envelope and read after it, so the
    database works while the mail server answers. When the rows left would not fill the next
    group, the next batch's claim travels in the same round trip and is read after the group is
    sent (its lease commits with the group). A row is sent (DATA) only once it is locked, still
    queued and still ours; its "sent" mark commits with its group, so a worker killed mid-group
    sends at most the group's delivered rows again. Django sees one transaction."""
    handled = 0
    more = True  # the last claim found rows: there may be more
    smtp = envelopes.uses_smtp(sender.connection)
    sent: list[EmailLog] = []
    pipeline = Pipeline()
    with transaction.atomic(), pipeline.guard():
        while queue and not sender.unreachable:
            rows = [queue.popleft() for _ in range(min(group, len(queue)))]
            statements = [sent_marks(sent), "COMMIT"] if sent else []
            statements += ["BEGIN", lease.lock_statement(rows)]
            lock = len(statements) - 1
            wanted = batch if limit is None else min(batch, limit - handled - len(rows) - len(queue))
            claim = more and len(queue) < group and wanted > 0
            if claim:
                statements.append(lease.claim_statement(wanted))
            pipe = pipeline.send(statements)
            sent = []
            first = sender.envelope(rows[0])  # on its way while the database answers
            contents.prepare(rows[0])
            locked = {int(pk): bounced == b"t" for pk, bounced in pipe.rows(lock)}
            for index, email in enumerate(rows):
                if email.pk not in locked:  # it left the queue meanwhile (superseded, sent on its own)
                    if index == 0:
                        sender.abandon(first)
                    continue
                email.address_bounced = locked[email.pk]
                if index == 0:
                    envelope = first
                elif email.address_bounced or not smtp:
                    envelope = None
                else:
                    envelope = sender.envelope(email)
                message = contents.message_for(email) if envelope is not None else _whole(email)
                following = rows[index + 1] if index + 1 < len(rows) else (queue[0] if queue else None)
                sender.send_row(
                    email,
                    message=message,
                    record_later=True,
                    envelope=envelope,
                    idle=functools.partial(contents.prepare, following),
                )
                if (record := sender.take_record()) is not None:
                    sent.append(record)
                handled += 1
                if sender.unreachable:
                    break  # the server is down: the rest wait for the next scan, untouched
                if index == len(rows) - 2 and sent and not claim:
                    # The group's marks so far go out while its last row is sent (same
                    # transaction, same commit): the round trip that starts the next group
                    # then carries one row's mark, and its locks come back sooner.
                    pipeline.send([sent_marks(sent)])
                    sent = []
            if claim:
                fresh = claimed(pipe.result(lock + 1))
                queue.extend(fresh)
                more = bool(fresh)
        pipeline.send([sent_marks(sent), "COMMIT"] if sent else ["COMMIT"]).finish()
    return handled


def _whole(email: EmailLog) -> Callable[[], EmailMultiAlternatives]:
    return lambda: build_message(email)


def _send_batch_in_savepoints(sender: Sender, lease: Lease, emails: list[EmailLog]) -> int:
    handled = 0
    for email in emails:
        with transaction.atomic():
            if not lease.lock_row(email):
                continue  # it left the queue meanwhile (superseded, or sent on its own)
            sender.send_row(email, message=_whole(email))
        handled += 1
        if sender.unreachable:
            break
    return handled


def _send_one_by_one(sender: Sender, *, limit: int | None) -> int:
    handled = 0
    claim = RowClaim(EmailLog.objects.filter(state=EmailLog.State.QUEUED, next_attempt_at__lte=Now()))
    while limit is None or handled < limit:
        with transaction.atomic():
            email = claim()
            if email is None:
                break
            sender.send_row(email, commit=True)
        handled += 1
        if sender.unreachable:
            break  # the server is down: the rest wait for the next scan, untouched
    return handled


__all__ = [
    "LEASE_BATCH",
    "SEND_GROUP",
    "Sender",
    "backoff",
    "build_message",
    "email_send",
    "emails_send_due",
    "superseded_reason",
]
