"""Put a message in the outbox (the email log): ``email_queue`` stores a rendered message once per
idempotency key, with a stable Message-ID derived from that key, and after the commit asks the mail
queue to send it (``mailer.email_send``; the per-minute scan sends whatever that misses).

Also which log rows are calendar messages to a speaker about a session or pre-talk, the rows that
must reach a speaker's calendar in order (ADR 0011), and when a queued row must no longer be sent
(``superseded_reason``, asked by the mailer under the row's lock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..addresses import InvalidRecipientError, validate_address
from ..ical import CANCEL, REQUEST, one_line
from ..models import PreTalk, PreTalkSpeaker, RecordingSession, Rsvp, SessionSpeaker
from ..models.outbox import EmailLog, Target

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str = ""


def email_queue(
    *,
    idempotency_key: str,
    kind: str,
    recipient: str,
    content: Content,
    recipient_name: str = "",
    language: str = "nl",
    ics: bytes | str = b"",
    ics_method: str = "",
    ics_sequence: int | None = None,
    speaker=None,
    user=None,
    production=None,
    target_type: str = Target.NONE,
    target_id: int | None = None,
    related_label: str = "",
    send: bool = True,
) -> EmailLog:
    """Store one email (once per idempotency key) and send it after the surrounding commit."""
    address = validate_address(recipient)
    if isinstance(ics, bytes):
        ics = ics.decode()
    with transaction.atomic():
        email, created = EmailLog.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "message_id": EmailLog.message_id_for(idempotency_key),
                "kind": kind,
                "recipient": address,
                "recipient_name": one_line(recipient_name, limit=200),
                "language": language,
                "speaker": speaker,
                "user": user,
                "production": production,
                "target_type": target_type,
                "target_id": target_id,
                "related_label": one_line(related_label),
                "subject": one_line(content.subject),
                "body_text": content.text,
                "body_html": content.html,
                "ics": ics,
                "ics_method": ics_method,
                "ics_sequence": ics_sequence,
            },
        )
        if created and send:
            email_id = email.id
            transaction.on_commit(lambda: _enqueue_send(email_id))
    return email


def _enqueue_send(email_id: int) -> None:
    """Ask the mail queue to send now. If the broker is down the row stays queued and the
    per-minute scan sends it, so this never fails the request that made the change."""
    from .tasks import email_send_task

    try:
        email_send_task.delay(email_id=email_id)
    except Exception:  # noqa: BLE001 - broker trouble must not undo a committed change
        logger.warning("could not enqueue email %s; the scan will send it", email_id, exc_info=True)


CALENDAR_METHODS = (REQUEST, CANCEL)
SPEAKER_ITEM_TARGETS = (Target.SESSION, Target.PRETALK)


def is_speaker_item_message(email: EmailLog) -> bool:
    """A message to a speaker about one of their sessions or pre-talks."""
    return (
        bool(email.speaker_id) and email.target_type in SPEAKER_ITEM_TARGETS and email.target_id is not None
    )


def is_calendar_message(email: EmailLog) -> bool:
    return email.ics_method in CALENDAR_METHODS and is_speaker_item_message(email)


def newer_calendar_messages(email: EmailLog):
    """Calendar messages to the same speaker about the same item, queued after ``email``."""
    return EmailLog.objects.filter(
        speaker_id=email.speaker_id,
        target_type=email.target_type,
        target_id=email.target_id,
        ics_method__in=CALENDAR_METHODS,
        id__gt=email.id,
    )


def _speaker_reminder_stale(email: EmailLog) -> bool:
    """A speaker reminder says when and where the item is and that the speaker is expected: true
    only while the item is planned and not started, the speaker is on it and has not declined, and
    no calendar message sent after the reminder was written changed its content."""
    if email.target_type == Target.SESSION:
        model, attendance, field = RecordingSession, SessionSpeaker, "session_id"
        open_states = (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)
    else:
        model, attendance, field = PreTalk, PreTalkSpeaker, "pretalk_id"
        open_states = (PreTalk.State.PLANNED,)
    item = model.objects.filter(pk=email.target_id).only("state", "starts_at").first()
    if item is None or item.state not in open_states or item.starts_at <= timezone.now():
        return True
    answer = (
        attendance.objects.filter(**{field: email.target_id}, speaker_id=email.speaker_id)
        .values_list("rsvp", flat=True)
        .first()
    )
    if answer is None or answer == Rsvp.DECLINED:
        return True
    return newer_calendar_messages(email).exists()


def superseded_reason(email: EmailLog) -> str:
    """Why this claimed row must not be sent any more ("" when it may be sent)."""
    if is_calendar_message(email):
        newer = newer_calendar_messages(email).order_by("-id").values_list("id", flat=True).first()
        if newer is not None:
            email.superseded_by_id = newer
            return "A newer calendar message for this speaker and item replaced it."
    elif (
        email.kind == EmailLog.Kind.REMINDER
        and is_speaker_item_message(email)
        and _speaker_reminder_stale(email)
    ):
        return "The item changed, is no longer planned, or the speaker is no longer expected."
    return ""


__all__ = [
    "CALENDAR_METHODS",
    "Content",
    "InvalidRecipientError",
    "email_queue",
    "is_calendar_message",
    "is_speaker_item_message",
    "newer_calendar_messages",
    "superseded_reason",
    "validate_address",
]
