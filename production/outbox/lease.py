"""Claims: how a scan takes due rows of the outbox. On PostgreSQL a scan leases batches (ADR 0021)
and sends them in groups over pipelined round trips (``Pipe``, ADR 0030, 0032); ``RowClaim`` locks
one row at a time (``email_send``, and scans on SQLite).

A scan takes a session advisory lock with a random token (``Lease.open``) and claims up to a batch
of due, queued rows in one statement (``Lease.claim``: ``FOR UPDATE SKIP LOCKED``, then the token
and a time limit written on the rows, committed at once). Another scan skips rows under a lease
whose holder is alive, so two scans share the queue instead of queueing behind each other's locks.

A lease ends when
- its rows are handled (sending a row clears its lease) or given back (``Lease.close``);
- its holder's database session is gone: a worker killed mid-batch loses its connection, the server
  drops its advisory lock, and the next scan claims the rows it did not send, as the row lock of
  ADR 0005 did;
- its time is up (``LEASE_SECONDS``, longer than the task's hard time limit): the backstop for a
  holder that is alive but stuck.

A lease only spreads the work. Each row is still locked (``lock_statement`` for a group of rows,
``lock_row`` for one) while it is sent and its result recorded, in the short transaction of its
group (ADR 0030), so the rules that rest on that lock hold as before: a row is sent once, a calendar
sync waits for a message being sent (ADR 0011), and a worker killed mid-group leaves at most that
group's delivered messages to be sent again.
"""

from __future__ import annotations

import logging
import secrets
import select
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from django.db import DatabaseError, connection
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.db.models.signals import post_init, pre_init
from psycopg import pq
from psycopg.adapt import Transformer

from ..models.outbox import BouncedAddress, EmailLog

logger = logging.getLogger(__name__)

LEASE_SECONDS = 15 * 60
# The first key of the outbox's advisory locks (the second is the lease's token).
LOCK_SPACE = 0x0B0C5

