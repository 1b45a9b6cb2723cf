"""Production models, one module per area: ``tracking.py`` (productions, speakers, script parts,
post-production, history), ``scheduling.py`` (recording sessions and pre-talks, attendance, crew,
locations, calendar feeds) and ``outbox.py`` (reminders, email log)."""

from .outbox import BouncedAddress, EmailAttachment, EmailLog, Reminder, SpeakerLink, Target  # noqa: F401, E402
from .scheduling import (  # noqa: F401
    Attendance,
    CalendarFeed,
    CrewAssignment,
    HoldBatch,
    HoldBatchItem,
    Location,
    PreTalk,
    PreTalkSpeaker,
    RecordingSession,
    Rsvp,
    ScheduledItem,
    SessionSpeaker,
)
from .tracking import (  # noqa: F401
    HistoryEntry,
    PostProduction,
    Production,
    ScriptPart,
    ScriptVersion,
    Speaker,
    StepState,
)
