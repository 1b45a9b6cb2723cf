"""Mail-queue tasks of the production app (names start with ``production.``, so they route to the
``mail`` queue). Celery's autodiscovery imports this module: the outbox's tasks (email_send,
reminders_scan, reminders_plan, calendar_resync) live in ``production.outbox.tasks`` and are
registered by the import below.
"""

from __future__ import annotations

from celery import shared_task

from .outbox import tasks as outbox_tasks  # noqa: F401  (registers the outbox's tasks)


@shared_task(name="production.call_sheet_emails", acks_late=True)
def call_sheet_emails_task() -> int:
    """Tomorrow's call sheets for productions that opted in (beat: every 15 minutes; idempotent)."""
    from .callsheet import call_sheet_emails_queue

    return call_sheet_emails_queue()
