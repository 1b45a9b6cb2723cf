"""What the outbox writes after DATA is what ``smtplib`` would write for the same message (ADR 0032):
the message's own header lines, then its body flattened and dot-stuffed once per content, then the
final dot line. A message built ahead of its turn (while the server reads the one before) is used
only for the row it was built for, a changed row gets its own bytes, and a message that mints a
personal link is never built ahead."""

from __future__ import annotations

import io
import re
import smtplib

import pytest

from production.models import EmailLog, SpeakerLink
from production.outbox.mailer import emails_send_due
from production.outbox.message import Contents, wire
from production.outbox.queue import Content, email_queue
from tests.production.factories import SpeakerFactory


class _Socket:
    def __init__(self) -> None:
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data


def _what_smtplib_sends(flat: bytes) -> bytes:
    """The bytes ``smtplib.SMTP.data`` writes after the server's 354, from a socket that records."""
    smtp = smtplib.SMTP()
    smtp.sock = _Socket()
    smtp.file = io.BytesIO(b"354 go ahead\r\n250 accepted\r\n")
    assert smtp.data(flat)[0] == 250
    return smtp.sock.sent.removeprefix(b"data\r\n")


def _row(pk: int, **fields) -> EmailLog:
    values = {
        "id": pk,
        "idempotency_key": f"wire:{pk}",
        "message_id": EmailLog.message_id_for(f"wire:{pk}"),
        "kind": "reminder",
        "recipient": f"r{pk}@example.org",
        "subject": "Herinnering",
        "body_text": ".begins with a dot\nmiddle\n.\n..two dots\nends without a newline",
        "body_html": "<p>Hallo</p>\n.dot",
        **fields,
    }
    return EmailLog(**values)


def _same(raw: bytes) -> bytes:  # the Date and the multipart boundaries differ by design
    raw = re.sub(rb"=_omooc_[0-9a-f]{32}", b"BOUNDARY", raw)
    return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", raw)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"body_html": "", "body_text": "no dot at all"},
        {"ics": "BEGIN:VCALENDAR\r\n.X:1\r\nEND:VCALENDAR\r\n", "ics_method": "REQUEST"},
        {"recipient_name": "Zoë Ÿsbrand", "subject": "Zoë " * 30},
    ],
)
def test_the_bytes_after_data_are_what_smtplib_writes_for_the_flat_message(fields):
    row = _row(1, **fields)
    contents = Contents()
    flat = contents.flat(row)
    assert wire(flat) == _what_smtplib_sends(flat)
    assert _same(contents.wire(row)) == _same(_what_smtplib_sends(flat))
    assert contents.wire(row).endswith(b"\r\n.\r\n")


def test_a_message_built_ahead_is_used_for_its_own_row_only():
    contents = Contents()
    first, second = _row(1), _row(2)
    contents.prepare(first)
    ahead = contents.wire(first)
    assert _same(ahead) == _same(contents.wire(first)), "built ahead or on the spot: the same bytes"
    assert b"To: r1@example.org" in ahead
    contents.prepare(first)
    assert b"To: r2@example.org" in contents.wire(second), "never another row's bytes"
    # The same row read again with another text (another object) gets its own bytes.
    contents.prepare(first)
    changed = _row(1, body_text="Nieuwe tekst")
    sent = contents.wire(changed)
    assert b"Nieuwe tekst" in sent and b"begins with a dot" not in sent


@pytest.mark.django_db
def test_a_message_with_a_personal_link_is_never_built_ahead():
    speaker = SpeakerFactory()
    row = _row(3, speaker=speaker, body_text=f"Uw link: {EmailLog.LINK_PLACEHOLDER}")
    contents = Contents()
    contents.prepare(row)
    assert not SpeakerLink.objects.exists(), "no link minted for a message not sent yet"
    assert not contents.shared(row)


@pytest.mark.django_db(transaction=True)
def test_lines_starting_with_a_dot_arrive_as_written(mailbox):
    text = ".begins with a dot\n..two dots\n.\nlast line\n"
    for n in range(3):
        email_queue(
            idempotency_key=f"dots:{n}",
            kind="reminder",
            recipient=f"dots{n}@example.org",
            content=Content(subject="Punten", text=text, html="<p>.dot</p>"),
            send=False,
        )
    assert emails_send_due(group=2) == 3
    assert len(mailbox.messages) == 3
    for message in mailbox.messages:
        assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
        assert message.get_body(("html",)).get_content().strip() == "<p>.dot</p>"
