"""Production models, one module per area: ``tracking.py`` (productions, speakers, script parts,
pre-talks, recording sessions, history) and ``outbox.py`` (reminders, email log)."""

from .outbox import BouncedAddress, EmailAttachment, EmailLog, Reminder, SpeakerLink, Target  # noqa: F401, E402
from .tracking import (  # noqa: F401
    CalendarFeed,
    CrewAssignment,
    HistoryEntry,
    Location,
    PostProduction,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    Rsvp,
    ScriptPart,
    ScriptVersion,
    SessionSpeaker,
    Speaker,
    StepState,
)
