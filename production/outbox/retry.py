"""When a message that could not be sent is tried again, and how its failure is written down: the
outbox's retry policy (exponential backoff, a cap while the server is unreachable, a last attempt),
SMTP reply codes and readable reasons for the email log."""

from __future__ import annotations

import smtplib
from datetime import timedelta

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
# While the mail server cannot be reached at all, nothing is wrong with the messages: they wait,
# never fail, and are retried at most this far apart, so the queue drains soon after it returns.
UNREACHABLE_RETRY_CAP_SECONDS = 10 * 60


class ServerUnreachableError(smtplib.SMTPException):
    """The connection to the mail server could not be opened (refused, timed out, greeting or login
    refused): a fault of the server or of our settings, never of the message being sent."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the first, second, ... failure, capped at six hours."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError | smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def describe(exc: Exception) -> str:
    if isinstance(exc, ServerUnreachableError):
        return f"Mail server unreachable: {exc}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return f"{exc.smtp_code} {message}"
    return f"{type(exc).__name__}: {exc}"
