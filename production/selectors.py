"""Reads of the production tracker: the sessions and pre-talks a producer sees, the calendar and
conflicts (who sees which production: ``access.py``; the board: ``board.py``; history: ``history.py``).
Lists order explicitly and load what they render in a fixed number of queries."""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Lecture
from omooc.exceptions import NotFoundError

# Moved to access.py and history.py; imported here for the other wings' callers until the merge.
from .access import production_get_for, production_list, production_visible_to  # noqa: F401
from .history import history_for  # noqa: F401
from .models import (
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    SessionSpeaker,
)

# --- access --------------------------------------------------------------------------------


def session_visible_to(user) -> QuerySet[RecordingSession]:
    return RecordingSession.objects.filter(production__in=production_visible_to(user).values("pk"))


def pretalk_visible_to(user) -> QuerySet[PreTalk]:
    return PreTalk.objects.filter(production__in=production_visible_to(user).values("pk"))


def session_get_for(*, user, pk) -> RecordingSession:
    session = (
        session_visible_to(user)
        .select_related("production__course", "location")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by("speaker__name"),
            ),
            "crew",
            Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise NotFoundError(_("No recording session with this number in your productions."))
    return session


def pretalk_get_for(*, user, pk) -> PreTalk:
    pretalk = (
        pretalk_visible_to(user)
        .select_related("production__course")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=PreTalkSpeaker.objects.select_related("speaker").order_by("speaker__name"),
            ),
            Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if pretalk is None:
        raise NotFoundError(_("No pre-talk with this number in your productions."))
    return pretalk


# --- calendar and conflicts -----------------------------------------------------------------


@dataclass
class CalendarItem:
    kind: str  # "session" | "pretalk"
    obj: RecordingSession | PreTalk
    starts_at: datetime
    ends_at: datetime
    production: Production
    speaker_ids: set[int]
    location_id: int | None
    conflicts: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.obj.state

    @property
    def title(self) -> str:
        return str(self.production)


def _session_items(qs) -> list[CalendarItem]:
    return [
        CalendarItem(
            "session",
            s,
            s.starts_at,
            s.ends_at,
            s.production,
            {a.speaker_id for a in s.attendances.all()},
            s.location_id,
        )
        for s in qs
    ]


def _pretalk_items(qs) -> list[CalendarItem]:
    return [
        CalendarItem(
            "pretalk",
            p,
            p.starts_at,
            p.ends_at,
            p.production,
            {a.speaker_id for a in p.attendances.all()},
            None,
        )
        for p in qs
    ]


def schedule_items(*, start: datetime, end: datetime, productions=None) -> list[CalendarItem]:
    """Sessions and pre-talks overlapping [start, end) that are not cancelled, with conflicts marked:
    the same speaker or the same location at overlapping times (held sessions do not count)."""
    sessions = (
        RecordingSession.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(state=RecordingSession.State.CANCELLED)
        .select_related("production__course", "location")
        .prefetch_related(Prefetch("attendances", queryset=SessionSpeaker.objects.select_related("speaker")))
        .order_by("starts_at", "id")
    )
    pretalks = (
        PreTalk.objects.filter(
            starts_at__lt=end, starts_at__gte=start - timedelta(minutes=8 * 60)
        )  # bounded duration
        .exclude(state=PreTalk.State.CANCELLED)
        .select_related("production__course")
        .prefetch_related(Prefetch("attendances", queryset=PreTalkSpeaker.objects.select_related("speaker")))
        .order_by("starts_at", "id")
    )
    items = _session_items(sessions) + [i for i in _pretalk_items(pretalks) if i.ends_at > start]
    allowed = {p.pk for p in productions} if productions is not None else None
    mark_conflicts(items, visible=allowed)
    if allowed is not None:
        items = [i for i in items if i.production.pk in allowed]
    items.sort(key=lambda i: (i.starts_at, i.kind, i.obj.pk))
    return items


def _describe(item: CalendarItem, visible: set[int] | None = None) -> str:
    """The other item of a conflict; another team's item stays anonymous (ADR 0013)."""
    if visible is not None and item.production.pk not in visible:
        return str(_("another team's production"))
    kind = _("recording") if item.kind == "session" else _("pre-talk")
    return f"{kind} {item.production} {timezone.localtime(item.starts_at):%Y-%m-%d %H:%M}"


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def _conflict_text(kind: str, subject, other: CalendarItem, visible: set[int] | None) -> str:
    hidden = visible is not None and other.production.pk not in visible
    item = _describe(other, visible)
    if kind == "speaker":
        if hidden:
            return _("%(speaker)s is also booked at that time (%(item)s)") % {
                "speaker": subject,
                "item": item,
            }
        return _("%(speaker)s is also at %(item)s") % {"speaker": subject, "item": item}
    if hidden:
        return _("%(location)s is also booked at that time (%(item)s)") % {"location": subject, "item": item}
    return _("%(location)s is also booked for %(item)s") % {"location": subject, "item": item}


