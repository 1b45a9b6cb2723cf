"""1,000 reminder emails to a local SMTP server (aiosmtpd): the outbox pipeline (claim a locked row,
build the MIME message, send over one connection, record) against plain smtplib sending the same
prepared messages over one connection. Target (ARCHITECTURE.md): ≥ 500 msgs/s.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.smtp
"""

from __future__ import annotations

import smtplib
import socket
import time

from bench._django import setup

COUNT = 1_000


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


def main() -> None:
    setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.utils import timezone

    from production.mailer import Content, build_message, email_queue, emails_send_due
    from production.models import EmailLog

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
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
    try:
        prepared = [
            (settings.DEFAULT_FROM_EMAIL, [e.recipient], build_message(e).message().as_bytes(linesep="\r\n"))
            for e in rows.order_by("id")
        ]
        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=settings.EMAIL_TIMEOUT) as smtp:
            for sender, recipients, data in prepared:
                smtp.sendmail(sender, recipients, data)
        plain = time.perf_counter() - t0

        rows.update(
            state=EmailLog.State.QUEUED, next_attempt_at=timezone.now() - timezone.timedelta(seconds=1)
        )
        EmailLog.objects.exclude(idempotency_key__startswith="bench-smtp:").filter(state="queued").update(
            next_attempt_at=later
        )
        t0 = time.perf_counter()
        handled = emails_send_due()
        pipeline = time.perf_counter() - t0
        assert handled == COUNT and rows.filter(state=EmailLog.State.SENT).count() == COUNT
        print(f"plain smtplib, one connection: {COUNT / plain:,.0f} msgs/s ({plain:.2f} s)")
        print(
            f"outbox pipeline (lock, build, send, record): {COUNT / pipeline:,.0f} msgs/s ({pipeline:.2f} s)"
        )
        print(f"received by the server: {sink.count}")
        print("target ≥ 500 msgs/s →", "PASS" if COUNT / pipeline >= 500 else "FAIL")
    finally:
        rows.delete()
        controller.stop()


if __name__ == "__main__":
    main()
