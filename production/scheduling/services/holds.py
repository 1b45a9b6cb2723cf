"""Holds: recording sessions "on hold until at least <date>" (one session, every recording of a
production, or of all a producer's productions), planned first and then applied, and undone within
ten minutes (ADR 0024).

``hold_plan`` reads what a hold would do: the sessions it changes, what each speaker will get
(a postponement, or nothing because nothing reached them yet), the reminders it drops and the
projected launch against the target. It writes nothing; the preview page shows it, and
``hold_apply`` applies the very same plan (computed again under row locks; ``expected`` refuses when
it differs from the one the producer confirmed). Each applied hold is a ``HoldBatch`` holding the
sessions as they were; ``hold_undo`` puts them back while nothing else changed them, withdraws the
postponements still queued and lets the calendar sync send one correction to the speakers whose
postponement already left.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omooc.exceptions import ConflictError
from production.board import launch_days_late, projected_launch
from production.errors import field_error, illegal
from production.history import history_record
from production.ical import CANCEL, REQUEST
from production.models import (
    EmailLog,
    HistoryEntry,
    HoldBatch,
    HoldBatchItem,
    Production,
    RecordingSession,
    Reminder,
    SessionSpeaker,
    Speaker,
    Target,
)

from ..states import OPEN_SESSION_STATES, SESSION_TRANSITIONS
from .items import item_changed

State = RecordingSession.State
CALENDAR = (REQUEST, CANCEL)
# Calendar messages that have not left the outbox (and, superseded, never will).
NOT_LEFT = (EmailLog.State.QUEUED, EmailLog.State.SUPERSEDED)


class HoldPlanChangedError(ConflictError):
    """The schedule changed between the preview and the confirmation."""


class HoldUndoRefusedError(ConflictError):
    """Undo is no longer possible: too late, already undone, or a session changed since."""


# --- the plan --------------------------------------------------------------------------------


class Message:
    """What a speaker of a held session gets (``SpeakerMessage.kind``)."""

    POSTPONEMENT = "postponement"  # they had the invitation: a postponement (calendar CANCEL)
    NEW_DATE = "new_date"  # already on hold: the postponement again, with the new date
    WITHDRAWN = "withdrawn"  # their invitation is still queued: withdrawn, no email
    NONE = "none"  # nothing was ever sent to them: no email

    LABELS = {
        POSTPONEMENT: gettext_lazy("Postponement: the session leaves their calendar until a new invitation"),
        NEW_DATE: gettext_lazy("Postponement with the new date"),
        WITHDRAWN: gettext_lazy("No email: their invitation had not left yet and is withdrawn"),
        NONE: gettext_lazy("No email: nothing was sent to them yet"),
    }
    EMAILED = (POSTPONEMENT, NEW_DATE)


@dataclass(frozen=True)
class SpeakerMessage:
    speaker: Speaker
    kind: str

    @property
    def label(self) -> str:
        return str(Message.LABELS[self.kind])

    @property
    def emailed(self) -> bool:
        return self.kind in Message.EMAILED


@dataclass(frozen=True)
class HeldSession:
    session: RecordingSession
    messages: tuple[SpeakerMessage, ...]
    reminders: tuple[Reminder, ...]


@dataclass(frozen=True)
class LaunchImpact:
    production: Production
    before: date | None
    after: date | None

    @property
    def target(self) -> date | None:
        return self.production.target_launch_on

    @property
    def days_late(self) -> int | None:
        return launch_days_late(self.after, self.target)

    @property
    def moves(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class HoldPlan:
    until: date
    reason: str
    productions: tuple[Production, ...]
    sessions: tuple[HeldSession, ...]  # the sessions the hold changes, by start
    unchanged: int  # already on hold until that date for that reason
    launches: tuple[LaunchImpact, ...]
    whole_production: bool  # every recording of the productions (history says "postponed")

    @property
    def fingerprint(self) -> str:
        """Names the plan: the sessions it changes as they are now, the date and the reason."""
        parts = [self.until.isoformat(), self.reason]
        for held in sorted(self.sessions, key=lambda h: h.session.pk):
            s = held.session
            parts.append(f"{s.pk}:{s.ical_sequence}:{s.state}:{s.hold_until}:{s.hold_reason}")
            parts.append(",".join(f"{m.speaker.pk}={m.kind}" for m in held.messages))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    @property
    def emails(self) -> int:
        return sum(1 for held in self.sessions for m in held.messages if m.emailed)

    @property
    def reminders(self) -> int:
        return sum(len(held.reminders) for held in self.sessions)


def _validate_hold(until: date | None, reason: str) -> None:
    if until is None:
        raise field_error("until", _("Give the date until which recording is on hold (at the earliest)."))
    if until < timezone.localdate():
        raise field_error(
            "until", _("The hold date %(date)s is in the past; pick today or later.") % {"date": until}
        )
    if not (reason or "").strip():
        raise field_error("reason", _("Give a reason for the hold, e.g. “lockdown”."))


def _refuse_illegal(session: RecordingSession) -> None:
    if State.ON_HOLD not in SESSION_TRANSITIONS[session.state] and session.state != State.ON_HOLD:
        allowed = SESSION_TRANSITIONS[session.state]
        raise illegal(
            _("The recording session"),
            State(session.state).label,
            State.ON_HOLD.label,
            [State(a).label for a in allowed],
        )


def _message(session: RecordingSession, emails: list[EmailLog]) -> str:
    """What the calendar sync will send this speaker when the session goes on hold (the outbox's
    rule, ADR 0011): only what left the outbox counts; a queued message is replaced."""
    settled = [e for e in emails if e.state not in NOT_LEFT and e.resent_as_id is None]
    if settled:
        return Message.NEW_DATE if session.state == State.ON_HOLD else Message.POSTPONEMENT
    if any(e.state == EmailLog.State.QUEUED for e in emails):
        return Message.WITHDRAWN
    return Message.NONE


def hold_plan(
    *,
    until: date | None,
    reason: str,
    productions: Iterable[Production] = (),
    session: RecordingSession | None = None,
    lock: bool = False,
) -> HoldPlan:
    """What holding ``session`` (or every open session of ``productions``) until at least ``until``
    would do. Reads only (a fixed number of queries, whatever the number of sessions); ``lock``
    row-locks the sessions (``hold_apply``)."""
    _validate_hold(until, reason)
    reason = reason.strip()
    productions = (session.production,) if session is not None else tuple(productions)
    rows = RecordingSession.objects.select_related("production__course", "location").order_by("pk")
    if lock:
        rows = rows.select_for_update(of=("self",))
    if session is not None:
        rows = rows.filter(pk=session.pk)
    else:
        rows = rows.filter(production__in=productions, state__in=[*OPEN_SESSION_STATES, State.ON_HOLD])
    sessions = list(rows)
    for s in sessions:
        _refuse_illegal(s)
    target = (State.ON_HOLD, until, reason)
    changing = [s for s in sessions if (s.state, s.hold_until, s.hold_reason) != target]
    ids = [s.pk for s in changing]
    speakers, emails, reminders = defaultdict(list), defaultdict(list), defaultdict(list)
    if ids:
        for attendance in (
            SessionSpeaker.objects.filter(session_id__in=ids)
            .select_related("speaker")
            .order_by("session_id", "speaker__name", "id")
        ):
            speakers[attendance.session_id].append(attendance.speaker)
        for email in (
            EmailLog.objects.filter(target_type=Target.SESSION, target_id__in=ids, ics_method__in=CALENDAR)
            .exclude(speaker=None)
            .only("id", "target_id", "speaker_id", "state", "resent_as_id", "ics_method", "ics_sequence")
            .order_by("id")
        ):
            emails[(email.target_id, email.speaker_id)].append(email)
        for reminder in Reminder.objects.filter(
            target_type=Target.SESSION, target_id__in=ids, state=Reminder.State.PENDING
        ).order_by("due_at", "id"):
            reminders[reminder.target_id].append(reminder)
    held = tuple(
        HeldSession(
            session=s,
            messages=tuple(SpeakerMessage(sp, _message(s, emails[(s.pk, sp.pk)])) for sp in speakers[s.pk]),
            reminders=tuple(reminders[s.pk]),
        )
        for s in sorted(changing, key=lambda s: (s.starts_at, s.pk))
    )
    return HoldPlan(
        until=until,
        reason=reason,
        productions=productions,
        sessions=held,
        unchanged=len(sessions) - len(changing),
        launches=_launches(productions, set(ids), until),
        whole_production=session is None,
    )


def _launches(productions: tuple[Production, ...], held: set[int], until: date) -> tuple[LaunchImpact, ...]:
    """Per production, the projected launch now and after the hold (the board's rule)."""
    by_production = defaultdict(list)
    if productions:
        for s in RecordingSession.objects.filter(production__in=productions).exclude(state=State.CANCELLED):
            by_production[s.production_id].append(s)
    impacts = []
    for production in productions:
        now = by_production[production.pk]
        after = [
            RecordingSession(
                pk=s.pk, state=State.ON_HOLD, hold_until=until, starts_at=s.starts_at, ends_at=s.ends_at
            )
            if s.pk in held
            else s
            for s in now
        ]
        impacts.append(
            LaunchImpact(production, projected_launch(production, now), projected_launch(production, after))
        )
    return tuple(impacts)


# --- applying it ---------------------------------------------------------------------------


def _hold(session: RecordingSession, *, until: date, reason: str, by) -> None:
    previous = session.state
    session.state = State.ON_HOLD
    session.hold_until = until
    session.hold_reason = reason
    session.ical_sequence += 1  # the calendar changes: saved with the hold, in one UPDATE
    session.save(update_fields=["state", "hold_until", "hold_reason", "ical_sequence", "updated_at"])
    item_changed(
        session,
        action="held",
        by=by,
        from_value=previous,
        to_value=f"{State.ON_HOLD} ≥ {until.isoformat()}",
        reason=reason,
        calendar=False,  # the SEQUENCE went up above
    )


def session_history(ids: Iterable[int]):
    return HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RecordingSession), object_id__in=list(ids)
    )