def mark_conflicts(items: list[CalendarItem], *, visible: set[int] | None = None) -> None:
    """Mark overlaps of a speaker or a location. With ``visible`` (the viewer's productions), an item
    of another team's production is not named: the speaker is busy, nothing more."""
    active = [i for i in items if not (i.kind == "session" and i.obj.state == RecordingSession.State.ON_HOLD)]
    active.sort(key=lambda i: _utc(i.starts_at))  # instants: never wall clock (see services._utc)
    speaker_names = {}
    for i in active:
        for a in i.obj.attendances.all():
            speaker_names[a.speaker_id] = a.speaker.name
    for idx, a in enumerate(active):
        for b in active[idx + 1 :]:
            if _utc(b.starts_at) >= _utc(a.ends_at):
                break
            shared = a.speaker_ids & b.speaker_ids
            for sid in sorted(shared):
                a.conflicts.append(_conflict_text("speaker", speaker_names[sid], b, visible))
                b.conflicts.append(_conflict_text("speaker", speaker_names[sid], a, visible))
            if a.location_id and a.location_id == b.location_id:
                a.conflicts.append(_conflict_text("location", a.obj.location, b, visible))
                b.conflicts.append(_conflict_text("location", b.obj.location, a, visible))


def _viewer_productions(user):
    return None if user is None else production_visible_to(user)


def conflicts_for_session(session: RecordingSession, *, user=None) -> list[str]:
    """Conflicts of a session; with ``user``, another team's items are not named."""
    items = schedule_items(
        start=session.starts_at, end=session.ends_at, productions=_viewer_productions(user)
    )
    for item in items:
        if item.kind == "session" and item.obj.pk == session.pk:
            return item.conflicts
    return []


def conflicts_for_pretalk(pretalk: PreTalk, *, user=None) -> list[str]:
    items = schedule_items(
        start=pretalk.starts_at, end=pretalk.ends_at, productions=_viewer_productions(user)
    )
    for item in items:
        if item.kind == "pretalk" and item.obj.pk == pretalk.pk:
            return item.conflicts
    return []


@dataclass
class CalendarDay:
    day: date
    items: list[CalendarItem]
    in_month: bool = True

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()

    @property
    def has_sessions(self) -> bool:
        """A call sheet is worth linking: a recording session (held ones too) starts this day."""
        return any(item.kind == "session" for item in self.items)


@dataclass
class CalendarView:
    mode: str
    anchor: date
    start: date
    end: date  # exclusive
    weeks: list[list[CalendarDay]]
    previous: date
    next: date
    conflict_count: int


def calendar_for(*, user, mode: str = "week", anchor: date | None = None) -> CalendarView:
    anchor = anchor or timezone.localdate()
    if mode == "month":
        first = anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
        end = last + timedelta(days=7 - last.weekday())
        previous = (first - timedelta(days=1)).replace(day=1)
        nxt = last + timedelta(days=1)
    else:
        mode = "week"
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        previous, nxt = start - timedelta(days=7), end
    tz = timezone.get_current_timezone()
    start_dt = datetime.combine(start, time.min, tzinfo=tz)
    end_dt = datetime.combine(end, time.min, tzinfo=tz)
    items = schedule_items(start=start_dt, end=end_dt, productions=production_visible_to(user))
    by_day = defaultdict(list)
    for item in items:
        by_day[timezone.localtime(item.starts_at).date()].append(item)
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    weeks = [
        [
            CalendarDay(d, by_day.get(d, []), mode == "week" or d.month == anchor.month)
            for d in days[i : i + 7]
        ]
        for i in range(0, len(days), 7)
    ]
    return CalendarView(mode, anchor, start, end, weeks, previous, nxt, sum(1 for i in items if i.conflicts))


def schedule_for_feed(*, user, horizon_days: int = 365) -> tuple[list[RecordingSession], list[PreTalk]]:
    """Everything the producer's calendar app should show: last 90 days to the horizon, cancelled
    items included (so calendars drop them)."""
    now = timezone.now()
    start, end = now - timedelta(days=90), now + timedelta(days=horizon_days)
    visible = production_visible_to(user).values("pk")
    sessions = list(
        RecordingSession.objects.filter(production__in=visible, starts_at__gte=start, starts_at__lt=end)
        .select_related("production__course", "location")
        .prefetch_related(
            Prefetch("attendances", queryset=SessionSpeaker.objects.select_related("speaker")),
            Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id")),
        )
        .order_by("starts_at", "id")
    )
    pretalks = list(
        PreTalk.objects.filter(production__in=visible, starts_at__gte=start, starts_at__lt=end)
        .select_related("production__course")
        .prefetch_related(
            Prefetch("attendances", queryset=PreTalkSpeaker.objects.select_related("speaker")),
            Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id")),
        )
        .order_by("starts_at", "id")
    )
    return sessions, pretalks