_LIVE_HOLDERS = (
    "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
    " AND classid::bigint = %s"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _table() -> str:
    return connection.ops.quote_name(EmailLog._meta.db_table)


def lease_free() -> Q:
    """Rows under no lease, or under one that ended (holder gone, or time up)."""
    return (
        Q(lease_holder__isnull=True)
        | Q(lease_until__lt=Now())
        | ~Q(lease_holder__in=RawSQL(_LIVE_HOLDERS, [LOCK_SPACE]))  # noqa: S611 - a constant query
    )


class Lease:
    """One scan's lease; ``token`` names it on the rows it claims."""

    def __init__(self, token: int) -> None:
        self.token = token
        self._statements: dict[int, str] = {}

    @classmethod
    def open(cls) -> Lease:
        with connection.cursor() as cursor:
            while True:
                token = secrets.randbelow(2**31 - 2) + 1
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, token])
                if cursor.fetchone()[0]:
                    return cls(token)

    @staticmethod
    def holder_alive(token: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT %s IN ({_LIVE_HOLDERS})", [token, LOCK_SPACE])
            return cursor.fetchone()[0]

    def _claim_sql(self, limit: int) -> tuple[str, list]:
        """Up to ``limit`` due, queued rows under no live lease, leased to this scan and returned
        (but for ``_UNREAD``), oldest due first (``FOR UPDATE SKIP LOCKED``: two scans never claim the same
        row)."""
        columns = {f.name: f.column for f in EmailLog._meta.concrete_fields}
        candidates = (
            EmailLog.objects.filter(lease_free(), state=EmailLog.State.QUEUED, next_attempt_at__lte=Now())
            .order_by("next_attempt_at", "id")
            .values("id")[:limit]
        )
        inner, params = candidates.query.sql_with_params()
        table = _table()
        returning = ", ".join(f"{table}.{connection.ops.quote_name(f.column)}" for f in _read_fields())
        names = ", ".join(connection.ops.quote_name(f.column) for f in _read_fields())
        # The rows are picked (and locked) once, in their own step, then leased: the standard
        # queue pattern, where ``IN (SELECT … SKIP LOCKED)`` may run its subquery more than once.
        sql = (
            f"WITH picked AS ({inner} FOR UPDATE SKIP LOCKED), claimed AS ("  # noqa: S608 - names only
            f"UPDATE {table} SET {columns['lease_holder']} = %s, "
            f"{columns['lease_until']} = now() + make_interval(secs => %s) FROM picked "
            f"WHERE {table}.{columns['id']} = picked.{columns['id']} RETURNING {returning}) "
            f"SELECT {names} FROM claimed ORDER BY {columns['next_attempt_at']}, {columns['id']}"
        )
        return sql, [*params, self.token, LEASE_SECONDS]

    def claim(self, *, limit: int) -> list[EmailLog]:
        """Up to ``limit`` due, queued rows under no live lease, oldest due first, now leased to
        this scan (committed with the statement outside a transaction), read in the same statement.
        Whether a row's address bounced is read when the row is locked (``lock_row``,
        ``lock_statement``)."""
        with connection.cursor() as cursor:
            cursor.execute(*self._claim_sql(limit))
            return _emails(cursor.fetchall())

    def claim_statement(self, limit: int) -> str:
        """``claim`` as one plain statement, for a ``Pipe``: its rows are read with ``claimed``. In
        a group's transaction the lease commits with the group (a worker killed before that leaves
        no lease behind)."""
        statement = self._statements.get(limit)
        if statement is None:
            statement = self._statements[limit] = connection.ops.compose_sql(*self._claim_sql(limit))
        return statement

    def lock_row(self, email: EmailLog) -> bool:
        """Inside the row's transaction: lock it while it is still queued and leased to this scan,
        and read again whether its address bounced. False when it left the queue or the lease."""
        with connection.cursor() as cursor:
            cursor.execute(_lock_statement(), [email.pk, self.token])
            return _locked(cursor, email)

    def lock_statement(self, emails: list[EmailLog]) -> str:
        """The statement that locks a group of this lease's rows (in pk order, while still queued
        and still ours) and reads whether each one's address bounced: ``id, bounced`` per row
        (prepared once per session: ``Pipe``)."""
        ids = ",".join(str(int(email.pk)) for email in emails)
        return f"EXECUTE {_LOCK_GROUP}('{{{ids}}}', {int(self.token)})"

    def close(self) -> None:
        """Give back the rows this scan did not handle, and end the lease."""
        columns = {f.name: f.column for f in EmailLog._meta.concrete_fields}
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table()} SET {columns['lease_holder']} = NULL, "  # noqa: S608 - names only
                f"{columns['lease_until']} = NULL WHERE {columns['lease_holder']} = %s",
                [self.token],
            )
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, self.token])


class RowClaim:
    """One row at a time (``email_send``; SQLite; no lease): lock the next row nobody else holds.
    The lock is the claim: it lasts until this transaction ends, and dies with the worker's
    connection if the worker dies.

    The statement (``SELECT … FOR UPDATE SKIP LOCKED LIMIT 1`` with the bounced-address check) is
    compiled once per scan and run as raw SQL for every message: same statement, same lock, without
    rebuilding the query each time."""

    def __init__(self, queryset) -> None:
        self.queryset = (
            queryset.select_for_update(skip_locked=True, of=("self",))
            .annotate(
                address_bounced=Exists(BouncedAddress.objects.filter(email__iexact=OuterRef("recipient")))
            )
            .order_by("next_attempt_at", "id")[:1]
        )
        self.statement: tuple[str, tuple] | None = None

    def __call__(self) -> EmailLog | None:
        if self.statement is None:
            # Compiled inside the first claim's transaction (FOR UPDATE refuses to compile outside one).
            self.statement = self.queryset.query.sql_with_params()
        sql, params = self.statement
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            columns = [column[0] for column in cursor.description]
        if row is None:
            return None
        fields = EmailLog._meta.concrete_fields
        if columns != [f.column for f in fields] + ["address_bounced"]:  # pragma: no cover - guard
            raise RuntimeError(f"unexpected columns from the claim statement: {columns}")
        email = EmailLog.from_db(connection.alias, [f.attname for f in fields], row[: len(fields)])
        email.address_bounced = row[-1]
        return email


