"""Checks every scheduling service shares: times, lectures, invitable speakers, double bookings of a
location; and locations themselves.

Times are compared as instants (``utc``), never as wall-clock times: two datetimes with the same
``ZoneInfo`` compare and subtract by their wall clock and ignore ``fold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Lecture
from production.access import production_visible_to
from production.addresses import speaker_check_invitable
from production.errors import LocationDoubleBookedError, clean, field_error, utc
from production.models import Location, Production, RecordingSession

MAX_PRETALK_MINUTES = 8 * 60
MAX_SESSION_HOURS = 24


def check_invitable(speakers) -> None:
    """A speaker without a valid email address cannot be invited (clear error, nothing saved)."""
    for speaker in speakers:
        speaker_check_invitable(speaker=speaker)


def when(dt: datetime) -> str:
    local = timezone.localtime(dt)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}" if _repeated(local) else f"{local:%Y-%m-%d %H:%M}"


def _repeated(local: datetime) -> bool:
    """The wall-clock time happens twice (the night the clocks go back): say which one."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def check_lectures(production: Production, lectures: Iterable[Lecture]) -> list[Lecture]:
    lectures = list(lectures)
    if not lectures:
        raise field_error("lectures", _("Choose at least one lecture."))
    foreign = [lec for lec in lectures if lec.course_id != production.course_id]
    if foreign:
        raise field_error(
            "lectures",
            _("“%(lecture)s” is not a lecture of “%(course)s”.")
            % {"lecture": foreign[0], "course": production.course},
        )
    return lectures


# A studio plans within this century; a year like 733 (a fuzzer's, or a typo's) would be stored and
# then written with a local-mean-time offset in seconds that no client parses as RFC 3339.
YEARS = (2000, 2099)


def _check_year(starts_at: datetime) -> None:
    if not YEARS[0] <= utc(starts_at).year <= YEARS[1]:
        raise field_error(
            "starts_at",
            _("Choose a date between %(first)s and %(last)s.") % {"first": YEARS[0], "last": YEARS[1]},
        )


def check_start(starts_at: datetime | None) -> None:
    if starts_at is None:
        raise field_error("starts_at", _("Give a start time."))
    if timezone.is_naive(starts_at):
        raise field_error("starts_at", _("Times need a time zone."))
    _check_year(starts_at)


def check_span(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None:
        raise field_error("starts_at", _("Give a start time."))
    if ends_at is None:
        raise field_error("ends_at", _("Give an end time."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise field_error("starts_at", _("Times need a time zone."))
    _check_year(starts_at)
    starts_at, ends_at = utc(starts_at), utc(ends_at)
    if ends_at <= starts_at:
        raise field_error(
            "ends_at",
            _("The end (%(end)s) must be after the start (%(start)s).")
            % {"end": when(ends_at), "start": when(starts_at)},
        )
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise field_error("ends_at", _("A session lasts at most 24 hours; split it into several sessions."))


def location_conflicts(
    *,
    location: Location | None,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> list[RecordingSession]:
    if location is None:
        return []
    starts_at, ends_at = utc(starts_at), utc(ends_at)
    qs = (
        RecordingSession.objects.filter(location=location, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(state__in=[RecordingSession.State.CANCELLED, RecordingSession.State.ON_HOLD])
        .select_related("production__course")
        .order_by("starts_at", "id")
    )
    if exclude_session_id:
        qs = qs.exclude(pk=exclude_session_id)
    return list(qs)


def refuse_double_booking(
    location, starts_at, ends_at, *, exclude_session_id=None, confirmed: bool, by
) -> None:
    """Refuse a clash at ``location`` unless confirmed. The message names the other session only when
    ``by`` may see its production (a location is shared by every team, sessions are not: ADR 0013)."""
    clashes = location_conflicts(
        location=location, starts_at=starts_at, ends_at=ends_at, exclude_session_id=exclude_session_id
    )
    if clashes and not confirmed:
        first = clashes[0]
        visible = by is None or production_visible_to(by).filter(pk=first.production_id).exists()
        raise LocationDoubleBookedError(
            _(
                "%(location)s is already booked then by “%(item)s” (%(start)s–%(end)s). "
                "Pick another time or place, or confirm the double booking."
            )
            % {
                "location": location,
                "item": first if visible else _("a session of another team"),
                "start": when(first.starts_at),
                "end": timezone.localtime(first.ends_at).strftime("%H:%M"),
            },
            extra={"field": "location", "conflicts": [c.pk for c in clashes]},
        )


@transaction.atomic
def location_create(
    *, name: str, address: str = "", capacity: int | None = None, access_notes: str = ""
) -> Location:
    location = Location(
        name=name.strip(), address=address, capacity=capacity, access_notes=(access_notes or "").strip()
    )
    clean(location)
    location.save()
    return location
