"""One code for both kinds of ``ScheduledItem`` (recording sessions and pre-talks): the row lock, the
change record, speakers on and off, asking the speakers again, and the speakers' answers.

Every change goes through ``item_changed``: it bumps the RFC 5545 SEQUENCE when time, place or
status changes, records history and publishes an ``ItemChanged`` event (delivered after commit), to
which invitations and reminders subscribe (ADR 0019). A significant change (time, end, place, link;
resuming a held session) also asks every speaker again (``ask_again``): answers go back to "no
answer yet" and an answer to the older version is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from production.errors import StaleAnswerError, field_error, utc
from production.history import history_record
from production.models import Attendance, Rsvp, ScheduledItem, Speaker

from ..events import ItemChanged, publish
from .checks import check_invitable, when

Item = TypeVar("Item", bound=ScheduledItem)

# What a locked item loads with it, per kind.
_LOCK_RELATED = {"session": ("production__course", "location"), "pretalk": ("production__course",)}


def _locked(model: type[Item], pk: int, related: tuple[str, ...]) -> Item:
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def item_lock(item: Item) -> Item:
    """The item again, row-locked for the rest of the transaction."""
    return _locked(type(item), item.pk, _LOCK_RELATED[item.KIND])


def item_changed(
    item: ScheduledItem,
    *,
    action: str,
    by,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
    calendar: bool = True,
    speaker: Speaker | None = None,
) -> None:
    """The one place a change of a recording session or pre-talk is recorded. ``calendar``: time,
    place or status changed, so the calendar SEQUENCE goes up."""
    if calendar:
        item.ical_sequence += 1
        item.save(update_fields=["ical_sequence", "updated_at"])
    history_record(
        production=item.production,
        subject=item,
        action=action,
        by=by,
        from_value=from_value,
        to_value=to_value,
        reason=reason,
    )
    speaker_id = speaker.pk if speaker else None
    publish(ItemChanged(item.KIND, item.pk, action, speaker_id))


def speaker_add(item: ScheduledItem, *, speaker: Speaker, by, already: str) -> Attendance:
    """Invite ``speaker`` to the (locked) item; ``already``: the message when they are on it."""
    if item.attendances.filter(speaker=speaker).exists():
        raise field_error("speaker", already % {"speaker": speaker})
    check_invitable([speaker])
    attendance = item.attendances.create(speaker=speaker)
    item_changed(item, action="speaker_added", by=by, to_value=str(speaker), calendar=False, speaker=speaker)
    return attendance


def speaker_remove(item: ScheduledItem, *, speaker: Speaker, by, reason: str, missing: str) -> None:
    """Take ``speaker`` off the (locked) item; ``missing``: the message when they are not on it."""
    deleted, _rows = item.attendances.filter(speaker=speaker).delete()
    if not deleted:
        raise field_error("speaker", missing % {"speaker": speaker})
    item_changed(
        item,
        action="speaker_removed",
        by=by,
        from_value=str(speaker),
        reason=reason,
        calendar=False,
        speaker=speaker,
    )


def _answer_text(attendance: Attendance) -> str:
    text = f"{attendance.speaker}: {attendance.rsvp}"
    return f"{text} ({attendance.decline_reason})" if attendance.decline_reason else text


def ask_again(item: ScheduledItem, *, by, reason: str) -> int:
    """A significant change (time, end, place, link, or planned again after a hold): every speaker's
    answer on the item goes back to "no answer yet", with a history entry naming the previous answer,
    and the item's answer round goes up so that an answer to the older version is refused. The
    caller holds the item's row lock. Declined speakers are asked again too: the new time may suit
    them, and the calendar update asks every speaker. Returns how many answers were reset.

    The calendar sync and the team's unconfirmed-speaker reminders follow after commit (the caller's
    ``item_changed`` announces the change)."""
    item.answer_round += 1
    item.save(update_fields=["answer_round", "updated_at"])
    attendances = item.attendances.select_for_update(of=("self",)).select_related("speaker").order_by("pk")
    reset = 0
    for attendance in attendances:
        answered = attendance.rsvp != Rsvp.PENDING
        if not answered and attendance.proposed_starts_at is None and not attendance.decline_reason:
            continue  # no answer yet: nothing to take back
        previous = _answer_text(attendance)
        if answered:
            attendance.previous_rsvp = attendance.rsvp
        attendance.rsvp = Rsvp.PENDING
        attendance.responded_at = None
        attendance.decline_reason = ""
        attendance.proposed_starts_at = None
        attendance.save(
            update_fields=["rsvp", "responded_at", "decline_reason", "proposed_starts_at", "previous_rsvp"]
        )
        history_record(
            production=item.production,
            subject=item,
            action="answer_reset",
            by=by,
            from_value=previous,
            to_value=f"{attendance.speaker}: {Rsvp.PENDING}",
            reason=reason,
        )
        reset += 1
    return reset


@transaction.atomic
def attendance_respond(
    *,
    attendance: Attendance,
    rsvp: str,
    decline_reason: str = "",
    proposed_starts_at: datetime | None = None,
    answer_round: int | None = None,
    by,
) -> Attendance:
    """A speaker accepts or declines (on their page, ``by=None``, or a producer records it for them).

    ``answer_round``: the version of the item the answer was given to (the speaker page sends the
    round it showed). An answer to an older round is refused with ``StaleAnswerError``: the time or
    place changed since, and the speaker is asked again. ``None``: the current version (the studio
    and the API show the producer the current item)."""
    if rsvp not in (Rsvp.ACCEPTED, Rsvp.DECLINED, Rsvp.PENDING):
        raise field_error("rsvp", _("Answer accepted or declined."))
    # Lock the item first, then the answer: the order ``ask_again`` takes them in, so an answer and
    # a reschedule never interleave (the later one sees the other's result).
    item_model = type(attendance)._meta.get_field(attendance.ITEM).related_model
    item = _locked(item_model, attendance.item_id, ("production__course",))
    attendance = _locked(type(attendance), attendance.pk, ("speaker",))
    if answer_round is not None and answer_round != item.answer_round:
        raise StaleAnswerError(
            _(
                "The time or place changed after you opened this page: it is now %(when)s. "
                "Check the new details and answer again."
            )
            % {"when": when(item.starts_at)},
            extra={"field": "action", "answer_round": item.answer_round},
        )
    _check_answer(rsvp, decline_reason, proposed_starts_at)
    previous = attendance.rsvp
    attendance.rsvp = rsvp
    attendance.responded_at = timezone.now() if rsvp != Rsvp.PENDING else None
    attendance.decline_reason = (decline_reason or "").strip() if rsvp == Rsvp.DECLINED else ""
    attendance.proposed_starts_at = utc(proposed_starts_at) if proposed_starts_at else None
    attendance.previous_rsvp = ""  # an answer (or a proposal) to the current version
    attendance.save()
    item_changed(
        item,
        action="rsvp",
        by=by,
        from_value=previous,
        to_value=f"{attendance.speaker}: {rsvp}",
        reason=decline_reason,
        calendar=False,
        speaker=attendance.speaker,
    )
    return attendance


def _check_answer(rsvp: str, decline_reason: str, proposed_starts_at: datetime | None) -> None:
    if rsvp == Rsvp.DECLINED and not (decline_reason or "").strip():
        raise field_error("decline_reason", _("Give a reason for declining, so the producer can plan again."))
    if proposed_starts_at is not None and timezone.is_naive(proposed_starts_at):
        raise field_error("proposed_starts_at", _("Times need a time zone."))
    if proposed_starts_at is not None and utc(proposed_starts_at) <= timezone.now():
        raise field_error("proposed_starts_at", _("Propose a time in the future."))
