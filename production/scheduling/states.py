"""The states of a recording session and the moves between them. Services refuse other moves; forms
offer only these."""

from __future__ import annotations

from production.models import RecordingSession

State = RecordingSession.State

SESSION_TRANSITIONS: dict[str, set[str]] = {
    State.TENTATIVE: {State.SCHEDULED, State.ON_HOLD, State.CANCELLED},
    State.SCHEDULED: {State.TENTATIVE, State.ON_HOLD, State.RECORDED, State.CANCELLED},
    State.ON_HOLD: {State.TENTATIVE, State.SCHEDULED, State.CANCELLED},
    State.RECORDED: set(),
    State.CANCELLED: set(),
}

# Planned and on the speakers' calendars.
OPEN_SESSION_STATES = (State.TENTATIVE, State.SCHEDULED)
# Final: nothing about the session changes any more.
CLOSED_SESSION_STATES = (State.RECORDED, State.CANCELLED)
