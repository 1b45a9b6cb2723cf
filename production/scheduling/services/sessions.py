"""Recording sessions: planning, rescheduling and moving, states, speakers and crew (holds and the
postponement of a whole production: ``holds.py``). The learners' presenters follow recorded sessions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.catalog.services import Presenter, lecture_presenters_set
from courses.models import Lecture
from production.errors import TransitionError, clean, field_error, illegal, utc
from production.history import history_record
from production.models import (
    CrewAssignment,
    Location,
    Production,
    RecordingSession,
    Rsvp,
    SessionSpeaker,
    Speaker,
)

from ..states import CLOSED_SESSION_STATES, OPEN_SESSION_STATES, SESSION_TRANSITIONS
from .checks import check_invitable, check_lectures, check_span, refuse_double_booking, when
from .holds import recording_session_hold
from .items import ask_again, item_changed, item_lock, speaker_add, speaker_remove

State = RecordingSession.State


@transaction.atomic
def recording_session_create(
    *,
    production: Production,
    starts_at: datetime,
    ends_at: datetime,
    lectures: Iterable[Lecture],
    location: Location | None = None,
    speakers: Iterable[Speaker] = (),
    state: str = State.TENTATIVE,
    notes: str = "",
    confirm_double_booking: bool = False,
    by,
) -> RecordingSession:
    if state not in OPEN_SESSION_STATES:
        raise field_error("state", _("A new session is tentative or scheduled."))
    check_span(starts_at, ends_at)
    lectures = check_lectures(production, lectures)
    refuse_double_booking(location, starts_at, ends_at, confirmed=confirm_double_booking, by=by)
    speakers = list(speakers)
    check_invitable(speakers)
    session = RecordingSession(
        production=production,
        location=location,
        starts_at=utc(starts_at),
        ends_at=utc(ends_at),
        state=state,
        notes=notes,
    )
    clean(session)
    session.save()
    session.lectures.set(lectures)
    SessionSpeaker.objects.bulk_create(
        [SessionSpeaker(session=session, speaker=s) for s in dict.fromkeys(speakers)]
    )
    item_changed(session, action="created", by=by, to_value=state, calendar=False)
    return session


@dataclass(frozen=True)
class _Before:
    """What the history names as "from" after an update."""

    when: str
    place: str
    state: str


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
    by,
    reason: str = "",
) -> RecordingSession:
    """Reschedule (time), move (place) and/or change the lectures. Rescheduling a held session
    clears the hold: it becomes scheduled again."""
    session = item_lock(session)
    _refuse_closed(session)
    new_start, new_end, new_location = _new_slot(session, starts_at, ends_at, location)
    time_changed = (new_start, new_end) != (utc(session.starts_at), utc(session.ends_at))
    place_changed = (new_location.pk if new_location else None) != session.location_id
    if time_changed or place_changed:
        refuse_double_booking(
            new_location,
            new_start,
            new_end,
            exclude_session_id=session.pk,
            confirmed=confirm_double_booking,
            by=by,
        )
    _set_details(session, lectures, notes)
    before = _Before(when(session.starts_at), str(session.location or "-"), session.state)
    session.starts_at, session.ends_at, session.location = new_start, new_end, new_location
    cleared_hold = time_changed and _clear_hold(session)
    session.save()
    if time_changed:
        _record_rescheduled(session, before, cleared_hold=cleared_hold, by=by, reason=reason)
    if place_changed:
        item_changed(
            session,
            action="moved",
            by=by,
            from_value=before.place,
            to_value=str(new_location or "-"),
            reason=reason,
            calendar=not time_changed,  # one SEQUENCE step per change
        )
    if time_changed or place_changed:
        ask_again(session, by=by, reason=_("time/place changed"))
    elif lectures is not None or notes is not None:
        item_changed(session, action="updated", by=by, calendar=False)
    return session


def _refuse_closed(session: RecordingSession) -> None:
    if session.state in CLOSED_SESSION_STATES:
        raise TransitionError(
            _("A %(state)s session cannot be changed.") % {"state": session.get_state_display().lower()},
            extra={"field": "state"},
        )


def _new_slot(
    session: RecordingSession, starts_at, ends_at, location
) -> tuple[datetime, datetime, Location | None]:
    """The checked new start and end (as instants) and place; what is not given stays."""
    new_start = starts_at or session.starts_at
    new_end = ends_at or session.ends_at
    check_span(new_start, new_end)
    return utc(new_start), utc(new_end), session.location if location is ... else location


def _set_details(session: RecordingSession, lectures: Iterable[Lecture] | None, notes: str | None) -> None:
    if lectures is not None:
        session.lectures.set(check_lectures(session.production, lectures))
    if notes is not None:
        session.notes = notes


def _clear_hold(session: RecordingSession) -> bool:
    """A held session given a new time is scheduled again; says whether there was a hold."""
    if session.state != State.ON_HOLD:
        return False
    session.state = State.SCHEDULED
    session.hold_until = None
    session.hold_reason = ""
    return True


def _record_rescheduled(
    session: RecordingSession, before: _Before, *, cleared_hold: bool, by, reason: str
) -> None:
    item_changed(
        session,
        action="rescheduled",
        by=by,
        from_value=before.when,
        to_value=when(session.starts_at),
        reason=reason,
    )
    if cleared_hold:
        history_record(
            production=session.production,
            subject=session,
            action="state",
            by=by,
            from_value=before.state,
            to_value=session.state,
            reason=_("Rescheduled: the hold is cleared."),
        )


@transaction.atomic
def recording_session_transition(
    *, session: RecordingSession, to_state: str, by, reason: str = ""
) -> RecordingSession:
    """Change the state; holds go through ``recording_session_hold`` (they need a date and reason)."""
    session = item_lock(session)
    if to_state not in State.values:
        raise field_error("state", _("Unknown session state “%(state)s”.") % {"state": to_state})
    if to_state == State.ON_HOLD:
        return recording_session_hold(session=session, until=None, reason=reason, by=by)
    _refuse_illegal(session, to_state)
    if to_state == State.RECORDED and session.starts_at > timezone.now():
        raise TransitionError(
            _("The session starts %(start)s: it cannot be marked recorded before it has taken place.")
            % {"start": when(session.starts_at)},
            code="recorded_in_future",
            extra={"field": "state"},
        )
    if to_state == State.CANCELLED and not reason.strip():
        raise field_error("reason", _("Give a reason for cancelling; speakers will see it."))
    previous = session.state
    session.state = to_state
    session.hold_until = None
    session.hold_reason = ""
    session.save(update_fields=["state", "hold_until", "hold_reason", "updated_at"])
    item_changed(session, action="state", by=by, from_value=previous, to_value=to_state, reason=reason)
    if previous == State.ON_HOLD and to_state in OPEN_SESSION_STATES:
        # The hold removed the session from the speakers' calendars; the new invitation asks again.
        ask_again(session, by=by, reason=_("planned again after a hold"))
    if to_state == State.RECORDED:
        _publish_presenters(session)
    return session


def _refuse_illegal(session: RecordingSession, to_state: str) -> None:
    allowed = SESSION_TRANSITIONS[session.state]
    if to_state not in allowed:
        raise illegal(
            _("The recording session"),
            State(session.state).label,
            State(to_state).label,
            [State(a).label for a in allowed],
        )


def _publish_presenters(session: RecordingSession) -> None:
    """Learners see who presents a lecture: the speakers (not declined) of its recorded sessions."""
    for lecture in session.lectures.all():
        attendances = (
            SessionSpeaker.objects.filter(session__lectures=lecture, session__state=State.RECORDED)
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


@transaction.atomic
def recording_session_add_speaker(*, session: RecordingSession, speaker: Speaker, by) -> SessionSpeaker:
    session = item_lock(session)
    if session.state in CLOSED_SESSION_STATES:
        raise TransitionError(_("Speakers cannot be added to a recorded or cancelled session."))
    return speaker_add(session, speaker=speaker, by=by, already=_("%(speaker)s is already on this session."))


@transaction.atomic
def recording_session_remove_speaker(
    *, session: RecordingSession, speaker: Speaker, by, reason: str = ""
) -> None:
    session = item_lock(session)
    speaker_remove(
        session, speaker=speaker, by=by, reason=reason, missing=_("%(speaker)s is not on this session.")
    )


@transaction.atomic
def crew_assign(
    *, session: RecordingSession, name: str, role: str, phone: str = "", email: str = "", by
) -> CrewAssignment:
    session = item_lock(session)
    crew = CrewAssignment(
        session=session,
        name=(name or "").strip(),
        role=role,
        phone=(phone or "").strip(),
        email=(email or "").strip(),
    )
    clean(crew, exclude=["session"])
    if CrewAssignment.objects.filter(session=session, name__iexact=crew.name, role=role).exists():
        raise field_error("name", _("%(name)s already has this role on the session.") % {"name": crew.name})
    crew.save()
    history_record(
        production=session.production, subject=session, action="crew_added", by=by, to_value=str(crew)
    )
    return crew


@transaction.atomic
def crew_remove(*, crew: CrewAssignment, by) -> None:
    session = crew.session
    label = str(crew)
    crew.delete()
    history_record(
        production=session.production, subject=session, action="crew_removed", by=by, from_value=label
    )
