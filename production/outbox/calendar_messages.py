"""Calendar messages: speaker invitations, updates, postponements and cancellations with their .ics.

``on_item_changed`` is subscribed to scheduling's ``ItemChanged`` event and so runs after every
committed change of a recording session or pre-talk. It reconciles what each speaker's calendar
should say with what we already sent them (the email log is the record): a speaker who never got a
REQUEST gets an invitation; a new SEQUENCE gets an update; on hold gets a postponement notice
(METHOD:CANCEL, "a new invitation follows"); cancelled, or removed from the item, gets a
cancellation. Running it twice sends nothing new, so it is safe to call again: when the after-commit
sync fails (a database hiccup, a bug, a worker killed after the commit), the periodic re-sync
(``calendar_resync.calendar_resync``, beat task ``production.calendar_resync``) runs it again for
every unfinished item whose speakers' calendars are not in line (``calendar_in_line``). Older calendar
messages still queued are superseded, never sent after their successor (ADR 0011).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation

from .. import ical
from ..addresses import InvalidRecipientError, SpeakerNotInvitableError, speaker_check_invitable
from ..models import EmailLog, HistoryEntry, RecordingSession, Rsvp, Speaker, Target
from ..scheduling.events import ItemChanged
from .items import Item, calendar_item, item_find, speaker_context, speaker_item_log, speaker_locale
from .queue import CALENDAR_METHODS, email_queue
from .reminders.planning import reminders_sync_item
from .rendering import date_text, render

logger = logging.getLogger(__name__)


def _last_reason(item: Item) -> str:
    entry = (
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item.obj)), object_id=item.obj.pk
        )
        .exclude(reason="")
        .order_by("-at", "-id")
        .first()
    )
    return entry.reason if entry else ""


def speaker_calendar_email(*, item: Item, speaker: Speaker, kind: str, method: str, key: str) -> EmailLog:
    """Render and queue one invitation / update / postponement / cancellation with its .ics."""
    language, zone = speaker_locale(speaker)
    obj = item.obj
    with translation.override(language):
        context = {
            **speaker_context(item, speaker=speaker, language=language, time_zone=zone),
            "kind": kind,
            "hold_until_text": date_text(getattr(obj, "hold_until", None), language=language),
            "hold_reason": getattr(obj, "hold_reason", ""),
            "reason": _last_reason(item) if kind == EmailLog.Kind.CANCELLATION else "",
        }
        content = render("speaker_calendar", context, language=language, time_zone=zone)
        ics = ical.build_invitation(calendar_item(item, speaker=speaker), method=method)
    return email_queue(
        idempotency_key=key,
        kind=kind,
        content=content,
        ics=ics,
        ics_method=method,
        ics_sequence=obj.ical_sequence,
        **speaker_item_log(item, speaker=speaker, language=language),
    )


@dataclass
class _SpeakerLog:
    """One speaker's calendar messages about one item, as the sync sees them."""

    count: int = 0  # every calendar message ever queued (numbers the idempotency keys)
    pending: list[EmailLog] = field(default_factory=list)  # queued, oldest first
    settled: EmailLog | None = None  # the last one that left the queue without being superseded


def _speaker_logs(
    target_type: str, target_id: int, *, resending: int | None = None
) -> dict[int, _SpeakerLog]:
    """Per speaker: the calendar messages about this item. The queued ones are locked (and waited
    for: a worker sending one right now holds its row lock until the result is recorded), so after
    this the queued/sent split is final for the rest of the sync's transaction."""
    rows = EmailLog.objects.filter(
        target_type=target_type, target_id=target_id, ics_method__in=CALENDAR_METHODS
    ).exclude(speaker=None)
    list(rows.filter(state=EmailLog.State.QUEUED).select_for_update().order_by("id").values_list("id"))
    return _logs(rows.defer("body_text", "body_html", "ics").order_by("id"), resending=resending)


