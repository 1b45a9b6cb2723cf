"""Write services of scheduling, one module per area: ``sessions.py`` (recording sessions, crew),
``holds.py`` (holds and postponement: plan and apply), ``undo.py`` (undoing a hold),
``pretalks.py``, ``items.py`` (what both
share: locking, the change record, speakers on and off, asking again, the speakers' answers) and
``checks.py`` (times, lectures, double bookings, locations). Import the services from here."""

from .checks import MAX_PRETALK_MINUTES, MAX_SESSION_HOURS, location_conflicts, location_create  # noqa: F401
from .holds import (  # noqa: F401
    HoldPlanChangedError,
    HoldUndoRefusedError,
    hold_apply,
    hold_plan,
    production_postpone_recordings,
    recording_session_hold,
)
from .items import attendance_respond  # noqa: F401
from .pretalks import (  # noqa: F401
    pretalk_add_speaker,
    pretalk_cancel,
    pretalk_create,
    pretalk_mark_held,
    pretalk_remove_speaker,
    pretalk_update,
)
from .sessions import (  # noqa: F401
    crew_assign,
    crew_remove,
    recording_session_add_speaker,
    recording_session_create,
    recording_session_remove_speaker,
    recording_session_transition,
    recording_session_update,
)
from .undo import hold_undo  # noqa: F401
