"""The due scan (beat task ``production.reminders_scan``, every minute; ``manage.py
send_due_reminders`` once): due reminders are claimed in locked batches (``skip_locked``), turned
into queued emails by their rule (or cancelled), and then every queued email that is due is sent."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ...models import Reminder
from ..mailer import Sender, emails_send_due
from .rules import HANDLERS

logger = logging.getLogger(__name__)

CLAIM_BATCH = 100


def reminders_claim_due(*, now: datetime | None = None, batch: int = CLAIM_BATCH) -> int:
    """Turn due reminders into queued emails (or cancel them), a locked batch per transaction.
    Concurrent scans take disjoint batches (skip_locked). Returns how many rows were handled."""
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=Reminder.State.PENDING, due_at__lte=now or timezone.now())
                .select_related("user", "production__course")
                .order_by("due_at", "id")[:batch]
            )
            if not rows:
                return handled
            for reminder in rows:
                _handle(reminder)
            handled += len(rows)


def _handle(reminder: Reminder) -> None:
    reminder.attempts += 1
    try:
        with transaction.atomic():
            outcome = HANDLERS[reminder.kind](reminder)
    except Exception as exc:  # one bad row must not stop the scan
        logger.exception("reminder %s failed", reminder.pk)
        reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        reminder.state = Reminder.State.FAILED if reminder.attempts >= 5 else Reminder.State.PENDING
        if reminder.state == Reminder.State.PENDING:
            reminder.due_at = timezone.now() + timedelta(minutes=5 * reminder.attempts)
        reminder.save(update_fields=["attempts", "last_error", "state", "due_at", "updated_at"])
        return
    if outcome.email is None:
        reminder.state = Reminder.State.CANCELLED
        reminder.last_error = outcome.cancelled
        reminder.save(update_fields=["attempts", "state", "last_error", "updated_at"])
        return
    reminder.state = Reminder.State.SENT
    reminder.sent_at = timezone.now()
    reminder.email = outcome.email
    reminder.save(update_fields=["attempts", "state", "sent_at", "email", "updated_at"])


def reminders_scan(*, now: datetime | None = None) -> dict[str, int]:
    """One scan: due reminders become emails, then every queued email that is due is sent."""
    claimed = reminders_claim_due(now=now)
    with Sender() as sender:
        sent = emails_send_due(sender=sender)
    return {"reminders": claimed, "emails": sent}


__all__ = ["reminders_claim_due", "reminders_scan"]
