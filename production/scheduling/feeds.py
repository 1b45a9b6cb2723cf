"""The producer's read-only iCalendar feed (secret URL): every recording session and pre-talk of
their productions, with the same UID and SEQUENCE the speakers' invitations carry; and the feed's
secret address (made on first use, replaced on request)."""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar, Event

from production.models import CalendarFeed, PreTalk, RecordingSession

UID_DOMAIN = "omooc"


def item_uid(item: RecordingSession | PreTalk) -> str:
    return f"{item.ical_uid}@{UID_DOMAIN}"


def _status(item) -> str:
    if item.state == "cancelled":
        return "CANCELLED"
    if item.state in ("tentative", "on_hold"):
        return "TENTATIVE"
    return "CONFIRMED"


def _event(item, *, summary: str, location: str, description: list[str], url: str, end) -> Event:
    event = Event()
    event.add("uid", item_uid(item))
    event.add("sequence", item.ical_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("status", _status(item))
    if location:
        event.add("location", location)
    event.add("description", "\n".join(line for line in description if line))
    event.add("url", url)
    event.add("last-modified", item.updated_at.astimezone(UTC))
    return event


def schedule_calendar(*, sessions: list[RecordingSession], pretalks: list[PreTalk]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//OMOOC//Studio schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "OMOOC studio")
    base = settings.SITE_URL
    for s in sessions:
        lines = [", ".join(lec.title for lec in s.lectures.all())]
        lines.append(", ".join(a.speaker.name for a in s.attendances.all()))
        if s.state == "on_hold":
            lines.append(f"ON HOLD until at least {s.hold_until:%Y-%m-%d}: {s.hold_reason}")
        location = f"{s.location.name}, {s.location.address}".strip(", ") if s.location else ""
        cal.add_component(
            _event(
                s,
                summary=f"Recording: {s.production}",
                location=location,
                description=lines,
                url=f"{base}/studio/sessions/{s.pk}/",
                end=s.ends_at,
            )
        )
    for p in pretalks:
        lines = [
            ", ".join(lec.title for lec in p.lectures.all()),
            ", ".join(a.speaker.name for a in p.attendances.all()),
        ]
        lines.append(p.video_link)
        cal.add_component(
            _event(
                p,
                summary=f"Pre-talk: {p.production}",
                location=p.place or p.video_link or p.get_mode_display(),
                description=lines,
                url=f"{base}/studio/pretalks/{p.pk}/",
                end=p.ends_at,
            )
        )
    return cal.to_ical()


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