def sent_marks(emails: list[EmailLog]) -> str:
    """One statement that records a group's rows as sent (attempts, sent_at) and ends their lease
    (prepared once per session: ``Pipe``)."""
    ids = ",".join(str(int(email.pk)) for email in emails)
    attempts = ",".join(str(int(email.attempts)) for email in emails)
    times = ",".join(f'"{email.sent_at.isoformat()}"' for email in emails)
    return f"EXECUTE {_MARK_SENT}('{{{ids}}}', '{{{attempts}}}', '{{{times}}}')"


# The two statements of every group, prepared once per database session (a prepared statement
# outlives transactions, and is planned once instead of once per group): names, and their text.
_LOCK_GROUP = "omooc_outbox_lock_group"
_MARK_SENT = "omooc_outbox_mark_sent"


def _prepare(name: str) -> str:
    log = {f.name: f.column for f in EmailLog._meta.concrete_fields}
    if name == _LOCK_GROUP:
        return f"PREPARE {_LOCK_GROUP} (bigint[], bigint) AS " + _lock_sql(
            ids="= ANY($1)", holder="$2", many=True
        )
    return (
        f"PREPARE {_MARK_SENT} (bigint[], integer[], timestamptz[]) AS "  # noqa: S608 - names only
        f"UPDATE {_table()} AS e SET {log['attempts']} = v.attempts, "
        f"{log['state']} = 'sent', {log['error']} = '', {log['sent_at']} = v.sent_at, "
        f"{log['lease_holder']} = NULL, {log['lease_until']} = NULL "
        f"FROM unnest($1, $2, $3) AS v(id, attempts, sent_at) WHERE e.{log['id']} = v.id"
    )


# Per psycopg connection (one database session): the statements prepared on it.
_prepared: WeakKeyDictionary = WeakKeyDictionary()


class Pipe:
    """Statements sent to PostgreSQL at once, their results read later, in order: the database works
    on them while this thread talks to the mail server (one round trip, overlapped). Simple query
    protocol: the statements carry no parameters (``lock_statement`` and ``sent_marks`` write only
    integers, times and names; ``Lease.claim_statement`` is bound on this side). Only inside the
    caller's ``transaction.atomic()``, and only through a ``Pipeline``, which reads what is left
    before anything else uses the connection."""

    def __init__(self, statements: list[str]) -> None:
        connection.ensure_connection()
        self._session = connection.connection
        self._pgconn = self._session.pgconn
        done = _prepared.setdefault(self._session, set())
        self._preparing = [name for name in (_LOCK_GROUP, _MARK_SENT) if name not in done]
        preparations = [_prepare(name) for name in self._preparing]
        self._pgconn.send_query("; ".join([*preparations, *statements]).encode())
        self._results: list = []
        self._reading = True
        self._error = ""
        self._poll: select.poll | None = None

    def _read(self) -> bool:
        if not self._reading:
            return False
        # Wait for the next result with the interpreter's lock released (``get_result`` would
        # block holding it: another thread of this process, perhaps the one whose transaction
        # this statement waits for, could not run).
        while True:
            self._pgconn.consume_input()
            if not self._pgconn.is_busy():
                break
            if self._poll is None:
                self._poll = select.poll()
                self._poll.register(self._pgconn.socket, select.POLLIN)
            self._poll.poll()
        result = self._pgconn.get_result()
        if result is None:
            self._reading = False
        elif result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            if len(self._results) < len(self._preparing):
                _prepared[self._session].add(self._preparing[len(self._results)])
            self._results.append(result)
        else:
            self._error = self._error or (result.error_message or b"").decode(errors="replace")
        return self._reading

    def finish(self) -> None:
        """Read every result; a failed statement (and the ones after it, skipped) raises."""
        while self._read():
            pass
        if self._error:
            error, self._error = self._error, ""
            raise DatabaseError(error)

    def result(self, index: int):
        """The ``index``-th statement's result, once it is there."""
        index += len(self._preparing)
        while len(self._results) <= index and not self._error and self._read():
            pass
        if len(self._results) <= index:
            self.finish()
            raise DatabaseError(f"no result for statement {index}")  # pragma: no cover - guard
        return self._results[index]

    def rows(self, index: int) -> list[tuple]:
        """The ``index``-th statement's rows (text values)."""
        result = self.result(index)
        return [tuple(result.get_value(r, c) for c in range(result.nfields)) for r in range(result.ntuples)]