def _logs(emails, *, resending: int | None = None) -> dict[int, _SpeakerLog]:
    """Per speaker, the calendar messages ``emails`` (about one item, oldest first). ``resending``:
    the id of a failed or bounced message being sent again, which counts as never delivered."""
    logs: dict[int, _SpeakerLog] = {}
    for email in emails:
        log = logs.setdefault(email.speaker_id, _SpeakerLog())
        log.count += 1
        if email.state == EmailLog.State.QUEUED:
            log.pending.append(email)
        elif (
            email.state != EmailLog.State.SUPERSEDED and email.resent_as_id is None and email.pk != resending
        ):
            # A failed or bounced message sent again (actions.email_resend) counts no more:
            # its resend, queued by this sync, stands in for it.
            log.settled = email
    return logs


def _supersede(emails, *, by: EmailLog | None) -> None:
    ids = [email.pk for email in emails]
    if ids:
        EmailLog.objects.filter(pk__in=ids, state=EmailLog.State.QUEUED).update(
            state=EmailLog.State.SUPERSEDED,
            superseded_by=by,
        )


def _plan(item: Item, log: _SpeakerLog, *, on_item: bool) -> tuple[str, str] | None:
    """(kind, method) of the message this speaker needs so that their calendar, after everything
    already delivered, shows the item as it is now; None when what they have is already right.
    Only what left the queue counts ("settled"): queued messages are replaced by this plan."""
    obj = item.obj
    desired = item.desired_method() if on_item else ical.CANCEL
    settled = log.settled
    last_method = settled.ics_method if settled else None
    last_seq = (settled.ics_sequence or 0) if settled else -1
    if desired == ical.REQUEST:
        if last_method in (None, ical.CANCEL):
            return EmailLog.Kind.INVITATION, ical.REQUEST
        if last_seq < obj.ical_sequence:
            return EmailLog.Kind.UPDATE, ical.REQUEST
        return None
    if desired == ical.CANCEL:
        if last_method is None:
            return None  # nothing ever reached them: nothing to take back
        if last_method == ical.REQUEST or (on_item and last_seq < obj.ical_sequence):
            on_hold = on_item and item.is_session and obj.state == RecordingSession.State.ON_HOLD
            return (EmailLog.Kind.POSTPONEMENT if on_hold else EmailLog.Kind.CANCELLATION), ical.CANCEL
        return None
    return None


def _matches(email: EmailLog, item: Item, kind_method: tuple[str, str]) -> bool:
    """A queued message already says what the plan would say (same method and SEQUENCE)."""
    return email.ics_method == kind_method[1] and (email.ics_sequence or 0) == item.obj.ical_sequence


def calendar_in_line(*, item: Item, emails: list[EmailLog], speaker_ids: set[int]) -> bool:
    """Whether ``calendar_sync`` would leave this item's calendar messages as they are: no speaker
    (current or former) needs a new one and nothing queued would be superseded. ``emails``: the
    item's calendar messages to speakers, oldest first (``speaker_id``, ``state``, ``ics_method`` and
    ``ics_sequence`` are read); ``speaker_ids``: the speakers on the item now. The periodic re-sync
    (``calendar_resync.calendar_resync``) runs the sync only where this is False, so it costs a constant
    number of queries while every calendar is in line. The same rules as the sync: keep them together."""
    logs = _logs(emails)
    for speaker_id in speaker_ids | set(logs):
        log = logs.get(speaker_id, _SpeakerLog())
        on_item = speaker_id in speaker_ids
        if not on_item and log.settled is None and not log.pending:
            continue
        if item.desired_method() is None and on_item:
            continue
        plan = _plan(item, log, on_item=on_item)
        if plan is None:
            if log.pending:
                return False
        elif len(log.pending) != 1 or not _matches(log.pending[0], item, plan):
            return False
    return True


