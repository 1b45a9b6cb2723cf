"""The outbox behind the mail port (``omooc.mail``): apps that may not import ``production`` queue
their emails here, into the same log, with the same Message-IDs, retries and backoff as the
studio's own (docs/adr/0014). Registered at start-up by ``ProductionConfig.ready``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from omooc import mail

from ..addresses import InvalidRecipientError
from ..models.outbox import EmailAttachment, EmailLog
from .queue import Content, email_queue

PORT_KINDS = {mail.Kind.LECTURE_RELEASED, mail.Kind.NUDGE, mail.Kind.CERTIFICATE}


def outbox_queue(message: mail.Email) -> mail.Queued:
    """Store ``message`` once per idempotency key, with its opt-out link and attachments, in one
    transaction; the outbox sends it after the commit (and the per-minute scan retries it)."""
    if message.kind not in PORT_KINDS or message.kind not in EmailLog.Kind.values:
        raise ValueError(f"kind: {message.kind!r} is not a kind the mail port queues ({sorted(PORT_KINDS)}).")
    with transaction.atomic():
        existed = EmailLog.objects.filter(idempotency_key=message.idempotency_key).exists()
        try:
            email = email_queue(
                idempotency_key=message.idempotency_key,
                kind=message.kind,
                recipient=message.recipient,
                recipient_name=message.recipient_name,
                language=message.language,
                content=Content(subject=message.subject, text=message.text, html=message.html),
                user=_user(message.user_id),
            )
        except InvalidRecipientError as exc:
            raise mail.InvalidRecipientError(
                f"recipient: {exc} Correct the address in the account to receive this email.",
                code="invalid_recipient",
            ) from exc
        if message.unsubscribe_url or message.attachments:
            # Under the row lock: whoever queued the key first stored the extras, once.
            email = EmailLog.objects.select_for_update().get(pk=email.pk)
            if not (email.unsubscribe_url or email.has_attachments):
                EmailAttachment.objects.bulk_create(
                    EmailAttachment(email=email, filename=a.filename, mimetype=a.mimetype, content=a.content)
                    for a in message.attachments
                )
                email.unsubscribe_url = message.unsubscribe_url
                email.has_attachments = bool(message.attachments)
                email.save(update_fields=["unsubscribe_url", "has_attachments"])
    return mail.Queued(message_id=email.message_id, created=not existed)


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model()(pk=user_id)
