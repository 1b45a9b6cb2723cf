"""Mail-queue tasks of the production app (names start with ``production.``, so they route to the
``mail`` queue). Celery's autodiscovery imports this module: the outbox's tasks (email_send,
reminders_scan, reminders_plan, calendar_resync) live in ``production.outbox.tasks`` and are
registered by the import below.
"""

from __future__ import annotations

from .outbox import tasks as outbox_tasks  # noqa: F401  (registers the outbox's tasks)
