"""The calendar re-sync: the safety net of the after-commit calendar sync (beat task
``production.calendar_resync``, every 15 minutes). Items not finished whose speakers' calendar
messages are out of line with their state are synced again (five queries while everything is in
line, however many items)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import EmailLog, PreTalk, PreTalkSpeaker, RecordingSession, SessionSpeaker, Target
from . import calendar_messages
from .items import Item
from .queue import CALENDAR_METHODS
from .reminders.planning import OPEN_SESSION_STATES

logger = logging.getLogger(__name__)

# Which items the re-sync looks at: open ones until a day after their start (the invitation still
# matters), held or cancelled ones changed in the last week (the beat runs every 15 minutes, so a
# failed sync is repaired long before; the window only bounds the work). Recorded sessions and held
# pre-talks are finished: their calendar entries stay as they are.
RESYNC_AFTER_START = timedelta(days=1)
RESYNC_RECENT_CHANGE = timedelta(days=7)


def _resync_scope(now: datetime):
    started = now - RESYNC_AFTER_START
    recent = now - RESYNC_RECENT_CHANGE
    sessions = RecordingSession.objects.filter(
        Q(state__in=OPEN_SESSION_STATES, starts_at__gte=started)
        | Q(
            state__in=[RecordingSession.State.ON_HOLD, RecordingSession.State.CANCELLED],
            updated_at__gte=recent,
        )
    )
    pretalks = PreTalk.objects.filter(
        Q(state=PreTalk.State.PLANNED, starts_at__gte=started)
        | Q(state=PreTalk.State.CANCELLED, updated_at__gte=recent)
    )
    return sessions, pretalks


def calendars_out_of_line(*, now: datetime | None = None) -> tuple[int, list[tuple[str, int]]]:
    """(how many unfinished items were checked, the (target_type, id) of those whose speakers'
    calendar messages are not what the item's state asks for). Five queries however many items:
    the items, their speakers and their calendar messages are read in bulk and compared in Python
    by ``calendar_messages.calendar_in_line``."""
    sessions, pretalks = _resync_scope(now or timezone.now())
    fields = ("id", "state", "ical_sequence")
    items = [Item(Target.SESSION, obj) for obj in sessions.only(*fields).order_by("id")]
    items += [Item(Target.PRETALK, obj) for obj in pretalks.only(*fields).order_by("id")]
    speakers: dict[tuple[str, int], set[int]] = defaultdict(set)
    for item_id, speaker_id in SessionSpeaker.objects.filter(session__in=sessions).values_list(
        "session_id", "speaker_id"
    ):
        speakers[(Target.SESSION, item_id)].add(speaker_id)
    for item_id, speaker_id in PreTalkSpeaker.objects.filter(pretalk__in=pretalks).values_list(
        "pretalk_id", "speaker_id"
    ):
        speakers[(Target.PRETALK, item_id)].add(speaker_id)
    emails: dict[tuple[str, int], list[EmailLog]] = defaultdict(list)
    rows = (
        EmailLog.objects.filter(
            Q(target_type=Target.SESSION, target_id__in=sessions.values("id"))
            | Q(target_type=Target.PRETALK, target_id__in=pretalks.values("id")),
            ics_method__in=CALENDAR_METHODS,
            speaker__isnull=False,
        )
        .only(
            "id",
            "target_type",
            "target_id",
            "speaker_id",
            "state",
            "ics_method",
            "ics_sequence",
            "resent_as_id",
        )
        .order_by("id")
    )
    for email in rows:
        emails[(email.target_type, email.target_id)].append(email)
    out = []
    for item in items:
        key = (item.target_type, item.obj.pk)
        if not calendar_messages.calendar_in_line(item=item, emails=emails[key], speaker_ids=speakers[key]):
            out.append(key)
    return len(items), out


def calendar_resync(*, now: datetime | None = None) -> dict[str, int]:
    """Run ``calendar_messages.calendar_sync`` again for every unfinished item whose speakers' calendars
    are out of line: the after-commit sync of a change failed (database hiccup, bug, worker killed
    between the commit and the sync) and nothing else would repeat it until the item's next change.
    The sync is idempotent and takes the item's row lock, so a run racing a change (or a second beat)
    does no harm. Each item syncs in its own transaction; one that fails is logged and the others go
    on (the next run tries it again). Returns counts: items checked, re-synced, emails queued, failed."""
    checked, stale = calendars_out_of_line(now=now)
    result = {"checked": checked, "resynced": 0, "queued": 0, "failed": 0}
    for target_type, target_id in stale:
        try:
            queued = calendar_messages.calendar_sync(target_type=target_type, target_id=target_id)
        except Exception:  # one bad item must not stop the others
            logger.exception(
                "calendar re-sync of %s %s failed; the next run tries again", target_type, target_id
            )
            result["failed"] += 1
            continue
        result["resynced"] += 1
        result["queued"] += len(queued)
        logger.warning(
            "calendar re-sync of %s %s: %d message(s) queued (its after-commit sync had not run)",
            target_type,
            target_id,
            len(queued),
        )
    return result


__all__ = ["calendar_resync", "calendars_out_of_line"]
