"""The mail port: how an app that may not import ``production`` hands an email to the studio's outbox.

``courses`` never imports ``production`` (ARCHITECTURE.md), yet every email must go through one
outbox (``production.outbox``: one log, stable Message-IDs, retries with backoff). So ``courses``
describes the message (``Email``) and calls ``queue_email``; the production app registers the
outbox behind it at start-up (``ProductionConfig.ready``). See docs/adr/0014.

Queueing is idempotent by ``idempotency_key``: queueing the same key again stores nothing new and
returns the stored message (same Message-ID). Call it inside the transaction that records the
reason for the email, so the reason and the message commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from .exceptions import ApplicationError


class Kind:
    """Email kinds other apps queue (production's ``EmailLog.Kind`` lists the same values)."""

    LECTURE_RELEASED = "learner_lecture"
    NUDGE = "learner_nudge"
    CERTIFICATE = "learner_certificate"


class InvalidRecipientError(ApplicationError):
    """The recipient has no usable email address: nothing was queued."""

    default_code = "invalid_recipient"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Email:
    idempotency_key: str
    kind: str
    recipient: str
    subject: str
    text: str
    html: str = ""
    recipient_name: str = ""
    language: str = "nl"
    user_id: int | None = None
    # One-click opt-out (RFC 2369 List-Unsubscribe + RFC 8058 List-Unsubscribe-Post).
    unsubscribe_url: str = ""
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Queued:
    message_id: str
    created: bool


_outbox: Callable[[Email], Queued] | None = None


def outbox_register(outbox: Callable[[Email], Queued]) -> None:
    """Called once at start-up by the app that owns the outbox."""
    global _outbox
    _outbox = outbox


def queue_email(email: Email) -> Queued:
    """Store ``email`` in the outbox (once per key); it is sent after the surrounding commit, and
    retried with backoff by the outbox scan until the server takes it."""
    if _outbox is None:
        raise ImproperlyConfigured("No outbox is registered: is the production app installed?")
    return _outbox(email)
