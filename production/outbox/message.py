"""The MIME message of one email log row, built when it is sent: headers by ``MAIL_POLICY`` (RFC
5322/2047 limits), the opt-out headers of an optional email, the calendar parts, the stored
attachments, and a fresh personal link where the body asks for one.

``Builder`` builds the messages of a claimed batch ahead, in one thread beside the sending one: the
building is Python work, the sending mostly waiting for the mail server and the database, so the two
overlap (ADR 0021). A message that mints a personal link is built only when it is sent, under its
row lock (a link is never minted for a message that is not sent).
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from email.headerregistry import Address
from email.utils import formatdate

from django.conf import settings

from ..ical import one_line
from ..models.outbox import EmailLog, SpeakerLink
from .headers import MAIL_POLICY, URL_HEADER_MAX, MIMEMessage, OutboxMessage, ascii_address

# While a batch is sent, how long the building thread may hold the interpreter before the sending
# thread, back from the network, takes its turn (Python's default is 5 ms: a wait per round trip).
SWITCH_INTERVAL_SECONDS = 0.0002


def _speaker_link(email: EmailLog) -> str:
    """Mint a fresh personal link for this message (only its hash is stored)."""
    token = secrets.token_urlsafe(24)  # 192 bits
    SpeakerLink.objects.create(speaker_id=email.speaker_id, token_hash=SpeakerLink.hash_token(token))
    return token


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

    mime = MIMEMessage(policy=MAIL_POLICY)
    mime["Subject"] = subject
    mime["From"] = settings.DEFAULT_FROM_EMAIL
    mime["To"] = Address(display_name=one_line(email.recipient_name, limit=200), addr_spec=recipient)
    mime["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    for name, value in headers.items():
        mime[name] = value
    mime.set_content(text)
    message = OutboxMessage(
        mime=mime,
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers=headers,
        connection=connection,
    )
    if html:
        mime.add_alternative(html, subtype="html")
        message.attach_alternative(html, "text/html")
    if email.ics:
        method = email.ics_method or "REQUEST"
        # The calendar part inside multipart/alternative (what Outlook/Gmail act on) and the same
        # file as an attachment (what other clients offer to import). Both say the same method.
        mime.add_alternative(email.ics, subtype="calendar")
        calendar = mime.get_payload()[-1]
        calendar.replace_header("Content-Type", f'text/calendar; method={method}; charset="utf-8"')
        mime.add_attachment(email.ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
        message.attach_alternative(email.ics, "text/calendar; method=" + method)
        message.attach("invite.ics", email.ics.encode(), "application/ics")
    if email.has_attachments:
        for attachment in email.attachments.all():
            content = bytes(attachment.content)
            maintype, _slash, subtype = attachment.mimetype.partition("/")
            mime.add_attachment(content, maintype=maintype, subtype=subtype, filename=attachment.filename)
            message.attach(attachment.filename, content, attachment.mimetype)
    mime.set_boundaries()
    return message


_switching = threading.Lock()
_switching_users = 0
_switching_default = sys.getswitchinterval()


def _switch_fast(on: bool) -> None:
    """Shorten the interpreter's switch interval while at least one batch is being sent."""
    global _switching_users, _switching_default
    with _switching:
        if on:
            if _switching_users == 0:
                _switching_default = sys.getswitchinterval()
                sys.setswitchinterval(min(_switching_default, SWITCH_INTERVAL_SECONDS))
            _switching_users += 1
        else:
            _switching_users -= 1
            if _switching_users == 0:
                sys.setswitchinterval(_switching_default)


def needs_link(email: EmailLog) -> bool:
    """The body asks for a personal link (minted when the message is sent)."""
    return bool(email.speaker_id) and (
        EmailLog.LINK_PLACEHOLDER in email.body_text or EmailLog.LINK_PLACEHOLDER in email.body_html
    )


def _build_flat(email: EmailLog) -> OutboxMessage:
    message = build_message(email)
    message.mime.freeze()
    return message


class Builder:
    """Builds the messages of a batch in one thread, in order, ahead of their sending."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-build")
        self._futures: dict[int, Future] = {}

    def __enter__(self) -> Builder:
        _switch_fast(True)
        return self

    def __exit__(self, *exc) -> None:
        self._drop()
        self._pool.shutdown(wait=True)
        _switch_fast(False)

    def _drop(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()

    def prepare(self, emails: list[EmailLog]) -> None:
        """Start building the batch's messages (what is left of the last batch is dropped)."""
        self._drop()
        for email in emails:
            if not needs_link(email):
                self._futures[email.pk] = self._pool.submit(_build_flat, email)

    def message_for(self, email: EmailLog) -> Callable[[], OutboxMessage]:
        """The built message (waiting for it if need be), or one built now."""
        future = self._futures.pop(email.pk, None)
        if future is None:
            return lambda: build_message(email)
        return future.result
