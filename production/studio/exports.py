"""Exports for spreadsheets and calendar apps: a production's board and the studio schedule as CSV
(UTF-8 with a byte-order mark, so spreadsheet programs read the accents right), the schedule also as
iCalendar (.ics) with the same UID and SEQUENCE the speakers' invitations carry.

Every cell is text a producer, a speaker or a lecture title supplied: a cell that a spreadsheet would
run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading apostrophe (OWASP's advice against CSV injection), so opening an export never runs anything.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.models import Lecture

from ..errors import field_error
from ..models import PreTalk, PreTalkSpeaker, RecordingSession, SessionSpeaker

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SCHEDULE_DAYS = 366
DEFAULT_SCHEDULE_DAYS = 90


def safe_cell(value) -> str:
    """The text of one cell, never a formula: ``=SUM(A1)`` becomes ``'=SUM(A1)``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")


# --- the board -------------------------------------------------------------------------------


def board_csv(board, *, columns: tuple[str, ...], labels: dict) -> bytes:
    """One row per lecture: its position and title, each column's state in words, the details
    (dates, blockers) and whether the lecture is done."""
    header = ["#", _("Lecture"), *(str(labels[c]) for c in columns), _("Details"), _("Done")]
    rows = []
    for row in board.rows:
        details = "; ".join(f"{labels[c.column]}: {c.detail}" for c in row.cells if c.detail)
        rows.append(
            [
                row.lecture.position,
                row.lecture.title,
                *(row.cell(c).label for c in columns),
                details,
                _("yes") if row.done else _("no"),
            ]
        )
    return csv_bytes(header, rows)


# --- the schedule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Whole days [first, last] in the studio's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        return datetime.combine(
            self.last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )


def schedule_span(*, first: str | None, last: str | None) -> Span:
    """Parses the ``from``/``to`` query values (ISO dates). Missing: today and 90 days on.
    Bad input raises an ApplicationError naming the field and what to type."""
    values = {}
    for field, raw in (("from", first), ("to", last)):
        if raw in (None, ""):
            values[field] = None
            continue
        try:
            values[field] = date.fromisoformat(raw)
        except ValueError:
            raise field_error(field, _("Use a date like 2026-04-06.")) from None
    start = values["from"] or timezone.localdate()
    end = values["to"] or start + timedelta(days=DEFAULT_SCHEDULE_DAYS)
    if end < start:
        raise field_error("to", _("The end date must be on or after the start date."))
    if (end - start).days >= MAX_SCHEDULE_DAYS:
        raise field_error("to", _("Export at most %(days)d days at a time.") % {"days": MAX_SCHEDULE_DAYS})
    return Span(start, end)


def schedule_between(
    *, productions, start: datetime, end: datetime, cancelled: bool = False
) -> tuple[list[RecordingSession], list[PreTalk]]:
    """The sessions and pre-talks of ``productions`` starting in [start, end), with their lectures,
    speakers and location in four queries whatever their number."""
    visible = productions.values("pk")
    sessions = RecordingSession.objects.filter(
        production__in=visible, starts_at__gte=start, starts_at__lt=end
    )
    pretalks = PreTalk.objects.filter(production__in=visible, starts_at__gte=start, starts_at__lt=end)
    if not cancelled:
        sessions = sessions.exclude(state=RecordingSession.State.CANCELLED)
        pretalks = pretalks.exclude(state=PreTalk.State.CANCELLED)
    lectures = Prefetch("lectures", queryset=Lecture.objects.order_by("position", "id"))
    return (
        list(
            sessions.select_related("production__course", "location")
            .prefetch_related(
                Prefetch("attendances", queryset=SessionSpeaker.objects.select_related("speaker")), lectures
            )
            .order_by("starts_at", "id")
        ),
        list(
            pretalks.select_related("production__course")
            .prefetch_related(
                Prefetch("attendances", queryset=PreTalkSpeaker.objects.select_related("speaker")), lectures
            )
            .order_by("starts_at", "id")
        ),
    )


def _clock(dt: datetime) -> str:
    return formats.time_format(timezone.localtime(dt), "H:i")


def _offset(local: datetime) -> str:
    """``UTC+02:00``: tells 02:30 summer time from 02:30 winter time on the night the clocks go back."""
    z = local.strftime("%z")
    return f"UTC{z[:3]}:{z[3:]}"


def _speakers(item) -> str:
    return ", ".join(f"{a.speaker.name} ({a.get_rsvp_display()})" for a in item.attendances.all())


def schedule_csv(*, sessions: list[RecordingSession], pretalks: list[PreTalk]) -> bytes:
    """One row per session or pre-talk in time order (instants, so the night the clocks go back
    sorts right), times in the studio's time zone with its offset named."""
    header = [
        _("Date"),
        _("Start"),
        _("End"),
        _("Time zone"),
        _("Type"),
        _("Production"),
        _("Lectures"),
        _("Where"),
        _("Speakers"),
        _("State"),
    ]
    items = [(s.starts_at, 0, s.pk, s) for s in sessions] + [(p.starts_at, 1, p.pk, p) for p in pretalks]
    rows = []
    for starts_at, kind, _pk, item in sorted(items, key=lambda i: i[:3]):
        local = timezone.localtime(starts_at)
        if kind == 0:
            where = f"{item.location.name}, {item.location.address}".strip(", ") if item.location else ""
            label = _("Recording")
        else:
            where = item.place or item.video_link or item.get_mode_display()
            label = _("Pre-talk")
        rows.append(
            [
                local.date().isoformat(),
                _clock(item.starts_at),
                _clock(item.ends_at),
                _offset(local),
                label,
                str(item.production),
                ", ".join(lec.title for lec in item.lectures.all()),
                where,
                _speakers(item),
                item.get_state_display(),
            ]
        )
    return csv_bytes(header, rows)


def export_filename(stem: str, span: Span | None = None, *, ext: str) -> str:
    suffix = f"-{span.first.isoformat()}-{span.last.isoformat()}" if span else ""
    return f"{stem}{suffix}.{ext}"


__all__ = [
    "Span",
    "board_csv",
    "csv_bytes",
    "export_filename",
    "safe_cell",
    "schedule_between",
    "schedule_csv",
    "schedule_span",
]
