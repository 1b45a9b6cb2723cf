"""Delivery over real SMTP: stable Message-IDs, 4xx retried with backoff, 5xx marks the address
bounced and tells the team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import BouncedAddress, EmailLog
from production.outbox.mailer import email_send, emails_send_due
from production.outbox.queue import Content, email_queue
from tests.factories import UserFactory
from tests.production.factories import make_production

pytestmark = pytest.mark.django_db


def _queue(key="k1", recipient="speaker@example.org", **kwargs):
    return email_queue(
        idempotency_key=key,
        kind=EmailLog.Kind.REMINDER,
        recipient=recipient,
        content=Content(subject="Reminder", text="Hello", html="<p>Hello</p>"),
        **kwargs,
    )


def test_queueing_the_same_key_twice_stores_and_sends_one_message_with_a_stable_message_id(smtp_server):
    first = _queue()
    second = _queue()
    assert first.pk == second.pk
    assert first.message_id == EmailLog.message_id_for("k1") == EmailLog.message_id_for("k1")
    assert emails_send_due() == 1
    assert emails_send_due() == 0
    assert email_send(email_id=first.pk) is None  # already sent: a redelivered task does nothing
    (message,) = smtp_server.messages
    assert message["Message-ID"] == first.message_id


def test_a_temporary_smtp_failure_is_retried_later_with_backoff(smtp_server):
    smtp_server.replies["speaker@example.org"] = "450 mailbox busy, try later"
    email = _queue()
    emails_send_due()
    email.refresh_from_db()
    assert email.state == EmailLog.State.QUEUED
    assert email.attempts == 1
    assert "450" in email.error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert emails_send_due() == 0, "not retried before its backoff"

    del smtp_server.replies["speaker@example.org"]
    EmailLog.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    emails_send_due()
    email.refresh_from_db()
    assert email.state == EmailLog.State.SENT and email.attempts == 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [email.message_id]


def test_the_backoff_doubles_per_attempt():
    from production.outbox.mailer import backoff

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(50) == timedelta(hours=6)


def test_a_permanent_failure_marks_the_address_bounced_and_tells_the_team(smtp_server):
    producer = UserFactory(producer=True, email="lead@example.org")
    production = make_production(team=[producer])
    smtp_server.replies["gone@example.org"] = "550 no such user"
    email = _queue(recipient="gone@example.org", production=production, related_label="Session 1")
    emails_send_due()
    email.refresh_from_db()
    assert email.state == EmailLog.State.BOUNCED
    assert "550" in email.error
    assert BouncedAddress.objects.filter(email="gone@example.org", code=550).exists()
    (notice,) = smtp_server.messages
    assert notice["To"].endswith("<lead@example.org>")
    assert "gone@example.org" in notice["Subject"]

    # Nothing more goes to a bounced address.
    later = _queue(key="k2", recipient="gone@example.org")
    emails_send_due()
    later.refresh_from_db()
    assert later.state == EmailLog.State.BOUNCED
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_leaves_the_message_queued_for_a_retry(settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    email = _queue()
    emails_send_due()
    email.refresh_from_db()
    assert email.state == EmailLog.State.QUEUED and email.attempts == 1
    assert "ConnectionRefused" in email.error


def test_email_timeout_is_set():
    from django.conf import settings
    from django.core.mail import get_connection

    assert settings.EMAIL_TIMEOUT > 0
    assert (
        get_connection(backend="django.core.mail.backends.smtp.EmailBackend").timeout
        == settings.EMAIL_TIMEOUT
    )
