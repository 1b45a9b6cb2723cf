"""Reads of scheduling: the recording sessions and pre-talks a producer may see, the calendar with its
conflicts (a speaker or a location booked twice), and the schedule for the calendar feed. Lists order
explicitly and load what they render in a fixed number of queries."""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Lecture
from omooc.exceptions import NotFoundError
from production.access import production_visible_to
from production.errors import utc
from production.models import Location, PreTalk, Production, RecordingSession, ScheduledItem

from .states import CLOSED_SESSION_STATES

# --- access --------------------------------------------------------------------------------


def _visible(model: type[ScheduledItem], user) -> QuerySet:
    return model.objects.filter(production__in=production_visible_to(user).values("pk"))


def session_visible_to(user) -> QuerySet[RecordingSession]:
    return _visible(RecordingSession, user)


def pretalk_visible_to(user) -> QuerySet[PreTalk]:
    return _visible(PreTalk, user)


def _speakers_and_lectures(model: type[ScheduledItem], speakers_by_name: bool = False) -> list[Prefetch]:
    """The prefetches an item page or the feed renders: answers with their speakers, lectures in order."""
    attendances = model.attendances.rel.related_model.objects.select_related("speaker")
    if speakers_by_name:
        attendances = attendances.order_by("speaker__name")
    return [
        Prefetch("attendances", queryset=attendances),
        Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id")),
    ]


