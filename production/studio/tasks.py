"""Tasks of the studio pages (names start with ``production.``, so they route to the ``mail`` queue).
The worker finds this module through ``omooc/celery.py`` (autodiscovery of ``production.studio``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="production.call_sheet_emails", acks_late=True)
def call_sheet_emails_task() -> int:
    """Tomorrow's call sheets for productions that opted in (beat: every 15 minutes; idempotent)."""
    from .callsheet import call_sheet_emails_queue

    return call_sheet_emails_queue()