def calendar_sync(*, target_type: str, target_id: int, resending: int | None = None) -> list[EmailLog]:
    """Bring every (current or former) speaker's calendar in line with the item. Idempotent.
    ``resending``: a failed or bounced calendar message being sent again by hand (it counts as never
    delivered, so the plan queues what that speaker's calendar needs now).

    Per speaker, the plan compares the item's state with the last calendar message that left the
    queue (sent, bounced or failed). A queued message that still says exactly that stays queued;
    every other queued calendar message of the speaker about the item is superseded (never sent),
    and at most one new message is queued. So a speaker's mailbox, read in arrival order, ends at
    the item's current state (ADR 0011)."""
    queued: list[EmailLog] = []
    with transaction.atomic():
        item = item_find(target_type, target_id, lock=True)
        if item is None:
            return queued
        logs = _speaker_logs(target_type, target_id, resending=resending)
        current = item.attendances()
        on_item = {attendance.speaker_id: attendance.speaker for attendance in current}
        former = [sid for sid in logs if sid not in on_item]
        speakers = dict(on_item)
        speakers.update(Speaker.objects.in_bulk(former))
        renewed: set[int] = set()
        for speaker_id, speaker in speakers.items():
            log = logs.get(speaker_id, _SpeakerLog())
            if speaker_id not in on_item and log.settled is None and not log.pending:
                continue
            if item.desired_method() is None and speaker_id in on_item:
                continue  # recorded / held pre-talk: the calendar entry stays as it is
            plan = _plan(item, log, on_item=speaker_id in on_item)
            if plan is not None and log.pending and _matches(log.pending[-1], item, plan):
                _supersede(log.pending[:-1], by=log.pending[-1])
                continue
            if plan is None:
                _supersede(log.pending, by=None)
                continue
            kind, method = plan
            key = f"cal:{target_type}:{target_id}:speaker:{speaker_id}:{log.count + 1}"
            try:
                email = speaker_calendar_email(item=item, speaker=speaker, kind=kind, method=method, key=key)
            except InvalidRecipientError:
                logger.warning("speaker %s has no valid email address; %s not sent", speaker_id, kind)
                _supersede(log.pending, by=None)
                continue
            _supersede(log.pending, by=email)
            queued.append(email)
            renewed.add(speaker_id)
        _supersede_stale_reminders(item, renewed=renewed)
        reminders_sync_item(item=item)
    return queued


def _supersede_stale_reminders(item: Item, *, renewed: set[int]) -> None:
    """Queued speaker reminders (waiting for an SMTP retry) about this item that no longer hold: the
    item is no longer planned, the speaker is off it or declined, or a new calendar message to the
    speaker changed what the reminder says. The send path checks the same at send time."""
    obj = item.obj
    reminders = EmailLog.objects.filter(
        target_type=item.target_type,
        target_id=obj.pk,
        kind=EmailLog.Kind.REMINDER,
        state=EmailLog.State.QUEUED,
    ).exclude(speaker=None)
    if item.desired_method() != ical.REQUEST:
        stale = reminders
    else:
        expected = [a.speaker_id for a in item.attendances() if a.rsvp != Rsvp.DECLINED]
        stale = reminders.exclude(speaker_id__in=[sid for sid in expected if sid not in renewed])
    stale.update(state=EmailLog.State.SUPERSEDED)


def on_item_changed(event: ItemChanged) -> None:
    """Subscribed to scheduling's ``ItemChanged`` (runs after commit). Never breaks the caller."""
    target_type = {"session": Target.SESSION, "pretalk": Target.PRETALK}.get(event.kind)
    if target_type is None:
        return
    try:
        calendar_sync(target_type=target_type, target_id=event.item_id)
    except Exception:
        # The change itself is committed; the periodic re-sync (``production.calendar_resync``,
        # ``calendar_resync.calendar_resync``) runs the same sync again within 15 minutes.
        concerning = f", speaker {event.speaker_id}" if event.speaker_id else ""
        logger.exception(
            "speaker emails for %s %s (%s%s) failed", event.kind, event.item_id, event.action, concerning
        )


__all__ = [
    "SpeakerNotInvitableError",
    "calendar_in_line",
    "calendar_sync",
    "on_item_changed",
    "speaker_calendar_email",
    "speaker_check_invitable",
]
