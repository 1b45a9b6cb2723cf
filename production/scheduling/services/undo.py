"""Undoing a hold within ten minutes (ADR 0024): the sessions go back as they were while nothing
else changed them, postponements still queued are withdrawn, and the calendar sync sends one
correction to the speakers whose postponement already left. The hold itself: ``holds``."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from omooc.exceptions import NotFoundError
from production.access import production_visible_to
from production.models import (
    EmailLog,
    HoldBatch,
    HoldBatchItem,
    Production,
    RecordingSession,
    Reminder,
    Target,
)

from .checks import when
from .holds import CALENDAR, NOT_LEFT, HoldUndoRefusedError, session_history
from .items import item_changed

State = RecordingSession.State


@dataclass(frozen=True)
class UndoResult:
    sessions: int  # restored
    corrections: int  # sessions whose postponement had left: their speakers get one correction
    withdrawn: int  # postponements still queued, withdrawn (never sent)
    reminders: int  # reminders planned again


def _refuse(message: str, code: str) -> HoldUndoRefusedError:
    return HoldUndoRefusedError(message, code=code)


def _check_undoable(batch: HoldBatch, items, sessions: dict[int, RecordingSession], now: datetime) -> None:
    if batch.undone_at is not None:
        raise _refuse(
            _("This hold was already undone (%(time)s, by %(who)s).")
            % {"time": when(batch.undone_at), "who": batch.undone_by or _("system")},
            "hold_already_undone",
        )
    if now >= batch.undo_until:
        raise _refuse(
            _(
                "Undo was possible until %(time)s, ten minutes after the hold; it is too late now. "
                "Plan the sessions again one by one."
            )
            % {"time": when(batch.undo_until)},
            "hold_undo_expired",
        )
    later = (
        session_history(sessions)
        .filter(id__gt=batch.last_history_id)
        .select_related("by")
        .order_by("id")
        .first()
    )
    if later is not None:
        raise _refuse(
            _(
                "“%(session)s” changed after the hold (%(change)s, %(time)s, by %(who)s): "
                "undoing it would overwrite that change."
            )
            % {
                "session": later.subject_label,
                "change": later.action_label,
                "time": when(later.at),
                "who": later.by or _("system"),
            },
            "hold_changed_since",
        )
    for item in items:
        s = sessions.get(item.session_id)
        if s is None or (s.state, s.hold_until, s.hold_reason, s.ical_sequence) != (
            State.ON_HOLD,
            batch.until,
            batch.reason,
            item.held_sequence,
        ):
            raise _refuse(
                _("“%(session)s” changed after the hold: undoing it would overwrite that change.")
                % {"session": f"{s.production} {when(s.starts_at)}" if s else item.session_id},
                "hold_changed_since",
            )


@transaction.atomic
def hold_undo(*, batch: HoldBatch, by) -> UndoResult:
    """Put every session of ``batch`` back as it was before the hold, all or none.

    Refused (nothing changes) after ``HoldBatch.UNDO_WINDOW``, when already undone, or when a session
    changed since the hold. Per session: when none of the hold's calendar messages has left the
    outbox, they are withdrawn (superseded, never sent) and the SEQUENCE goes back to what the
    speakers' calendars hold: nobody gets an email. When one has left, the SEQUENCE goes up once more
    and the calendar sync (after commit) sends each speaker whose calendar lost the session one
    REQUEST restoring it (the others' queued postponements are superseded by it). The reminders the
    hold cancelled, if still ahead, are pending again."""
    batch = HoldBatch.objects.select_for_update(of=("self",)).select_related("undone_by").get(pk=batch.pk)
    items = list(batch.items.order_by("session_id"))
    sessions = {
        s.pk: s
        for s in RecordingSession.objects.select_for_update(of=("self",))
        .select_related("production__course", "location")
        .filter(pk__in=[i.session_id for i in items])
        .order_by("pk")
    }
    now = timezone.now()
    _check_undoable(batch, items, sessions, now)
    ids = list(sessions)
    calendar = EmailLog.objects.filter(target_type=Target.SESSION, target_id__in=ids, ics_method__in=CALENDAR)
    # Wait for a worker sending one right now (it holds the row until the result is recorded): after
    # this, what has left the outbox is final for this transaction.
    list(calendar.filter(state=EmailLog.State.QUEUED).select_for_update().order_by("id").values_list("id"))
    sent = defaultdict(list)
    for target_id, sequence, state in calendar.exclude(speaker=None).values_list(
        "target_id", "ics_sequence", "state"
    ):
        sent[target_id].append((sequence or 0, state))
    corrections = withdrawn = 0
    for item in items:
        s = sessions[item.session_id]
        left = any(seq > item.previous_sequence and state not in NOT_LEFT for seq, state in sent[s.pk])
        s.state = item.previous_state
        s.hold_until = item.previous_hold_until
        s.hold_reason = item.previous_hold_reason
        if left:
            s.ical_sequence += 1  # a correction: higher than the postponement that left
            corrections += 1
        else:
            s.ical_sequence = item.previous_sequence  # no calendar ever saw the hold
            withdrawn += calendar.filter(
                target_id=s.pk, state=EmailLog.State.QUEUED, ics_sequence__gt=item.previous_sequence
            ).update(state=EmailLog.State.SUPERSEDED)
        s.save(update_fields=["state", "hold_until", "hold_reason", "ical_sequence", "updated_at"])
        restored = item.previous_state
        if restored == State.ON_HOLD:
            restored = f"{State.ON_HOLD} ≥ {item.previous_hold_until.isoformat()}"
        item_changed(
            s,
            action="hold_undone",
            by=by,
            from_value=f"{State.ON_HOLD} ≥ {batch.until.isoformat()}",
            to_value=restored,
            reason=batch.reason,
            calendar=False,  # set above
        )
    reminder_ids = [pk for item in items for pk in item.reminder_ids]
    reminders = Reminder.objects.filter(
        pk__in=reminder_ids, state=Reminder.State.CANCELLED, due_at__gt=now
    ).update(state=Reminder.State.PENDING, last_error="", updated_at=now)
    batch.undone_at, batch.undone_by = now, by
    batch.save(update_fields=["undone_at", "undone_by"])
    return UndoResult(sessions=len(items), corrections=corrections, withdrawn=withdrawn, reminders=reminders)


# --- reads for the pages -------------------------------------------------------------------


@dataclass(frozen=True)
class UndoOffer:
    batch: HoldBatch
    sessions: int

    @property
    def minutes_left(self) -> int:
        """Whole minutes left, rounded up (1 in the last minute)."""
        seconds = (self.batch.undo_until - timezone.now()).total_seconds()
        return max(1, math.ceil(seconds / 60))


def hold_batch_get_for(*, user, pk) -> HoldBatch:
    """The hold, when every session it changed belongs to a production of the user's team (else
    "not found": another team's hold is not shown, nor is it said to exist)."""
    batch = HoldBatch.objects.select_related("created_by", "undone_by").filter(pk=pk).first()
    productions = set(batch.items.values_list("session__production_id", flat=True)) if batch else set()
    visible = set(production_visible_to(user).filter(pk__in=productions).values_list("pk", flat=True))
    if not productions or productions - visible:
        raise NotFoundError(_("No hold with this number in your productions."))
    return batch


def hold_batch_sessions(batch: HoldBatch) -> list[HoldBatchItem]:
    return list(
        batch.items.select_related("session__production__course", "session__location").order_by(
            "session__starts_at", "session_id"
        )
    )


def hold_undo_offers(*, user, production: Production | None = None) -> list[UndoOffer]:
    """The holds the user may still undo (not undone, within ``HoldBatch.UNDO_WINDOW``), newest
    first; with ``production``, those that changed one of its sessions. One query."""
    hidden = Production.objects.exclude(pk__in=production_visible_to(user).values("pk"))
    batches = HoldBatch.objects.filter(
        undone_at=None, created_at__gt=timezone.now() - HoldBatch.UNDO_WINDOW
    ).exclude(items__session__production__in=hidden)
    if production is not None:
        batches = batches.filter(items__session__production=production)
    batches = batches.annotate(sessions=Count("items", distinct=True)).order_by("-created_at", "-id")
    return [UndoOffer(batch, batch.sessions) for batch in batches]
