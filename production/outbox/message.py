"""The MIME message of one email log row, built when it is sent: headers by ``MAIL_POLICY`` (RFC
5322/2047 limits), the opt-out headers of an optional email, the calendar parts, the stored
attachments, and a fresh personal link where the body asks for one.

``Contents`` gives a scan's messages as the bytes an SMTP server is sent (ADR 0021): each row's own
header lines, written by the same folding rules, followed by its body part, which is flattened once
per scan for all the rows that carry the same content (a batch of reminders shares its text). A
message that mints a personal link, or carries stored attachments, is built whole, under its row
lock (a link is never minted for a message that is not sent).
"""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from email.headerregistry import Address
from email.utils import formatdate
from typing import NamedTuple

from django.conf import settings

from ..ical import one_line
from ..models.outbox import EmailLog, SpeakerLink
from .headers import (
    LINE,
    MAIL_POLICY,
    PLAIN_ADDRESS,
    URL_HEADER_MAX,
    MIMEMessage,
    OutboxMessage,
    ascii_address,
    fold,
    phrase_tokens,
)

# A body part flattened once serves every row of the scan with the same content; the scan keeps
# this many distinct ones (the oldest is dropped first).
CONTENTS_KEPT = 64
# Header lines kept per scan (the first ones written: the constant lines are among them).
LINES_KEPT = 4096


def _speaker_link(email: EmailLog) -> str:
    """Mint a fresh personal link for this message (only its hash is stored)."""
    token = secrets.token_urlsafe(24)  # 192 bits
    SpeakerLink.objects.create(speaker_id=email.speaker_id, token_hash=SpeakerLink.hash_token(token))
    return token


class PlainTo(NamedTuple):
    """A To of a plain address (``PLAIN_ADDRESS``): written without parsing the address again."""

    display_name: str
    addr_spec: str


def _to(email: EmailLog, recipient: str, *, plain: bool = False) -> Address | PlainTo:
    name = one_line(email.recipient_name, limit=200)
    if plain and PLAIN_ADDRESS.match(recipient):
        return PlainTo(name, recipient)
    return Address(display_name=name, addr_spec=recipient)


