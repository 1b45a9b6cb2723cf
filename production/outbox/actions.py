"""Producer actions on the outbox: send a failed or bounced message again.

A resend is a NEW email log row (a new idempotency key, so a new Message-ID); the old row keeps
what happened to it and points at its resend (``resent_as``). Only failed and bounced rows can be
sent again: a sent row went out, a queued row is still being sent (or waits for its retry), and a
superseded row was replaced by a newer message on purpose (ADR 0011).

Calendar messages (invitation, update, postponement, cancellation to a speaker about a session or
pre-talk) are never copied: a copy of a stale message would break the arrival-order guarantee. If a
newer calendar message to that speaker about the item exists, the resend is refused (the newer one
says the truth). Otherwise the failed row stops counting as "left the queue" and
``calendar_messages.calendar_sync`` decides what the speaker's calendar needs now: the resend is the
message it queues (an invitation with the current SEQUENCE when nothing ever reached them, an update
when an older one did), rendered afresh, so a corrected address reaches the speaker and the ATTENDEE
line. When the calendar needs nothing (a cancellation of something that never reached them), the
resend is refused and nothing changes.

An address marked bounced blocks every message to it. A producer who sends a bounced message again
asks explicitly to try that address once more: the bounce mark is cleared, and the history of the
production records who did it (and the log says so).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError

from ..access import production_visible_to
from ..history import history_record
from ..models import BouncedAddress, EmailAttachment, EmailLog
from .calendar_messages import calendar_sync
from .queue import Content, email_queue, is_calendar_message, is_speaker_item_message, newer_calendar_messages
from .selectors import email_log_visible_to

logger = logging.getLogger(__name__)

RESENDABLE = (EmailLog.State.FAILED, EmailLog.State.BOUNCED)
RESEND_MARK = "#resend-"


class EmailResendRefusedError(ApplicationError):
    default_code = "email_resend_refused"


def email_may_resend(*, user, email: EmailLog) -> bool:
    """Producers of the email's production team; an email of no production (a learner's, a
    personal link): superusers only."""
    if user.is_superuser:
        return True
    if email.production_id is None:
        return False
    return production_visible_to(user).filter(pk=email.production_id).exists()


def _resend_key(email: EmailLog) -> str:
    root = email.idempotency_key.split(RESEND_MARK, 1)[0]
    count = EmailLog.objects.filter(idempotency_key__startswith=root + RESEND_MARK).count()
    key = f"{root}{RESEND_MARK}{count + 1}"
    if len(key) > 200:
        digest = hashlib.sha256(root.encode()).hexdigest()[:40]
        key = f"long:{digest}{RESEND_MARK}{count + 1}"
    return key


def _refuse(email: EmailLog) -> None:
    if email.resent_as_id is not None:
        raise EmailResendRefusedError(_("This message was already sent again; see the newer row."))
    if email.state == EmailLog.State.SENT:
        raise EmailResendRefusedError(
            _("This message was sent; only failed or bounced messages are sent again.")
        )
    if email.state == EmailLog.State.QUEUED:
        raise EmailResendRefusedError(
            _("This message is still waiting to be sent; it will be retried by itself.")
        )
    if email.state == EmailLog.State.SUPERSEDED:
        raise EmailResendRefusedError(
            _("This message was replaced by a newer message; the newer one says what is current.")
        )


@transaction.atomic
def email_resend(*, email: EmailLog, by) -> EmailLog:
    """Queue a failed or bounced message again as a new row; returns the new row."""
    email = (
        EmailLog.objects.select_for_update(of=("self",))
        .select_related("speaker", "production")
        .filter(pk=email.pk)
        .first()
    )
    if email is None or not email_log_visible_to(by).filter(pk=email.pk).exists():
        raise NotFoundError(_("No such email."))
    if not email_may_resend(user=by, email=email):
        raise AccessDeniedError(_("Only the producers of this email's production may send it again."))
    _refuse(email)
    recipient = email.speaker.email if email.speaker_id else email.recipient
    cleared = BouncedAddress.objects.filter(email__iexact=recipient).delete()[0]
    if cleared:
        logger.info("bounce mark of %s cleared by %s to send email %s again", recipient, by, email.pk)
        _history(email, action="bounce_cleared", by=by, from_value=recipient, reason=_("Sent again by hand"))
    new = _calendar_resend(email) if is_calendar_message(email) else _copy(email, recipient=recipient)
    email.resent_as = new
    email.save(update_fields=["resent_as"])
    _history(email, action="email_resent", by=by, from_value=email.get_kind_display(), to_value=recipient)
    return new


def _history(email: EmailLog, *, action: str, by, **values: str) -> None:
    """In the history of the email's production (an email of no production has none)."""
    if email.production_id:
        history_record(production=email.production, subject=email.production, action=action, by=by, **values)


def _calendar_resend(email: EmailLog) -> EmailLog:
    if newer_calendar_messages(email).exists():
        raise EmailResendRefusedError(
            _(
                "A newer calendar message to this speaker about this item exists; sending this older one "
                "again could undo it in their calendar."
            )
        )
    # The failed row stops counting as delivered; the sync then queues what the calendar needs
    # (the caller links the failed row to it).
    queued = calendar_sync(target_type=email.target_type, target_id=email.target_id, resending=email.pk)
    mine = [row for row in queued if row.speaker_id == email.speaker_id]
    if not mine:
        raise EmailResendRefusedError(
            _("The speaker's calendar needs no message about this item now; nothing was sent.")
        )
    return mine[0]


def _copy(email: EmailLog, *, recipient: str) -> EmailLog:
    stale_reminder = (
        email.kind == EmailLog.Kind.REMINDER
        and is_speaker_item_message(email)
        and newer_calendar_messages(email).exists()
    )
    if stale_reminder:
        # The reminder was written before the item changed: its time or place may be wrong now.
        raise EmailResendRefusedError(
            _("The item changed after this reminder was written; it would give the old details.")
        )
    full = EmailLog.objects.get(pk=email.pk)  # the stored bodies (the log's selectors defer them)
    new = email_queue(
        idempotency_key=_resend_key(email),
        kind=email.kind,
        recipient=recipient,
        recipient_name=email.recipient_name,
        language=email.language,
        content=Content(subject=full.subject, text=full.body_text, html=full.body_html),
        ics=full.ics,
        ics_method=email.ics_method,
        ics_sequence=email.ics_sequence,
        speaker=email.speaker,
        user=email.user,
        production=email.production,
        target_type=email.target_type,
        target_id=email.target_id,
        related_label=email.related_label,
    )
    fields = []
    if full.unsubscribe_url:
        new.unsubscribe_url = full.unsubscribe_url
        fields.append("unsubscribe_url")
    if full.has_attachments:
        EmailAttachment.objects.bulk_create(
            EmailAttachment(email=new, filename=a.filename, mimetype=a.mimetype, content=a.content)
            for a in full.attachments.all()
        )
        new.has_attachments = True
        fields.append("has_attachments")
    if fields:
        new.save(update_fields=fields)
    return new
