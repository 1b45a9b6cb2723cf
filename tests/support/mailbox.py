"""A real SMTP server (aiosmtpd) that keeps every message as the raw bytes it received, and can be
started late on a port the product has been failing to reach (an SMTP outage that ends)."""

from __future__ import annotations

import email
import re
import socket
from email import policy
from email.header import decode_header, make_header
from email.utils import getaddresses

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RawMailbox:
    """aiosmtpd handler: ``raw`` holds each message's bytes; ``replies`` forces an answer per recipient
    (``"451 try later"``); ``answer_all`` forces one answer to every RCPT."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.replies: dict[str, str] = {}
        self.answer_all = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        forced = self.answer_all or self.replies.get(address.lower())
        if forced:
            return forced
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in self.raw]

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


class SMTPServer:
    """Start and stop a ``RawMailbox`` on a fixed port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = RawMailbox()
        self._controller = None

    def start(self) -> RawMailbox:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self.mailbox

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def point_email_at(settings, port: int, *, timeout: int | None = 5) -> None:
    """Django sends over SMTP to 127.0.0.1:``port`` (plain, no login); ``timeout=None`` keeps the
    configured timeout."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    if timeout is not None:
        settings.EMAIL_TIMEOUT = timeout


# --- reading headers as a mail client does --------------------------------------------------------

ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def header_lines(raw: bytes) -> list[bytes]:
    """The physical lines of the message's header section (CRLF removed)."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


def unfolded_header(raw: bytes, name: str) -> str:
    """One header's raw value, unfolded (RFC 5322 2.2.3), still encoded."""
    fields: list[list[bytes]] = []
    for line in header_lines(raw):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    for field in fields:
        head, _, rest = field[0].partition(b":")
        if head.decode().lower() == name.lower():
            return b"".join([rest, *field[1:]]).decode("ascii").strip()
    raise KeyError(name)


def display_name(raw: bytes, name: str = "To") -> tuple[str, str]:
    """(display name, address) of a one-address header, decoded per RFC 2047: whitespace between
    adjacent encoded-words is ignored (section 6.2). The standard library's modern address parser
    keeps that whitespace (CPython's ``get_phrase``), so it cannot judge a long encoded name."""
    ((encoded, address),) = getaddresses([unfolded_header(raw, name)])
    return str(make_header(decode_header(encoded))), address


@pytest.fixture
def mailbox(settings):
    """A real SMTP server (aiosmtpd) that Django sends to; yields its box of raw messages (replies can
    be forced per recipient). Import it into a conftest or test module to use it."""
    server = SMTPServer()
    point_email_at(settings, server.port)
    box = server.start()
    try:
        yield box
    finally:
        server.stop()