def _get_for(qs: QuerySet, *, pk, related: tuple[str, ...], extra: tuple[str, ...], missing: str):
    item = (
        qs.select_related(*related)
        .prefetch_related(*_speakers_and_lectures(qs.model, speakers_by_name=True), *extra)
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise NotFoundError(missing)
    return item


def session_get_for(*, user, pk) -> RecordingSession:
    return _get_for(
        session_visible_to(user),
        pk=pk,
        related=("production__course", "location"),
        extra=("crew",),
        missing=_("No recording session with this number in your productions."),
    )


def pretalk_get_for(*, user, pk) -> PreTalk:
    return _get_for(
        pretalk_visible_to(user),
        pk=pk,
        related=("production__course",),
        extra=(),
        missing=_("No pre-talk with this number in your productions."),
    )


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

    @property
    def movable(self) -> bool:
        """It can still be rescheduled: a session not recorded or cancelled, a pre-talk planned."""
        if self.kind == "session":
            return self.obj.state not in CLOSED_SESSION_STATES
        return self.obj.state == PreTalk.State.PLANNED


def _calendar_items(qs) -> list[CalendarItem]:
    return [
        CalendarItem(
            item.KIND,
            item,
            item.starts_at,
            item.ends_at,
            item.production,
            {a.speaker_id for a in item.attendances.all()},
            getattr(item, "location_id", None),
        )
        for item in qs
    ]


def _with_speakers(qs: QuerySet, *related: str) -> QuerySet:
    attendances = qs.model.attendances.rel.related_model.objects.select_related("speaker")
    return (
        qs.select_related(*related)
        .prefetch_related(Prefetch("attendances", queryset=attendances))
        .order_by("starts_at", "id")
    )


def schedule_items(*, start: datetime, end: datetime, productions=None) -> list[CalendarItem]:
    """Sessions and pre-talks overlapping [start, end) that are not cancelled, with conflicts marked:
    the same speaker or the same location at overlapping times (held sessions do not count)."""
    sessions = _with_speakers(
        RecordingSession.objects.filter(starts_at__lt=end, ends_at__gt=start).exclude(
            state=RecordingSession.State.CANCELLED
        ),
        "production__course",
        "location",
    )
    pretalks = _with_speakers(
        PreTalk.objects.filter(starts_at__lt=end, starts_at__gte=start - timedelta(minutes=8 * 60)).exclude(
            state=PreTalk.State.CANCELLED
        ),  # bounded duration
        "production__course",
    )
    items = _calendar_items(sessions) + [i for i in _calendar_items(pretalks) if i.ends_at > start]
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
    active.sort(key=lambda i: utc(i.starts_at))  # instants: never wall clock (see production.errors.utc)
    speaker_names = {}
    for i in active:
        for a in i.obj.attendances.all():
            speaker_names[a.speaker_id] = a.speaker.name
    for idx, a in enumerate(active):
        for b in active[idx + 1 :]:
            if utc(b.starts_at) >= utc(a.ends_at):
                break
            shared = a.speaker_ids & b.speaker_ids
            for sid in sorted(shared):
                a.conflicts.append(_conflict_text("speaker", speaker_names[sid], b, visible))
                b.conflicts.append(_conflict_text("speaker", speaker_names[sid], a, visible))
            if a.location_id and a.location_id == b.location_id:
                a.conflicts.append(_conflict_text("location", a.obj.location, b, visible))
                b.conflicts.append(_conflict_text("location", b.obj.location, a, visible))


def conflicts_for(item: ScheduledItem, *, user=None) -> list[str]:
    """Conflicts of a session or pre-talk; with ``user``, another team's items are not named."""
    viewer = None if user is None else production_visible_to(user)
    for other in schedule_items(start=item.starts_at, end=item.ends_at, productions=viewer):
        if other.kind == item.KIND and other.obj.pk == item.pk:
            return other.conflicts
    return []


conflicts_for_session = conflicts_for_pretalk = conflicts_for


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
class CalendarHour:
    """One row of the week view: the hour and, per day, the items starting in it."""

    hour: int
    slots: list[tuple[date, list[CalendarItem]]]

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"


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
    locations: list[Location] = field(default_factory=list)
    location: Location | None = None
    hours: list[CalendarHour] = field(default_factory=list)
    next_item: CalendarItem | None = None  # when nothing is planned in the period: what comes next

    @property
    def is_empty(self) -> bool:
        return not any(day.items for week in self.weeks for day in week)


# The week view shows at least these hours; earlier or later items widen it.
WEEK_HOURS = (7, 19)


def _week_hours(days: list[CalendarDay]) -> list[CalendarHour]:
    starts = {d.day: defaultdict(list) for d in days}
    for d in days:
        for item in d.items:
            starts[d.day][timezone.localtime(item.starts_at).hour].append(item)
    used = [hour for by_hour in starts.values() for hour in by_hour]
    first, last = min([WEEK_HOURS[0], *used]), max([WEEK_HOURS[1] - 1, *used])
    return [
        CalendarHour(hour, [(d.day, starts[d.day].get(hour, [])) for d in days])
        for hour in range(first, last + 1)
    ]


def calendar_location(*, locations: list[Location], pk) -> Location:
    """The location ``pk`` names among ``locations`` (the studio-wide directory the page lists)."""
    try:
        wanted = int(pk)
    except (TypeError, ValueError):
        wanted = None
    for location in locations:
        if location.pk == wanted:
            return location
    raise NotFoundError(_("No location with this number."))


def calendar_next_item(*, user, after: datetime, location: Location | None = None) -> CalendarItem | None:
    """The first session or pre-talk of the producer's productions starting at or after ``after``
    (cancelled ones left out); with ``location``, the first session there."""
    visible = production_visible_to(user).values("pk")
    candidates = []
    sessions = RecordingSession.objects.filter(production__in=visible, starts_at__gte=after).exclude(
        state=RecordingSession.State.CANCELLED
    )
    if location is not None:
        sessions = sessions.filter(location=location)
    candidates.append(sessions.select_related("production__course", "location").order_by("starts_at", "id"))
    if location is None:
        pretalks = PreTalk.objects.filter(production__in=visible, starts_at__gte=after)
        pretalks = pretalks.exclude(state=PreTalk.State.CANCELLED).select_related("production__course")
        candidates.append(pretalks.order_by("starts_at", "id"))
    firsts = [item for item in (qs.first() for qs in candidates) if item is not None]
    if not firsts:
        return None
    item = min(firsts, key=lambda i: (utc(i.starts_at), i.KIND))
    return CalendarItem(
        item.KIND,
        item,
        item.starts_at,
        item.ends_at,
        item.production,
        set(),
        getattr(item, "location_id", None),
    )


def calendar_for(
    *, user, mode: str = "week", anchor: date | None = None, location: Location | None = None
) -> CalendarView:
    """The month or week (with hours) of the producer's productions; with ``location``, only the
    recording sessions at that location. Conflicts are marked against everything in the period."""
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
    if location is not None:
        items = [i for i in items if i.kind == "session" and i.location_id == location.pk]
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
    view = CalendarView(mode, anchor, start, end, weeks, previous, nxt, sum(1 for i in items if i.conflicts))
    view.location = location
    if mode == "week":
        view.hours = _week_hours(weeks[0])
    if view.is_empty:
        view.next_item = calendar_next_item(user=user, after=end_dt, location=location)
    return view


def calendar_locations() -> list[Location]:
    """The studio-wide location directory, for the calendar's location filter."""
    return list(Location.objects.order_by("name", "id"))


def sessions_described_for(*, user, ids) -> list[str]:
    """The sessions ``ids`` (a double booking's other sessions) as a producer may see them: their
    own team's by production and time, another team's anonymously (ADR 0013)."""
    visible = set(production_visible_to(user).values_list("pk", flat=True))
    sessions = RecordingSession.objects.filter(pk__in=list(ids)).select_related("production__course")
    return [
        _describe(
            CalendarItem("session", s, s.starts_at, s.ends_at, s.production, set(), s.location_id), visible
        )
        for s in sessions.order_by("starts_at", "id")
    ]


def schedule_for_feed(*, user, horizon_days: int = 365) -> tuple[list[RecordingSession], list[PreTalk]]:
    """Everything the producer's calendar app should show: last 90 days to the horizon, cancelled
    items included (so calendars drop them)."""
    now = timezone.now()
    start, end = now - timedelta(days=90), now + timedelta(days=horizon_days)
    visible = production_visible_to(user).values("pk")

    def items(model: type[ScheduledItem], *related: str) -> list:
        return list(
            model.objects.filter(production__in=visible, starts_at__gte=start, starts_at__lt=end)
            .select_related(*related)
            .prefetch_related(*_speakers_and_lectures(model))
            .order_by("starts_at", "id")
        )

    return items(RecordingSession, "production__course", "location"), items(PreTalk, "production__course")
