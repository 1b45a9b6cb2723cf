"""Mail-queue tasks (names start with ``production.``, so they route to the ``mail`` queue).

Each task takes ids as keyword arguments and calls one service; the services are idempotent by a
state guard and a row lock, so a redelivered task (acks_late) does no harm.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="production.email_send", acks_late=True)
def email_send_task(*, email_id: int) -> str | None:
    from .mailer import email_send

    return email_send(email_id=email_id)


@shared_task(name="production.reminders_scan", acks_late=True)
def reminders_scan_task() -> dict[str, int]:
    from .reminders import reminders_scan

    return reminders_scan()


@shared_task(name="production.reminders_plan", acks_late=True)
def reminders_plan_task() -> int:
    from .reminders import reminders_plan

    return reminders_plan()


@shared_task(name="production.calendar_resync", acks_late=True)
def calendar_resync_task() -> dict[str, int]:
    """Speaker calendars of items whose after-commit sync failed (beat: every 15 minutes)."""
    from .reminders import calendar_resync

    return calendar_resync()
