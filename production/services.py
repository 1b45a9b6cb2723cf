"""Write services of the production tracker: the only way to change productions, script parts,
pre-talks, recording sessions and post-production.

Every change of a recording session or pre-talk goes through ``_session_changed`` or
``_pretalk_changed``: they bump the RFC 5545 SEQUENCE when time, place or status changes, record
history and publish an ``ItemChanged`` event (delivered after commit), to which invitations and
reminders subscribe (ADR 0019).
A significant change (time, end, place, link; resuming a held session) also asks every speaker again
(``_ask_again``): answers go back to "no answer yet" and an answer to the older version is refused.

Times are compared as instants (``_utc``), never as wall-clock times: two datetimes with the same
``ZoneInfo`` compare and subtract by their wall clock and ignore ``fold``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.catalog.services import Presenter, lecture_presenters_set
from courses.models import Lecture

from .errors import LocationDoubleBookedError, StaleAnswerError, TransitionError
from .errors import clean as _clean
from .errors import field_error as _field_error
from .errors import illegal as _illegal
from .errors import utc as _utc
from .history import history_record
from .models import (
    CalendarFeed,
    CrewAssignment,
    Location,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    Rsvp,
    SessionSpeaker,
    Speaker,
)
from .scheduling.events import ItemChanged, publish

logger = logging.getLogger(__name__)

MAX_PRETALK_MINUTES = 8 * 60
MAX_SESSION_HOURS = 24


def _session_changed(
    session: RecordingSession,
    *,
    action: str,
    by,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
    calendar: bool = True,
    speaker: Speaker | None = None,
) -> None:
    """The one place a recording session change is recorded. ``calendar``: time, place or status
    changed, so the calendar SEQUENCE goes up."""
    if calendar:
        session.ical_sequence += 1
        session.save(update_fields=["ical_sequence", "updated_at"])
    history_record(
        production=session.production,
        subject=session,
        action=action,
        by=by,
        from_value=from_value,
        to_value=to_value,
        reason=reason,
    )
    speaker_id = speaker.pk if speaker else None
    publish(ItemChanged("session", session.pk, action, speaker_id))


def _pretalk_changed(
    pretalk: PreTalk,
    *,
    action: str,
    by,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
    calendar: bool = True,
    speaker: Speaker | None = None,
) -> None:
    if calendar:
        pretalk.ical_sequence += 1
        pretalk.save(update_fields=["ical_sequence", "updated_at"])
    history_record(
        production=pretalk.production,
        subject=pretalk,
        action=action,
        by=by,
        from_value=from_value,
        to_value=to_value,
        reason=reason,
    )
    speaker_id = speaker.pk if speaker else None
    publish(ItemChanged("pretalk", pretalk.pk, action, speaker_id))


def _check_invitable(speakers) -> None:
    """A speaker without a valid email address cannot be invited (clear error, nothing saved)."""
    from .outbox.calendar_messages import speaker_check_invitable

    for speaker in speakers:
        speaker_check_invitable(speaker=speaker)


def _when(dt: datetime) -> str:
    local = timezone.localtime(dt)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}" if _repeated(local) else f"{local:%Y-%m-%d %H:%M}"


def _repeated(local: datetime) -> bool:
    """The wall-clock time happens twice (the night the clocks go back): say which one."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


# --- locations -----------------------------------------------------------------------------


@transaction.atomic
def location_create(
    *, name: str, address: str = "", capacity: int | None = None, access_notes: str = ""
) -> Location:
    location = Location(
        name=name.strip(), address=address, capacity=capacity, access_notes=(access_notes or "").strip()
    )
    _clean(location)
    location.save()
    return location


# --- scheduling checks ---------------------------------------------------------------------


def _check_lectures(production: Production, lectures: Iterable[Lecture]) -> list[Lecture]:
    lectures = list(lectures)
    if not lectures:
        raise _field_error("lectures", _("Choose at least one lecture."))
    foreign = [lec for lec in lectures if lec.course_id != production.course_id]
    if foreign:
        raise _field_error(
            "lectures",
            _("“%(lecture)s” is not a lecture of “%(course)s”.")
            % {"lecture": foreign[0], "course": production.course},
        )
    return lectures