@transaction.atomic
def hold_apply(
    *,
    until: date | None,
    reason: str,
    by,
    productions: Iterable[Production] = (),
    session: RecordingSession | None = None,
    expected: str = "",
) -> tuple[HoldPlan, HoldBatch | None]:
    """Apply the hold ``hold_plan`` describes (the same arguments), under row locks. ``expected``:
    the fingerprint of the plan the producer confirmed; a different plan now is refused (nothing
    changes) so they can look again. Returns the plan applied and the batch to undo it by (None
    when no session changed)."""
    plan = hold_plan(until=until, reason=reason, productions=productions, session=session, lock=True)
    if expected and plan.fingerprint != expected:
        raise HoldPlanChangedError(
            _("The schedule changed after the preview was made: check the new preview and confirm again."),
            code="hold_plan_changed",
        )
    batch = None
    if plan.sessions:
        batch = HoldBatch.objects.create(
            until=plan.until, reason=plan.reason, created_by=by, created_at=timezone.now()
        )
        items = []
        for held in plan.sessions:
            s = held.session
            items.append(
                HoldBatchItem(
                    batch=batch,
                    session=s,
                    previous_state=s.state,
                    previous_hold_until=s.hold_until,
                    previous_hold_reason=s.hold_reason,
                    previous_sequence=s.ical_sequence,
                    held_sequence=s.ical_sequence + 1,
                    reminder_ids=[r.pk for r in held.reminders],
                )
            )
            _hold(s, until=plan.until, reason=plan.reason, by=by)
        HoldBatchItem.objects.bulk_create(items)
        last = session_history(i.session_id for i in items).aggregate(last=Max("id"))["last"]
        batch.last_history_id = last or 0
        batch.save(update_fields=["last_history_id"])
    if plan.whole_production:
        for production in plan.productions:
            history_record(
                production=production,
                subject=production,
                action="postponed",
                by=by,
                to_value=plan.until.isoformat(),
                reason=plan.reason,
            )
    return plan, batch


def recording_session_hold(
    *, session: RecordingSession, until: date | None, reason: str, by
) -> RecordingSession:
    """Hold one session until at least ``until`` (unchanged when it already is, for that reason)."""
    plan, _batch = hold_apply(session=session, until=until, reason=reason, by=by)
    return plan.sessions[0].session if plan.sessions else RecordingSession.objects.get(pk=session.pk)


def production_postpone_recordings(
    *, productions: Iterable[Production], until: date | None, reason: str, by
) -> list[RecordingSession]:
    """Hold every open recording session (tentative, scheduled or already on hold) of these
    productions until at least ``until``. One action; returns the sessions that changed."""
    plan, _batch = hold_apply(productions=list(productions), until=until, reason=reason, by=by)
    return [held.session for held in sorted(plan.sessions, key=lambda h: h.session.pk)]


# --- undo ----------------------------------------------------------------------------------


__all__ = [
    "HoldPlan",
    "HoldPlanChangedError",
    "HoldUndoRefusedError",
    "Message",
    "hold_apply",
    "hold_plan",
    "production_postpone_recordings",
    "recording_session_hold",
]