class Pipeline:
    """A scan's pipes on Django's connection, one at a time. Inside ``guard()`` any other query on
    the connection (a supersede check, a failure written with ``save()``) first reads the open
    pipe's results, so its statements' results never block the connection; on the way out (an
    error included) what is left is read, so the transaction can end."""

    def __init__(self) -> None:
        self.pipe: Pipe | None = None

    def send(self, statements: list[str]) -> Pipe:
        self.finish()
        self.pipe = Pipe(statements)
        return self.pipe

    def finish(self) -> None:
        pipe, self.pipe = self.pipe, None
        if pipe is not None:
            pipe.finish()

    def _before_query(self, execute, sql, params, many, context):
        self.finish()
        return execute(sql, params, many, context)

    @contextmanager
    def guard(self) -> Iterator[Pipeline]:
        with connection.execute_wrapper(self._before_query):
            try:
                yield self
            finally:
                try:
                    self.finish()
                except DatabaseError:  # the error that ends the block is already on its way
                    logger.debug("a pipelined statement failed", exc_info=True)


def claimed(result) -> list[EmailLog]:
    """The rows of ``Lease.claim_statement``'s result, as ``Lease.claim`` returns them (decoded by
    the connection's own loaders)."""
    transformer = Transformer(connection.connection)
    transformer.set_pgresult(result)
    return _emails(transformer.load_rows(0, result.ntuples, tuple))


# What a claim leaves unread, deferred (loaded if asked for): the times nothing on the way out
# reads (``lease_until`` and ``sent_at`` are written, never read).
_UNREAD = ("created_at", "lease_until", "sent_at")


def _read_fields() -> list:
    return [f for f in EmailLog._meta.concrete_fields if f.name not in _UNREAD]


def _emails(rows: list[tuple]) -> list[EmailLog]:
    """Claimed rows as model instances, as ``EmailLog.from_db`` makes them for ``.defer(*_UNREAD)``
    but without ``Model.__init__``'s setattr through every field's descriptor (the largest part of
    a claim's cost on this side): the attributes are set as ``__init__`` leaves them on a fresh
    instance. Should the model ever get ``pre_init``/``post_init`` receivers, ``from_db`` again."""
    names = [f.attname for f in _read_fields()]
    if pre_init.has_listeners(EmailLog) or post_init.has_listeners(EmailLog):
        emails = [EmailLog.from_db(connection.alias, names, row) for row in rows]
    else:
        emails = []
        for row in rows:
            email = EmailLog.__new__(EmailLog)
            email.__dict__.update(zip(names, row, strict=True))
            state = email._state = ModelState()
            state.adding, state.db = False, connection.alias
            emails.append(email)
    prefetch_related_objects([email for email in emails if email.has_attachments], "attachments")
    return emails


def _lock_statement() -> str:
    return _lock_sql(ids="= %s", holder="%s", many=False)


def _lock_sql(*, ids: str, holder: str, many: bool) -> str:
    """Lock rows of the log still queued and leased to ``holder``, reading whether each one's address
    bounced (``many``: ``id, bounced`` per row, in pk order)."""
    log = {f.name: f.column for f in EmailLog._meta.concrete_fields}
    bounced = {f.name: f.column for f in BouncedAddress._meta.concrete_fields}
    first, order = (f"e.{log['id']}, ", f" ORDER BY e.{log['id']}") if many else ("", "")
    return (
        f"SELECT {first}EXISTS (SELECT 1 FROM {connection.ops.quote_name(BouncedAddress._meta.db_table)} b "  # noqa: S608
        f"WHERE UPPER(b.{bounced['email']}) = UPPER(e.{log['recipient']})) "
        f"FROM {_table()} e WHERE e.{log['id']} {ids} AND e.{log['state']} = 'queued' "
        f"AND e.{log['lease_holder']} = {holder}{order} FOR UPDATE OF e"
    )


def _locked(cursor, email: EmailLog) -> bool:
    row = cursor.fetchone()
    if row is None:
        return False
    email.address_bounced = row[0]
    return True


__all__ = [
    "LEASE_SECONDS",
    "Lease",
    "Pipe",
    "Pipeline",
    "RowClaim",
    "claimed",
    "lease_free",
    "sent_marks",
]