def _top_headers(
    email: EmailLog, *, subject: str, to: Address | PlainTo, date: str | None = None
) -> list[tuple[str, object]]:
    """The message's own header fields, in the order they are written (before the MIME ones)."""
    headers: list[tuple[str, object]] = [
        ("Subject", subject),
        ("From", settings.DEFAULT_FROM_EMAIL),
        ("To", to),
        ("Date", date if date is not None else formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        *_extra_headers(email).items(),
    ]
    return headers


def _extra_headers(email: EmailLog) -> dict[str, str]:
    headers = {
        "Message-ID": email.message_id,
        "Reply-To": settings.STUDIO_MAILBOX,
        "Auto-Submitted": "auto-generated",
        "X-OMOOC-Kind": email.kind,
    }
    url = one_line(email.unsubscribe_url, limit=URL_HEADER_MAX + 1)
    if url and len(url) <= URL_HEADER_MAX and url.isascii() and " " not in url:
        headers["List-Unsubscribe"] = f"<{url}>"  # RFC 8058 one-click: a POST to this URL opts out
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _add_body(
    mime: MIMEMessage, email: EmailLog, *, text: str, html: str, message: OutboxMessage | None
) -> None:
    """The text, the HTML alternative and the calendar parts (also on ``message``, the Django way)."""
    mime.set_content(text)
    if html:
        mime.add_alternative(html, subtype="html")
        if message is not None:
            message.attach_alternative(html, "text/html")
    if email.ics:
        method = email.ics_method or "REQUEST"
        # The calendar part inside multipart/alternative (what Outlook/Gmail act on) and the same
        # file as an attachment (what other clients offer to import). Both say the same method.
        mime.add_alternative(email.ics, subtype="calendar")
        calendar = mime.get_payload()[-1]
        calendar.replace_header("Content-Type", f'text/calendar; method={method}; charset="utf-8"')
        mime.add_attachment(email.ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
        if message is not None:
            message.attach_alternative(email.ics, "text/calendar; method=" + method)
            message.attach("invite.ics", email.ics.encode(), "application/ics")


def build_message(email: EmailLog, *, connection=None) -> OutboxMessage:
    """The message for one log row: headers by ``MAIL_POLICY`` (RFC 5322/2047 limits), the opt-out
    headers of an optional email, the calendar parts, and the stored attachments."""
    text, html = email.body_text, email.body_html
    if email.speaker_id and (EmailLog.LINK_PLACEHOLDER in text or EmailLog.LINK_PLACEHOLDER in html):
        token = _speaker_link(email)
        text = text.replace(EmailLog.LINK_PLACEHOLDER, token)
        html = html.replace(EmailLog.LINK_PLACEHOLDER, token)
    subject = one_line(email.subject)
    recipient = ascii_address(email.recipient)
    mime = MIMEMessage(policy=MAIL_POLICY)
    for name, value in _top_headers(email, subject=subject, to=_to(email, recipient)):
        mime[name] = value
    message = OutboxMessage(
        mime=mime,
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers=_extra_headers(email),
        connection=connection,
    )
    _add_body(mime, email, text=text, html=html, message=message)
    if email.has_attachments:
        for attachment in email.attachments.all():
            content = bytes(attachment.content)
            maintype, _slash, subtype = attachment.mimetype.partition("/")
            mime.add_attachment(content, maintype=maintype, subtype=subtype, filename=attachment.filename)
            message.attach(attachment.filename, content, attachment.mimetype)
    mime.set_boundaries()
    return message


def needs_link(email: EmailLog) -> bool:
    """The body asks for a personal link (minted when the message is sent)."""
    return bool(email.speaker_id) and (
        EmailLog.LINK_PLACEHOLDER in email.body_text or EmailLog.LINK_PLACEHOLDER in email.body_html
    )


@functools.lru_cache(maxsize=256)
def _plain_line(name: str, value: str) -> bytes:
    return f"{name}: {value}\r\n".encode("ascii")


def _header_line(name: str, value: object) -> bytes:
    """One header field as the generator writes it with ``MAIL_POLICY`` (``policy.fold_binary`` of
    what ``header_store_parse`` stores), with two shortcuts that give the same bytes: a short
    plain-ASCII value (the policy stores and writes it unchanged), and a To of a plain address
    (``PlainTo``)."""
    if isinstance(value, str):
        if (
            len(name) + 2 + len(value) <= LINE
            and value.isascii()
            and value.isprintable()
            and "=?" not in value
        ):
            return _plain_line(name, value)
    elif isinstance(value, PlainTo):
        # What ``headers.AddressListHeader.fold`` writes for one address.
        words = phrase_tokens(value.display_name)
        tokens = [*words, f"<{value.addr_spec}>"] if words else [value.addr_spec]
        return fold(name, tokens, linesep="\r\n").encode("ascii")
    return MAIL_POLICY.fold_binary(*MAIL_POLICY.header_store_parse(name, value))


def _flat_body(email: EmailLog) -> bytes:
    """The MIME header fields and the body of a message without a link or attachments, flattened."""
    mime = MIMEMessage(policy=MAIL_POLICY)
    _add_body(mime, email, text=email.body_text, html=email.body_html, message=None)
    mime.set_boundaries()
    return mime.as_bytes(linesep="\r\n")


_LINE_STARTING_WITH_A_DOT = re.compile(rb"(?m)^\.")


def wire(data: bytes) -> bytes:
    """A flattened message as DATA sends it: what ``smtplib.SMTP.data`` writes for ``data`` (a
    line starting with a dot gets a second one, RFC 5321 4.5.2; the ending CRLF and the final
    dot line)."""
    quoted = _LINE_STARTING_WITH_A_DOT.sub(b"..", data)
    if quoted[-2:] != b"\r\n":
        quoted += b"\r\n"
    return quoted + b".\r\n"


class Contents:
    """A scan's messages as bytes for an SMTP server: a body flattened once per distinct content,
    and the next row's message built ahead (``prepare``) while the server reads the last one."""

    def __init__(self) -> None:
        self._bodies: OrderedDict[tuple, tuple[bytes, bytes]] = OrderedDict()
        self._ready: tuple[EmailLog, bytes] | None = None
        # Header lines of plain values, written once per scan (From, Reply-To, the kind, the
        # Date of this second…), and the Date of the current second.
        self._lines: dict[tuple[str, str], bytes] = {}
        self._date: tuple[int, str] = (-1, "")

    @staticmethod
    def shared(email: EmailLog) -> bool:
        """The row's body is the same for every send (no link minted, no stored attachments)."""
        return not (email.has_attachments or needs_link(email))

    def _body(self, email: EmailLog) -> tuple[bytes, bytes]:
        """The body flattened, and as it goes on the wire after its message's header lines."""
        key = (email.body_text, email.body_html, email.ics, email.ics_method)
        body = self._bodies.get(key)
        if body is None:
            flat = _flat_body(email)
            body = self._bodies[key] = (flat, wire(flat))
            if len(self._bodies) > CONTENTS_KEPT:
                self._bodies.popitem(last=False)
        return body

    def body(self, email: EmailLog) -> bytes:
        return self._body(email)[0]

    def _now(self) -> str:
        """The Date header's value: ``formatdate()`` of this second, computed once per second."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, localtime=settings.EMAIL_USE_LOCALTIME))
        return self._date[1]

    def _headers(self, email: EmailLog) -> bytes:
        to = _to(email, ascii_address(email.recipient), plain=True)
        lines = []
        for field in _top_headers(email, subject=one_line(email.subject), to=to, date=self._now()):
            line = self._lines.get(field) if isinstance(field[1], str) else None
            if line is None:
                line = _header_line(*field)
                if isinstance(field[1], str) and len(self._lines) < LINES_KEPT:
                    self._lines[field] = line
            lines.append(line)
        return b"".join(lines)

    def flat(self, email: EmailLog) -> bytes:
        """The whole message as ``build_message(email).message().as_bytes(linesep="\\r\\n")`` gives
        it (but for the multipart boundary, random in both)."""
        return self._headers(email) + self.body(email)

    def wire(self, email: EmailLog) -> bytes:
        """``wire(self.flat(email))``, from the body's own wire bytes (taken from ``prepare``
        when it built the message of this very row object ahead)."""
        ready, self._ready = self._ready, None
        if ready is not None and ready[0] is email:
            return ready[1]
        return _LINE_STARTING_WITH_A_DOT.sub(b"..", self._headers(email)) + self._body(email)[1]

    def prepare(self, email: EmailLog | None) -> None:
        """Build the row's message now for ``wire`` to give it later (a row whose message is built
        whole, when it is sent, is left alone: no link is minted ahead)."""
        if email is not None and self.shared(email) and (self._ready is None or self._ready[0] is not email):
            self._ready = (email, self.wire(email))

    def message_for(self, email: EmailLog) -> Callable[[], OutboxMessage | bytes]:
        """What ``Sender.send`` is given for the row: its bytes on the wire, or (a link,
        attachments) its whole message, built when it is sent."""
        if self.shared(email):
            return functools.partial(self.wire, email)
        return functools.partial(build_message, email)
