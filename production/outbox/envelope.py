"""An SMTP transaction in two steps (ADR 0021): the envelope (MAIL FROM, RCPT TO) of the next row is
sent while the database records the last row and locks this one, and its DATA only once the row is
locked and its last check passed. What ``smtplib.SMTP.sendmail`` does, cut where the waits can
overlap; the replies mean what they mean there (a refusal raises the same exceptions).

Only for Django's SMTP backend; other backends (the file and in-memory ones) take whole messages.
Nothing is delivered before DATA, so an envelope a row does not use is reset (RSET).
"""

from __future__ import annotations

import functools
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

from ..models.outbox import EmailLog
from .headers import PLAIN_ADDRESS, ascii_address


@dataclass
class Envelope:
    email_id: int
    error: Exception | None = None


def uses_smtp(backend) -> bool:
    return isinstance(backend, EmailBackend)


def open_envelope(smtp: smtplib.SMTP, email: EmailLog) -> Envelope:
    """MAIL FROM and RCPT TO for the row's one recipient; a refusal is kept, not raised."""
    envelope = Envelope(email.pk)
    try:
        smtp.ehlo_or_helo_if_needed()
        sender, quoted_sender = _sender(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        recipient = ascii_address(email.recipient)
        if PLAIN_ADDRESS.match(recipient):  # its own sanitized form; smtplib's quoteaddr gives <it>
            quoted_recipient = f"<{recipient}>"
        else:
            recipient = sanitize_address(recipient, settings.DEFAULT_CHARSET)
            quoted_recipient = smtplib.quoteaddr(recipient)
        # What smtplib's mail() and rcpt() send (no ESMTP options), without parsing the same
        # addresses again for every message.
        smtp.putcmd("mail", f"FROM:{quoted_sender}")
        code, reply = smtp.getreply()
        if code != 250:
            _reset_or_close(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        smtp.putcmd("rcpt", f"TO:{quoted_recipient}")
        code, reply = smtp.getreply()
        if code not in (250, 251):
            _reset_or_close(smtp, code)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    except (smtplib.SMTPException, OSError) as exc:
        envelope.error = exc
    return envelope


@functools.lru_cache(maxsize=8)
def _sender(address: str, charset: str) -> tuple[str, str]:
    """The envelope sender, sanitized, and as MAIL FROM quotes it."""
    sender = sanitize_address(address, charset)
    return sender, smtplib.quoteaddr(sender)


def deliver(
    smtp: smtplib.SMTP, envelope: Envelope, data: bytes, idle: Callable[[], object] | None = None
) -> None:
    """DATA for an open envelope, ``data`` as it goes on the wire (``message.wire``); raises what
    ``sendmail`` raises. ``idle``: work done while the server reads the message, before its reply
    (the next row's message is built then)."""
    if envelope.error is not None:
        raise envelope.error
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(data)
    if idle is not None:
        idle()
    code, reply = smtp.getreply()
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def abandon(smtp: smtplib.SMTP | None, envelope: Envelope | None) -> None:
    """The row is not sent after all: reset the open envelope (nothing was delivered)."""
    if smtp is None or envelope is None or envelope.error is not None:
        return
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        envelope.error = smtplib.SMTPServerDisconnected("reset failed")


def _reset_or_close(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
    else:
        smtp._rset()  # noqa: SLF001 - what sendmail itself does after a refusal


__all__ = ["Envelope", "abandon", "deliver", "open_envelope", "uses_smtp"]
