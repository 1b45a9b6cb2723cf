"""1,000 reminder emails to a local SMTP server (aiosmtpd in its own process, as a real relay would
be): the outbox pipeline (lease a batch, lock a group of rows, build each message, send over one
connection, record the group's results and commit, ADR 0021) against plain smtplib sending the same
prepared messages over one connection. The outbox runs with its default group (``SEND_GROUP``) and
with ``BENCH_GROUPS`` for comparison (default 1 and 50: the duplicate window of one message, and a
whole batch). Rounds are interleaved; medians are reported, with each round's own ratio (outbox over
the plain loop just before it: the steadiest figure on a shared machine) and the sending process's
CPU time per message. The rows are vacuumed before each pass. Targets: ≥ 0.8× plain smtplib in the
same run (issue 16), ≥ 500 msgs/s (ARCHITECTURE.md).

    DATABASE_URL=postgres://... .venv/bin/python -m bench smtp      (BENCH_ROUNDS, default 3)
"""

from __future__ import annotations

import multiprocessing
import os
import smtplib
import socket
import statistics
import time

from bench._django import setup
from bench._report import line

COUNT = 1_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
RATIO_TARGET = 0.8


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


def serve(port: int, pipe) -> None:
    """The SMTP server's process: accept everything, answer "count" and "stop" on the pipe."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    while (command := pipe.recv()) != "stop":
        pipe.send(sink.count if command == "count" else None)
    controller.stop()


def _vacuum(model) -> None:
    """Every round re-queues the same 1,000 rows: their dead versions pile up in the queue's index
    (tens of thousands after a few rounds, which a real queue, written once and sent once, never
    has), and the claim's index scan walks them all. Vacuum them away first, as autovacuum would."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def main() -> None:
    setup()
    from django.conf import settings
    from django.utils import timezone

    from production.models import EmailLog
    from production.outbox.mailer import SEND_GROUP, emails_send_due
    from production.outbox.message import build_message
    from production.outbox.queue import Content, email_queue

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    here, there = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port, there), daemon=True)
    server.start()
    assert here.recv() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    EmailLog.objects.filter(idempotency_key__startswith="bench-smtp:").delete()
    # Queue everything first, deferred, so the pipeline run measures sending only.
    later = timezone.now() + timezone.timedelta(days=365)
    text = "Ter herinnering: de opnamesessie komt eraan.\n" * 20
    html = "<p>Ter herinnering: de opnamesessie komt eraan.</p>" * 20
    for n in range(COUNT):
        email_queue(
            idempotency_key=f"bench-smtp:{n}",
            kind=EmailLog.Kind.REMINDER,
            recipient=f"bench{n}@example.org",
            content=Content(subject=f"Herinnering {n}", text=text, html=html),
            send=False,
        )
    rows = EmailLog.objects.filter(idempotency_key__startswith="bench-smtp:")
    EmailLog.objects.exclude(idempotency_key__startswith="bench-smtp:").filter(state="queued").update(
        next_attempt_at=later
    )
    others = [int(g) for g in os.environ.get("BENCH_GROUPS", "1,50").split(",") if g.strip()]
    groups = [SEND_GROUP, *(g for g in others if g != SEND_GROUP)]
    plain_rates: list[float] = []
    pipeline_rates: dict[int, list[float]] = {group: [] for group in groups}
    cpu: dict[object, list[float]] = {group: [] for group in ["plain", *groups]}
    try:
        prepared = [
            (settings.DEFAULT_FROM_EMAIL, [e.recipient], build_message(e).message().as_bytes(linesep="\r\n"))
            for e in rows.order_by("id")
        ]
        for _ in range(ROUNDS):
            t0, c0 = time.perf_counter(), time.process_time()
            with smtplib.SMTP("127.0.0.1", port, timeout=settings.EMAIL_TIMEOUT) as smtp:
                for sender, recipients, data in prepared:
                    smtp.sendmail(sender, recipients, data)
            plain_rates.append(COUNT / (time.perf_counter() - t0))
            cpu["plain"].append((time.process_time() - c0) * 1000 / COUNT)

            for group in groups:
                rows.update(
                    state=EmailLog.State.QUEUED,
                    next_attempt_at=timezone.now() - timezone.timedelta(seconds=1),
                    sent_at=None,
                )
                _vacuum(EmailLog)
                t0, c0 = time.perf_counter(), time.process_time()
                handled = emails_send_due(group=group)
                pipeline_rates[group].append(COUNT / (time.perf_counter() - t0))
                cpu[group].append((time.process_time() - c0) * 1000 / COUNT)
                assert handled == COUNT and rows.filter(state=EmailLog.State.SENT).count() == COUNT
        here.send("count")
        received = here.recv()
        assert received == COUNT * ROUNDS * (1 + len(groups)), received
        plain = statistics.median(plain_rates)
        line(
            "smtp.plain_smtplib.rate",
            plain,
            "msgs/s",
            baseline=plain,
            note=f"{COUNT:,} messages, median of {ROUNDS}: "
            + ", ".join(f"{r:,.0f}" for r in plain_rates)
            + f"; CPU {statistics.median(cpu['plain']):.3f} ms/msg",
        )
        for group in groups:
            pipeline = statistics.median(pipeline_rates[group])
            default = " (default)" if group == SEND_GROUP else ""
            line(
                f"smtp.outbox_pipeline.group_{group}.rate",
                pipeline,
                "msgs/s",
                baseline=plain,
                target=RATIO_TARGET,
                note=f"group of {group}{default}, duplicate window ≤ {group}; median of {ROUNDS}: "
                + ", ".join(f"{r:,.0f}" for r in pipeline_rates[group])
                + "; each round's ratio: "
                + ", ".join(f"{r / p:.2f}" for r, p in zip(pipeline_rates[group], plain_rates, strict=True))
                + f"; CPU {statistics.median(cpu[group]):.3f} ms/msg",
            )
        pipeline = statistics.median(pipeline_rates[SEND_GROUP])
        line(
            "smtp.outbox_pipeline.target_500",
            pipeline / 500,
            "x target",
            note="PASS" if pipeline >= 500 else "FAIL",
        )
    finally:
        rows.delete()
        here.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