def _check_span(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None:
        raise _field_error("starts_at", _("Give a start time."))
    if ends_at is None:
        raise _field_error("ends_at", _("Give an end time."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise _field_error("starts_at", _("Times need a time zone."))
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    if ends_at <= starts_at:
        raise _field_error(
            "ends_at",
            _("The end (%(end)s) must be after the start (%(start)s).")
            % {"end": _when(ends_at), "start": _when(starts_at)},
        )
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise _field_error("ends_at", _("A session lasts at most 24 hours; split it into several sessions."))


def location_conflicts(
    *,
    location: Location | None,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> list[RecordingSession]:
    if location is None:
        return []
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    qs = (
        RecordingSession.objects.filter(location=location, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(state__in=[RecordingSession.State.CANCELLED, RecordingSession.State.ON_HOLD])
        .select_related("production__course")
        .order_by("starts_at", "id")
    )
    if exclude_session_id:
        qs = qs.exclude(pk=exclude_session_id)
    return list(qs)


def _refuse_double_booking(location, starts_at, ends_at, *, exclude_session_id=None, confirmed: bool) -> None:
    clashes = location_conflicts(
        location=location, starts_at=starts_at, ends_at=ends_at, exclude_session_id=exclude_session_id
    )
    if clashes and not confirmed:
        first = clashes[0]
        raise LocationDoubleBookedError(
            _(
                "%(location)s is already booked then by “%(item)s” (%(start)s–%(end)s). "
                "Pick another time or place, or confirm the double booking."
            )
            % {
                "location": location,
                "item": first,
                "start": _when(first.starts_at),
                "end": timezone.localtime(first.ends_at).strftime("%H:%M"),
            },
            extra={"field": "location", "conflicts": [c.pk for c in clashes]},
        )


# --- recording sessions --------------------------------------------------------------------

SESSION_TRANSITIONS: dict[str, set[str]] = {
    RecordingSession.State.TENTATIVE: {
        RecordingSession.State.SCHEDULED,
        RecordingSession.State.ON_HOLD,
        RecordingSession.State.CANCELLED,
    },
    RecordingSession.State.SCHEDULED: {
        RecordingSession.State.TENTATIVE,
        RecordingSession.State.ON_HOLD,
        RecordingSession.State.RECORDED,
        RecordingSession.State.CANCELLED,
    },
    RecordingSession.State.ON_HOLD: {
        RecordingSession.State.TENTATIVE,
        RecordingSession.State.SCHEDULED,
        RecordingSession.State.CANCELLED,
    },
    RecordingSession.State.RECORDED: set(),
    RecordingSession.State.CANCELLED: set(),
}


def _lock_session(session: RecordingSession) -> RecordingSession:
    return (
        RecordingSession.objects.select_for_update(of=("self",))
        .select_related("production__course", "location")
        .get(pk=session.pk)
    )


@transaction.atomic
def recording_session_create(
    *,
    production: Production,
    starts_at: datetime,
    ends_at: datetime,
    lectures: Iterable[Lecture],
    location: Location | None = None,
    speakers: Iterable[Speaker] = (),
    state: str = RecordingSession.State.TENTATIVE,
    notes: str = "",
    confirm_double_booking: bool = False,
    by=None,
) -> RecordingSession:
    if state not in (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED):
        raise _field_error("state", _("A new session is tentative or scheduled."))
    _check_span(starts_at, ends_at)
    lectures = _check_lectures(production, lectures)
    _refuse_double_booking(location, starts_at, ends_at, confirmed=confirm_double_booking)
    speakers = list(speakers)
    _check_invitable(speakers)
    session = RecordingSession(
        production=production,
        location=location,
        starts_at=_utc(starts_at),
        ends_at=_utc(ends_at),
        state=state,
        notes=notes,
    )
    _clean(session)
    session.save()
    session.lectures.set(lectures)
    SessionSpeaker.objects.bulk_create(
        [SessionSpeaker(session=session, speaker=s) for s in dict.fromkeys(speakers)]
    )
    _session_changed(session, action="created", by=by, to_value=state, calendar=False)
    return session


@transaction.atomic
def recording_session_update(
    *,
    session: RecordingSession,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    location: Location | None | type = ...,  # ``...`` = leave unchanged
    lectures: Iterable[Lecture] | None = None,
    notes: str | None = None,
    confirm_double_booking: bool = False,
    by=None,
    reason: str = "",
) -> RecordingSession:
    """Reschedule (time), move (place) and/or change the lectures. Rescheduling a held session
    clears the hold: it becomes scheduled again."""
    session = _lock_session(session)
    if session.state in (RecordingSession.State.RECORDED, RecordingSession.State.CANCELLED):
        raise TransitionError(
            _("A %(state)s session cannot be changed.") % {"state": session.get_state_display().lower()},
            extra={"field": "state"},
        )
    new_start = starts_at or session.starts_at
    new_end = ends_at or session.ends_at
    new_location = session.location if location is ... else location
    _check_span(new_start, new_end)
    new_start, new_end = _utc(new_start), _utc(new_end)
    time_changed = (new_start, new_end) != (_utc(session.starts_at), _utc(session.ends_at))
    place_changed = (new_location.pk if new_location else None) != session.location_id
    if time_changed or place_changed:
        _refuse_double_booking(
            new_location, new_start, new_end, exclude_session_id=session.pk, confirmed=confirm_double_booking
        )
    if lectures is not None:
        session.lectures.set(_check_lectures(session.production, lectures))
    if notes is not None:
        session.notes = notes
    old_when, old_place, old_state = _when(session.starts_at), str(session.location or "-"), session.state
    session.starts_at, session.ends_at, session.location = new_start, new_end, new_location
    cleared_hold = False
    if time_changed and session.state == RecordingSession.State.ON_HOLD:
        session.state = RecordingSession.State.SCHEDULED
        session.hold_until = None
        session.hold_reason = ""
        cleared_hold = True
    session.save()
    if time_changed:
        _session_changed(
            session,
            action="rescheduled",
            by=by,
            from_value=old_when,
            to_value=_when(new_start),
            reason=reason,
        )
        if cleared_hold:
            history_record(
                production=session.production,
                subject=session,
                action="state",
                by=by,
                from_value=old_state,
                to_value=session.state,
                reason=_("Rescheduled: the hold is cleared."),
            )
    if place_changed:
        _session_changed(
            session,
            action="moved",
            by=by,
            from_value=old_place,
            to_value=str(new_location or "-"),
            reason=reason,
            calendar=not time_changed,  # one SEQUENCE step per change
        )
    if time_changed or place_changed:
        _ask_again(session, by=by, reason=_("time/place changed"))
    if not (time_changed or place_changed) and (lectures is not None or notes is not None):
        _session_changed(session, action="updated", by=by, calendar=False)
    return session


@transaction.atomic
def recording_session_transition(
    *, session: RecordingSession, to_state: str, by=None, reason: str = ""
) -> RecordingSession:
    """Change the state; holds go through ``recording_session_hold`` (they need a date and reason)."""
    session = _lock_session(session)
    if to_state not in RecordingSession.State.values:
        raise _field_error("state", _("Unknown session state “%(state)s”.") % {"state": to_state})
    if to_state == RecordingSession.State.ON_HOLD:
        return recording_session_hold(session=session, until=None, reason=reason, by=by)
    allowed = SESSION_TRANSITIONS[session.state]
    if to_state not in allowed:
        raise _illegal(
            _("The recording session"),
            RecordingSession.State(session.state).label,
            RecordingSession.State(to_state).label,
            [RecordingSession.State(a).label for a in allowed],
        )
    if to_state == RecordingSession.State.RECORDED and session.starts_at > timezone.now():
        raise TransitionError(
            _("The session starts %(start)s: it cannot be marked recorded before it has taken place.")
            % {"start": _when(session.starts_at)},
            code="recorded_in_future",
            extra={"field": "state"},
        )
    if to_state == RecordingSession.State.CANCELLED and not reason.strip():
        raise _field_error("reason", _("Give a reason for cancelling; speakers will see it."))
    previous = session.state
    session.state = to_state
    session.hold_until = None
    session.hold_reason = ""
    session.save(update_fields=["state", "hold_until", "hold_reason", "updated_at"])
    _session_changed(session, action="state", by=by, from_value=previous, to_value=to_state, reason=reason)
    if previous == RecordingSession.State.ON_HOLD and to_state in OPEN_SESSION_STATES:
        # The hold removed the session from the speakers' calendars; the new invitation asks again.
        _ask_again(session, by=by, reason=_("planned again after a hold"))
    if to_state == RecordingSession.State.RECORDED:
        _publish_presenters(session)
    return session


def _publish_presenters(session: RecordingSession) -> None:
    """Learners see who presents a lecture: the speakers (not declined) of its recorded sessions."""
    for lecture in session.lectures.all():
        attendances = (
            SessionSpeaker.objects.filter(
                session__lectures=lecture, session__state=RecordingSession.State.RECORDED
            )
            .exclude(rsvp=Rsvp.DECLINED)
            .select_related("speaker")
            .order_by("session__starts_at", "id")
        )
        lecture_presenters_set(
            lecture=lecture,
            presenters=[
                Presenter(
                    name=a.speaker.name,
                    affiliation=", ".join(p for p in (a.speaker.role, a.speaker.organisation) if p),
                )
                for a in attendances
            ],
        )


def _validate_hold(until: date | None, reason: str) -> None:
    if until is None:
        raise _field_error("until", _("Give the date until which recording is on hold (at the earliest)."))
    if until < timezone.localdate():
        raise _field_error(
            "until", _("The hold date %(date)s is in the past; pick today or later.") % {"date": until}
        )
    if not (reason or "").strip():
        raise _field_error("reason", _("Give a reason for the hold, e.g. “lockdown”."))


@transaction.atomic
def recording_session_hold(
    *, session: RecordingSession, until: date | None, reason: str, by=None
) -> RecordingSession:
    session = _lock_session(session)
    _validate_hold(until, reason)
    return _hold(session, until=until, reason=reason.strip(), by=by)


def _hold(session: RecordingSession, *, until: date, reason: str, by) -> RecordingSession:
    if session.state == RecordingSession.State.ON_HOLD:
        if (session.hold_until, session.hold_reason) == (until, reason):
            return session
    elif RecordingSession.State.ON_HOLD not in SESSION_TRANSITIONS[session.state]:
        raise _illegal(
            _("The recording session"),
            RecordingSession.State(session.state).label,
            RecordingSession.State.ON_HOLD.label,
            [RecordingSession.State(a).label for a in SESSION_TRANSITIONS[session.state]],
        )
    previous = session.state
    session.state = RecordingSession.State.ON_HOLD
    session.hold_until = until
    session.hold_reason = reason
    session.ical_sequence += 1  # the calendar changes: saved with the hold, in one UPDATE
    session.save(update_fields=["state", "hold_until", "hold_reason", "ical_sequence", "updated_at"])
    _session_changed(
        session,
        action="held",
        by=by,
        from_value=previous,
        to_value=f"{RecordingSession.State.ON_HOLD} ≥ {until.isoformat()}",
        reason=reason,
        calendar=False,  # the SEQUENCE went up above
    )
    return session


@transaction.atomic
def production_postpone_recordings(
    *, productions: Iterable[Production], until: date | None, reason: str, by=None
) -> list[RecordingSession]:
    """Hold every open recording session (tentative, scheduled or already on hold) of these
    productions until at least ``until``. One action; returns the sessions that changed."""
    _validate_hold(until, reason)
    reason = reason.strip()
    productions = list(productions)
    sessions = list(
        RecordingSession.objects.select_for_update(of=("self",))
        .select_related("production__course", "location")
        .filter(
            production__in=productions,
            state__in=[
                RecordingSession.State.TENTATIVE,
                RecordingSession.State.SCHEDULED,
                RecordingSession.State.ON_HOLD,
            ],
        )
        .order_by("pk")
    )
    changed = []
    for session in sessions:
        before = session.ical_sequence
        _hold(session, until=until, reason=reason, by=by)
        if session.ical_sequence != before:
            changed.append(session)
    for production in productions:
        history_record(
            production=production,
            subject=production,
            action="postponed",
            by=by,
            to_value=until.isoformat(),
            reason=reason,
        )
    return changed


@transaction.atomic
def recording_session_add_speaker(*, session: RecordingSession, speaker: Speaker, by=None) -> SessionSpeaker:
    session = _lock_session(session)
    if session.state in (RecordingSession.State.RECORDED, RecordingSession.State.CANCELLED):
        raise TransitionError(_("Speakers cannot be added to a recorded or cancelled session."))
    if SessionSpeaker.objects.filter(session=session, speaker=speaker).exists():
        raise _field_error("speaker", _("%(speaker)s is already on this session.") % {"speaker": speaker})
    _check_invitable([speaker])
    attendance = SessionSpeaker.objects.create(session=session, speaker=speaker)
    _session_changed(
        session, action="speaker_added", by=by, to_value=str(speaker), calendar=False, speaker=speaker
    )
    return attendance


@transaction.atomic
def recording_session_remove_speaker(
    *, session: RecordingSession, speaker: Speaker, by=None, reason: str = ""
) -> None:
    session = _lock_session(session)
    deleted, _rows = SessionSpeaker.objects.filter(session=session, speaker=speaker).delete()
    if not deleted:
        raise _field_error("speaker", _("%(speaker)s is not on this session.") % {"speaker": speaker})
    _session_changed(
        session,
        action="speaker_removed",
        by=by,
        from_value=str(speaker),
        reason=reason,
        calendar=False,
        speaker=speaker,
    )


@transaction.atomic
def crew_assign(
    *, session: RecordingSession, name: str, role: str, phone: str = "", email: str = "", by=None
) -> CrewAssignment:
    session = _lock_session(session)
    crew = CrewAssignment(
        session=session,
        name=(name or "").strip(),
        role=role,
        phone=(phone or "").strip(),
        email=(email or "").strip(),
    )
    _clean(crew, exclude=["session"])
    if CrewAssignment.objects.filter(session=session, name__iexact=crew.name, role=role).exists():
        raise _field_error("name", _("%(name)s already has this role on the session.") % {"name": crew.name})
    crew.save()
    history_record(
        production=session.production, subject=session, action="crew_added", by=by, to_value=str(crew)
    )
    return crew


@transaction.atomic
def crew_remove(*, crew: CrewAssignment, by=None) -> None:
    session = crew.session
    label = str(crew)
    crew.delete()
    history_record(
        production=session.production, subject=session, action="crew_removed", by=by, from_value=label
    )


# --- speaker responses (sessions and pre-talks) --------------------------------------------

OPEN_SESSION_STATES = (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)


def _answer_text(attendance: SessionSpeaker | PreTalkSpeaker) -> str:
    text = f"{attendance.speaker}: {attendance.rsvp}"
    return f"{text} ({attendance.decline_reason})" if attendance.decline_reason else text


def _ask_again(item: RecordingSession | PreTalk, *, by, reason: str) -> int:
    """A significant change (time, end, place, link, or planned again after a hold): every speaker's
    answer on the item goes back to "no answer yet", with a history entry naming the previous answer,
    and the item's answer round goes up so that an answer to the older version is refused. The
    caller holds the item's row lock. Declined speakers are asked again too: the new time may suit
    them, and the calendar update asks every speaker. Returns how many answers were reset.

    The calendar sync and the team's unconfirmed-speaker reminders follow after commit (the caller's
    ``_session_changed``/``_pretalk_changed`` announces the change)."""
    is_session = isinstance(item, RecordingSession)
    item.answer_round += 1
    item.save(update_fields=["answer_round", "updated_at"])
    model = SessionSpeaker if is_session else PreTalkSpeaker
    attendances = (
        model.objects.select_for_update(of=("self",))
        .filter(**{"session" if is_session else "pretalk": item})
        .select_related("speaker")
        .order_by("pk")
    )
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
    attendance: SessionSpeaker | PreTalkSpeaker,
    rsvp: str,
    decline_reason: str = "",
    proposed_starts_at: datetime | None = None,
    answer_round: int | None = None,
    by=None,
) -> SessionSpeaker | PreTalkSpeaker:
    """A speaker accepts or declines (on their page, or a producer records it for them).

    ``answer_round``: the version of the item the answer was given to (the speaker page sends the
    round it showed). An answer to an older round is refused with ``StaleAnswerError``: the time or
    place changed since, and the speaker is asked again. ``None``: the current version (the studio
    and the API show the producer the current item)."""
    if rsvp not in (Rsvp.ACCEPTED, Rsvp.DECLINED, Rsvp.PENDING):
        raise _field_error("rsvp", _("Answer accepted or declined."))
    is_session = isinstance(attendance, SessionSpeaker)
    # Lock the item first, then the answer: the order ``_ask_again`` takes them in, so an answer and
    # a reschedule never interleave (the later one sees the other's result).
    item_model = RecordingSession if is_session else PreTalk
    item = (
        item_model.objects.select_for_update(of=("self",))
        .select_related("production__course")
        .get(pk=attendance.session_id if is_session else attendance.pretalk_id)
    )
    attendance = (
        type(attendance)
        .objects.select_for_update(of=("self",))
        .select_related("speaker")
        .get(pk=attendance.pk)
    )
    if answer_round is not None and answer_round != item.answer_round:
        raise StaleAnswerError(
            _(
                "The time or place changed after you opened this page: it is now %(when)s. "
                "Check the new details and answer again."
            )
            % {"when": _when(item.starts_at)},
            extra={"field": "action", "answer_round": item.answer_round},
        )
    if rsvp == Rsvp.DECLINED and not (decline_reason or "").strip():
        raise _field_error(
            "decline_reason", _("Give a reason for declining, so the producer can plan again.")
        )
    if proposed_starts_at is not None and timezone.is_naive(proposed_starts_at):
        raise _field_error("proposed_starts_at", _("Times need a time zone."))
    if proposed_starts_at is not None and _utc(proposed_starts_at) <= timezone.now():
        raise _field_error("proposed_starts_at", _("Propose a time in the future."))
    previous = attendance.rsvp
    attendance.rsvp = rsvp
    attendance.responded_at = timezone.now() if rsvp != Rsvp.PENDING else None
    attendance.decline_reason = (decline_reason or "").strip() if rsvp == Rsvp.DECLINED else ""
    attendance.proposed_starts_at = _utc(proposed_starts_at) if proposed_starts_at else None
    attendance.previous_rsvp = ""  # an answer (or a proposal) to the current version
    attendance.save()
    label = f"{attendance.speaker}: {rsvp}"
    if is_session:
        session = item
        _session_changed(
            session,
            action="rsvp",
            by=by,
            from_value=previous,
            to_value=label,
            reason=decline_reason,
            calendar=False,
            speaker=attendance.speaker,
        )
    else:
        pretalk = item
        _pretalk_changed(
            pretalk,
            action="rsvp",
            by=by,
            from_value=previous,
            to_value=label,
            reason=decline_reason,
            calendar=False,
            speaker=attendance.speaker,
        )
    return attendance


# --- pre-talks ----------------------------------------------------------------------------


def _check_pretalk(mode: str, place: str, video_link: str, duration_minutes: int) -> None:
    if mode not in PreTalk.Mode.values:
        raise _field_error("mode", _("Choose online, phone or in person."))
    if mode == PreTalk.Mode.ONLINE and not video_link:
        raise _field_error("video_link", _("An online pre-talk needs a video link."))
    if mode == PreTalk.Mode.IN_PERSON and not (place or "").strip():
        raise _field_error("place", _("An in-person pre-talk needs a place."))
    if not duration_minutes or duration_minutes <= 0 or duration_minutes > MAX_PRETALK_MINUTES:
        raise _field_error("duration_minutes", _("The duration is between 1 and 480 minutes."))


def _lock_pretalk(pretalk: PreTalk) -> PreTalk:
    return (
        PreTalk.objects.select_for_update(of=("self",))
        .select_related("production__course")
        .get(pk=pretalk.pk)
    )


@transaction.atomic
def pretalk_create(
    *,
    production: Production,
    speakers: Iterable[Speaker],
    lectures: Iterable[Lecture],
    starts_at: datetime,
    duration_minutes: int = 45,
    mode: str = PreTalk.Mode.ONLINE,
    place: str = "",
    video_link: str = "",
    by=None,
) -> PreTalk:
    speakers = list(dict.fromkeys(speakers))
    if not speakers:
        raise _field_error("speakers", _("Choose the speaker(s) to talk with."))
    _check_invitable(speakers)
    lectures = _check_lectures(production, lectures)
    if starts_at is None:
        raise _field_error("starts_at", _("Give a start time."))
    if timezone.is_naive(starts_at):
        raise _field_error("starts_at", _("Times need a time zone."))
    _check_pretalk(mode, place, video_link, duration_minutes)
    pretalk = PreTalk(
        production=production,
        starts_at=_utc(starts_at),
        duration_minutes=duration_minutes,
        mode=mode,
        place=(place or "").strip(),
        video_link=video_link or "",
    )
    _clean(pretalk)
    pretalk.save()
    pretalk.lectures.set(lectures)
    PreTalkSpeaker.objects.bulk_create([PreTalkSpeaker(pretalk=pretalk, speaker=s) for s in speakers])
    _pretalk_changed(pretalk, action="created", by=by, to_value=PreTalk.State.PLANNED, calendar=False)
    return pretalk


@transaction.atomic
def pretalk_update(
    *,
    pretalk: PreTalk,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    mode: str | None = None,
    place: str | None = None,
    video_link: str | None = None,
    lectures: Iterable[Lecture] | None = None,
    by=None,
    reason: str = "",
) -> PreTalk:
    pretalk = _lock_pretalk(pretalk)
    if pretalk.state != PreTalk.State.PLANNED:
        raise TransitionError(
            _("Only a planned pre-talk can be changed; this one is %(state)s.")
            % {"state": pretalk.get_state_display().lower()},
            extra={"field": "state"},
        )
    if starts_at is not None and timezone.is_naive(starts_at):
        raise _field_error("starts_at", _("Times need a time zone."))
    new = {
        "starts_at": _utc(starts_at or pretalk.starts_at),
        "duration_minutes": duration_minutes or pretalk.duration_minutes,
        "mode": mode or pretalk.mode,
        "place": pretalk.place if place is None else place.strip(),
        "video_link": pretalk.video_link if video_link is None else video_link,
    }
    _check_pretalk(new["mode"], new["place"], new["video_link"], new["duration_minutes"])
    time_changed = (new["starts_at"], new["duration_minutes"]) != (
        _utc(pretalk.starts_at),
        pretalk.duration_minutes,
    )
    place_changed = (new["mode"], new["place"], new["video_link"]) != (
        pretalk.mode,
        pretalk.place,
        pretalk.video_link,
    )
    old_when, old_place = _when(pretalk.starts_at), pretalk.place or pretalk.video_link or pretalk.mode
    for key, value in new.items():
        setattr(pretalk, key, value)
    _clean(pretalk)
    pretalk.save()
    if lectures is not None:
        pretalk.lectures.set(_check_lectures(pretalk.production, lectures))
    if time_changed:
        _pretalk_changed(
            pretalk,
            action="rescheduled",
            by=by,
            from_value=old_when,
            to_value=_when(pretalk.starts_at),
            reason=reason,
        )
    if place_changed:
        _pretalk_changed(
            pretalk,
            action="moved",
            by=by,
            from_value=old_place,
            to_value=pretalk.place or pretalk.video_link or pretalk.mode,
            reason=reason,
            calendar=not time_changed,
        )
    if time_changed or place_changed:
        _ask_again(pretalk, by=by, reason=_("time/place changed"))
    return pretalk


@transaction.atomic
def pretalk_mark_held(*, pretalk: PreTalk, outcome_notes: str = "", by=None) -> PreTalk:
    pretalk = _lock_pretalk(pretalk)
    if pretalk.state != PreTalk.State.PLANNED:
        raise _illegal(_("The pre-talk"), pretalk.get_state_display(), PreTalk.State.HELD.label, [])
    if pretalk.starts_at > timezone.now():
        raise TransitionError(
            _("The pre-talk starts %(start)s: it cannot be marked held before it has taken place.")
            % {"start": _when(pretalk.starts_at)},
            code="held_in_future",
            extra={"field": "state"},
        )
    pretalk.state = PreTalk.State.HELD
    pretalk.outcome_notes = outcome_notes or ""
    pretalk.save(update_fields=["state", "outcome_notes", "updated_at"])
    _pretalk_changed(
        pretalk,
        action="state",
        by=by,
        from_value=PreTalk.State.PLANNED,
        to_value=PreTalk.State.HELD,
        reason=outcome_notes,
    )
    return pretalk


@transaction.atomic
def pretalk_cancel(*, pretalk: PreTalk, reason: str, by=None) -> PreTalk:
    pretalk = _lock_pretalk(pretalk)
    if pretalk.state != PreTalk.State.PLANNED:
        raise _illegal(_("The pre-talk"), pretalk.get_state_display(), PreTalk.State.CANCELLED.label, [])
    if not (reason or "").strip():
        raise _field_error("reason", _("Give a reason for cancelling; speakers will see it."))
    pretalk.state = PreTalk.State.CANCELLED
    pretalk.save(update_fields=["state", "updated_at"])
    _pretalk_changed(
        pretalk,
        action="state",
        by=by,
        from_value=PreTalk.State.PLANNED,
        to_value=PreTalk.State.CANCELLED,
        reason=reason,
    )
    return pretalk


@transaction.atomic
def pretalk_add_speaker(*, pretalk: PreTalk, speaker: Speaker, by=None) -> PreTalkSpeaker:
    pretalk = _lock_pretalk(pretalk)
    if pretalk.state != PreTalk.State.PLANNED:
        raise TransitionError(_("Speakers can only be added to a planned pre-talk."))
    if PreTalkSpeaker.objects.filter(pretalk=pretalk, speaker=speaker).exists():
        raise _field_error("speaker", _("%(speaker)s is already on this pre-talk.") % {"speaker": speaker})
    _check_invitable([speaker])
    attendance = PreTalkSpeaker.objects.create(pretalk=pretalk, speaker=speaker)
    _pretalk_changed(
        pretalk, action="speaker_added", by=by, to_value=str(speaker), calendar=False, speaker=speaker
    )
    return attendance


@transaction.atomic
def pretalk_remove_speaker(*, pretalk: PreTalk, speaker: Speaker, by=None, reason: str = "") -> None:
    pretalk = _lock_pretalk(pretalk)
    if pretalk.attendances.count() <= 1:
        raise _field_error("speaker", _("A pre-talk needs a speaker; cancel the pre-talk instead."))
    deleted, _rows = PreTalkSpeaker.objects.filter(pretalk=pretalk, speaker=speaker).delete()
    if not deleted:
        raise _field_error("speaker", _("%(speaker)s is not on this pre-talk.") % {"speaker": speaker})
    _pretalk_changed(
        pretalk,
        action="speaker_removed",
        by=by,
        from_value=str(speaker),
        reason=reason,
        calendar=False,
        speaker=speaker,
    )


# --- calendar feed ------------------------------------------------------------------------


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    try:
        feed, _created = CalendarFeed.objects.get_or_create(user=user)
    except IntegrityError:
        feed = CalendarFeed.objects.get(user=user)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user) -> CalendarFeed:
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)
