"""iCalendar invitations (RFC 5545 objects, RFC 5546 iTIP methods) for sessions and pre-talks.

The builder takes plain dataclasses, not models, so it is easy to test and to reuse for feeds.
Rules (ARCHITECTURE.md, "Calendar invites"):
- one permanent UID per session or pre-talk; SEQUENCE is stored by the caller and grows on every
  change of time, place or status;
- METHOD:REQUEST creates or updates, METHOD:CANCEL removes; the MIME part must say the same method;
- times are written in UTC;
- ATTENDEE with PARTSTAT=NEEDS-ACTION and RSVP=TRUE, ORGANIZER the studio mailbox.

Control characters and line breaks in names, titles and places are removed from one-line values
and escaped by the icalendar library in free text, so they can never start a new content line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//OMOOC studio//Speaker scheduling//EN"

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"

# Every C0 control character (tab and newlines included), DEL and the C1 range, plus the Unicode
# line and paragraph separators some clients treat as line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]+")
_CONTROL_KEEP_NEWLINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u0085]+")


def one_line(value: str | None, *, limit: int = 300) -> str:
    """A value for a one-line field (name, title, place): control characters become one space."""
    text = _CONTROL.sub(" ", value or "")
    return " ".join(text.split())[:limit]


def free_text(value: str | None, *, limit: int = 4000) -> str:
    """A multi-line value (description): newlines are kept (the library escapes them as \\n)."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_KEEP_NEWLINES.sub(" ", text)[:limit]


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True


@dataclass(frozen=True)
class CalendarItem:
    """What one VEVENT says. ``status`` is the iCalendar STATUS: CONFIRMED, TENTATIVE or CANCELLED."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    status: str = "CONFIRMED"
    location: str = ""
    description: str = ""
    url: str = ""
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)
    stamp: datetime | None = None


def _utc(value: datetime) -> datetime:
    if timezone.is_naive(value):
        raise ValueError("Calendar times must be timezone-aware.")
    return value.astimezone(UTC)


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{one_line(settings.STUDIO_MAILBOX)}")
    organizer.params["cn"] = vText(one_line(_studio_name()).replace('"', "'"))
    return organizer


def _studio_name() -> str:
    from email.utils import parseaddr

    name, _address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "OMOOC studio"


def _event(item: CalendarItem, *, method: str) -> Event:
    if item.ends_at <= item.starts_at:
        raise ValueError("A calendar item must end after it starts.")
    event = Event()
    event.add("uid", one_line(item.uid))
    event.add("sequence", int(item.sequence))
    event.add("dtstamp", _utc(item.stamp or timezone.now()))
    event.add("dtstart", _utc(item.starts_at))
    event.add("dtend", _utc(item.ends_at))
    event.add("summary", one_line(item.summary))
    status = "CANCELLED" if method == CANCEL else one_line(item.status).upper()
    event.add("status", status)
    if item.location:
        event.add("location", one_line(item.location))
    if item.description:
        event.add("description", free_text(item.description))
    if item.url:
        event.add("url", one_line(item.url, limit=2000))
    if method != PUBLISH:
        event.add("organizer", _organizer())
        for attendee in item.attendees:
            address = vCalAddress(f"mailto:{one_line(attendee.email)}")
            if attendee.name:
                # RFC 6868 has no escape every client understands for a double quote: drop it.
                address.params["cn"] = vText(one_line(attendee.name).replace('"', "'"))
            address.params["role"] = vText("REQ-PARTICIPANT")
            address.params["cutype"] = vText("INDIVIDUAL")
            address.params["partstat"] = vText(attendee.partstat)
            address.params["rsvp"] = vText("TRUE" if attendee.rsvp else "FALSE")
            event.add("attendee", address, encode=0)
    event.add("transp", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    return event


def build_calendar(items: Iterable[CalendarItem], *, method: str, name: str = "") -> bytes:
    """One VCALENDAR with a VEVENT per item, serialised with CRLF line endings and folding."""
    if method not in {REQUEST, CANCEL, PUBLISH}:
        raise ValueError(f"Unsupported iTIP method {method!r}.")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", one_line(name))
    for item in items:
        calendar.add_component(_event(item, method=method))
    return calendar.to_ical()


def build_invitation(item: CalendarItem, *, method: str = REQUEST) -> bytes:
    """The .ics attached to an invitation, update (REQUEST) or cancellation (CANCEL)."""
    if method not in {REQUEST, CANCEL}:
        raise ValueError("An invitation is a REQUEST or a CANCEL.")
    return build_calendar([item], method=method)


def mime_type(method: str) -> str:
    """The Content-Type of the MIME part; its method parameter must match METHOD in the body."""
    return f'text/calendar; charset="utf-8"; method={method}'
