"""One-way events from scheduling to whoever listens (ADR 0019).

Scheduling publishes an :class:`ItemChanged` for every change of a recording session or pre-talk;
it is delivered after the transaction commits, to the handlers registered at app start
(``ProductionConfig.ready``). Scheduling never imports its listeners: the outbox (calendar messages,
reminders) subscribes to scheduling, not the other way round.

A handler that raises is logged and never breaks the change that was committed, nor the other
handlers; the periodic re-sync repairs what a failed handler left undone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.db import transaction

logger = logging.getLogger(__name__)

Kind = Literal["session", "pretalk"]


@dataclass(frozen=True, slots=True)
class ItemChanged:
    """``kind`` is "session" or "pretalk"; ``action`` one of created, rescheduled, moved, state, held,
    updated, speaker_added, speaker_removed, rsvp; ``speaker_id`` names the one speaker concerned
    (added, removed or responding), else every speaker of the item is concerned."""

    kind: Kind
    item_id: int
    action: str
    speaker_id: int | None = None


Handler = Callable[[ItemChanged], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Registers ``handler`` once (app start may run more than once in tests)."""
    if handler not in _handlers:
        _handlers.append(handler)


def publish(event: ItemChanged) -> None:
    """Delivers ``event`` to every handler after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: deliver(event))


def deliver(event: ItemChanged) -> None:
    logger.info(
        "production %s %s: %s%s",
        event.kind,
        event.item_id,
        event.action,
        f" (speaker {event.speaker_id})" if event.speaker_id else "",
    )
    for handler in list(_handlers):
        try:
            handler(event)
        except Exception:
            logger.exception("handler %s failed for %s", getattr(handler, "__qualname__", handler), event)
