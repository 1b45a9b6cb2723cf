"""The call sheet of a recording day: who is where, when, with which script (issue 14).

One read (``call_sheet_for``) feeds the printable studio page and the PDF (``call_sheet_pdf``). The day
is a date in the studio's time zone (``settings.TIME_ZONE``): from its local midnight to the next, so a
day on which the clocks change lasts 23 or 25 hours. Sessions are ordered by their instants, never by
wall-clock times. Only the viewer's own productions appear (``selectors.session_visible_to``): the
speakers and crew shown are those of the viewer's team's sessions (ADR 0013). Cancelled sessions are
left out; held ones stay, marked, with their not-before date and reason.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from courses.models import Lecture
from omooc.exceptions import NotFoundError

from ..models import (
    CrewAssignment,
    Location,
    RecordingSession,
    Rsvp,
    ScriptPart,
    ScriptVersion,
    SessionSpeaker,
)
from ..scheduling.selectors import session_visible_to


def studio_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to local midnight in the studio's zone (23, 24 or 25 hours)."""
    zone = studio_zone()
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


@dataclass(frozen=True)
class CrewLine:
    name: str
    role: str  # human label
    phone: str


@dataclass(frozen=True)
class SpeakerLine:
    name: str
    answer: str  # human label of the attendance answer
    rsvp: str
    phone: str
    email: str


@dataclass(frozen=True)
class LectureLine:
    title: str
    position: int
    script_version: int | None  # the latest version of an approved script; None: not approved yet


@dataclass(frozen=True)
class Entry:
    session: RecordingSession
    starts_local: datetime
    ends_local: datetime
    production: str
    location: Location | None
    held: bool
    hold_until: date | None
    hold_reason: str
    state: str  # human label
    crew: list[CrewLine]
    speakers: list[SpeakerLine]
    lectures: list[LectureLine]
    notes: str


@dataclass(frozen=True)
class CallSheet:
    day: date
    location: Location | None
    entries: list[Entry]
    next_recording_day: date | None  # only looked up for an empty day

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)


def location_for_filter(location_id) -> Location | None:
    """The location named by ``?location=``: none given is every location; an unknown one is a 404.
    Locations are one studio-wide directory (like the location list): naming one shows only the
    viewer's own sessions there."""
    if location_id in (None, ""):
        return None
    try:
        return Location.objects.get(pk=int(location_id))
    except (Location.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("No location with this number.")) from None


def _sessions(user, start: datetime, end: datetime, location: Location | None):
    qs = session_visible_to(user).exclude(state=RecordingSession.State.CANCELLED)
    if location is not None:
        qs = qs.filter(location=location)
    return qs, qs.filter(starts_at__gte=start, starts_at__lt=end)


def _entry(session: RecordingSession, zone: ZoneInfo) -> Entry:
    return Entry(
        session=session,
        starts_local=session.starts_at.astimezone(zone),
        ends_local=session.ends_at.astimezone(zone),
        production=str(session.production),
        location=session.location,
        held=session.state == RecordingSession.State.ON_HOLD,
        hold_until=session.hold_until,
        hold_reason=session.hold_reason,
        state=str(RecordingSession.State(session.state).label),
        crew=[CrewLine(c.name, str(CrewAssignment.Role(c.role).label), c.phone) for c in session.crew.all()],
        speakers=[
            SpeakerLine(a.speaker.name, str(Rsvp(a.rsvp).label), a.rsvp, a.speaker.phone, a.speaker.email)
            for a in session.attendances.all()
        ],
        lectures=[
            LectureLine(
                lecture.title,
                lecture.position,
                lecture.latest_script_version
                if getattr(lecture, "script_state", None) == ScriptPart.State.APPROVED
                else None,
            )
            for lecture in session.lectures.all()
        ],
        notes=session.notes,
    )


def _lectures_with_scripts():
    """Lectures with their script's state and latest version number (one query for all sessions)."""
    latest = ScriptVersion.objects.filter(part__lecture=OuterRef("pk")).order_by("-number").values("number")
    return Lecture.objects.annotate(
        script_state=F("script_part__state"), latest_script_version=Subquery(latest[:1])
    ).order_by("position", "id")


def call_sheet_for(*, user, day: date, location_id=None) -> CallSheet:
    """The viewer's sessions of ``day`` (studio time zone), in order of their start instants."""
    location = location_for_filter(location_id)
    start, end = day_bounds(day)
    visible, of_the_day = _sessions(user, start, end, location)
    lectures = _lectures_with_scripts()
    sessions = list(
        of_the_day.select_related("production__course", "location")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by("speaker__name", "id"),
            ),
            Prefetch("crew", queryset=CrewAssignment.objects.order_by("role", "name", "id")),
            Prefetch("lectures", queryset=lectures),
        )
        .order_by("starts_at", "id")
    )
    zone = studio_zone()
    next_day = None
    if not sessions:
        first = (
            visible.filter(starts_at__gte=end).order_by("starts_at", "id").values_list("starts_at", flat=True)
        )
        upcoming = first.first()
        next_day = upcoming.astimezone(zone).date() if upcoming else None
    return CallSheet(day, location, [_entry(s, zone) for s in sessions], next_day)


# --- PDF ------------------------------------------------------------------------------------


def _hm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


def call_sheet_pdf(sheet: CallSheet, *, language: str | None = None) -> bytes:
    """The call sheet as an A4 PDF (reportlab, like the certificates): one block per session."""
    buffer = io.BytesIO()
    with translation.override(language or translation.get_language()):
        title = _("Call sheet %(day)s") % {"day": formats.date_format(sheet.day, "DATE_FORMAT")}
        if sheet.location is not None:
            title = f"{title} · {sheet.location.name}"
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=title,
            author="OMOOC",
            leftMargin=1.6 * cm,
            rightMargin=1.6 * cm,
            topMargin=1.6 * cm,
            bottomMargin=1.6 * cm,
        )
        styles = getSampleStyleSheet()
        body, heading = styles["BodyText"], styles["Heading2"]

        def p(text: str, style=body) -> Paragraph:
            return Paragraph(escape(text).replace("\n", "<br/>"), style)

        story = [Paragraph(escape(title), styles["Title"])]
        if not sheet.entries:
            story.append(p(_("No recordings on this day.")))
        for entry in sheet.entries:
            when = f"{_hm(entry.starts_local)}–{_hm(entry.ends_local)}"
            story.append(p(f"{when}  {entry.production}", heading))
            if entry.held:
                story.append(
                    p(
                        _("ON HOLD until at least %(date)s (%(reason)s)")
                        % {
                            "date": formats.date_format(entry.hold_until, "DATE_FORMAT"),
                            "reason": entry.hold_reason,
                        }
                    )
                )
            rows = []
            if entry.location is not None:
                place = entry.location.name
                if entry.location.address:
                    place = f"{place}, {entry.location.address}"
                rows.append([_("Location"), p(place)])
                if entry.location.access_notes:
                    rows.append([_("Access"), p(entry.location.access_notes)])
            else:
                rows.append([_("Location"), p(_("No location yet"))])
            for c in entry.crew:
                rows.append([c.role, p(" · ".join(x for x in (c.name, c.phone) if x))])
            for s in entry.speakers:
                rows.append([_("Speaker"), p(" · ".join(x for x in (s.name, s.answer, s.phone) if x))])
            for lecture in entry.lectures:
                script = (
                    _("script v%(number)s") % {"number": lecture.script_version}
                    if lecture.script_version
                    else _("script not approved yet")
                )
                rows.append([_("Lecture"), p(f"{lecture.position}. {lecture.title} · {script}")])
            if entry.notes:
                rows.append([_("Notes"), p(entry.notes)])
            table = Table(rows, colWidths=[3.4 * cm, None])
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ]
                )
            )
            story += [table, Spacer(1, 0.4 * cm)]
        doc.build(story)
    return buffer.getvalue()


# --- the email the day before (opt-in per production) ----------------------------------------

SEND_FROM_HOUR = 12  # studio time, the day before: late-morning changes still make it in


@dataclass
class _Recipient:
    email: str
    name: str
    language: str
    time_zone: str
    speaker: object | None
    session_ids: set[int]


def _recipients(sessions: list[RecordingSession]) -> dict[str, _Recipient]:
    """Speakers (not those who declined) and crew with an address, each with the sessions they are on."""
    found: dict[str, _Recipient] = {}
    for session in sessions:
        for a in session.attendances.all():
            if a.rsvp == Rsvp.DECLINED or not a.speaker.email:
                continue
            key = a.speaker.email.strip().lower()
            found.setdefault(
                key,
                _Recipient(
                    a.speaker.email, a.speaker.name, a.speaker.language, a.speaker.time_zone, a.speaker, set()
                ),
            ).session_ids.add(session.pk)
        for c in session.crew.all():
            if not c.email:
                continue
            key = c.email.strip().lower()
            found.setdefault(
                key, _Recipient(c.email, c.name, settings.LANGUAGE_CODE, settings.TIME_ZONE, None, set())
            ).session_ids.add(session.pk)
    return found


def call_sheet_email_key(*, day: date, location_id: int | None, production_id: int, recipient: str) -> str:
    return f"call-sheet:{day.isoformat()}:{location_id or 0}:{production_id}:{recipient.strip().lower()}"


def call_sheet_emails_queue(*, now: datetime | None = None) -> int:
    """Queue tomorrow's call sheets (studio time) for productions that opted in; returns how many new.

    One email per day, location, production and recipient (idempotency key): a recipient reads only
    the sessions they work on, and each email log row belongs to one production's team, so no team
    reads another team's session in its log. Held, cancelled and recorded sessions send nothing.
    Localized in the recipient's language and time zone (crew: the studio's).
    """
    from ..addresses import InvalidRecipientError
    from ..models import EmailLog
    from ..outbox import rendering as emails
    from ..outbox.queue import email_queue

    zone = studio_zone()
    now_local = (now or datetime.now(tz=zone)).astimezone(zone)
    if now_local.hour < SEND_FROM_HOUR:
        return 0
    day = now_local.date() + timedelta(days=1)
    start, end = day_bounds(day)
    sessions = list(
        RecordingSession.objects.filter(
            starts_at__gte=start,
            starts_at__lt=end,
            production__call_sheet_emails=True,
            state__in=(RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED),
        )
        .select_related("production__course", "location")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by("speaker__name", "id"),
            ),
            Prefetch("crew", queryset=CrewAssignment.objects.order_by("role", "name", "id")),
            Prefetch("lectures", queryset=_lectures_with_scripts()),
        )
        .order_by("starts_at", "id")
    )
    groups: dict[tuple[int | None, int], list[RecordingSession]] = {}
    for session in sessions:
        groups.setdefault((session.location_id, session.production_id), []).append(session)
    queued = 0
    for (location_id, production_id), group in groups.items():
        for recipient in _recipients(group).values():
            key = call_sheet_email_key(
                day=day, location_id=location_id, production_id=production_id, recipient=recipient.email
            )
            if EmailLog.objects.filter(idempotency_key=key).exists():
                continue
            mine = [s for s in group if s.pk in recipient.session_ids]
            with translation.override(emails.supported_language(recipient.language)):  # labels: answer, role
                entries = [
                    {
                        "entry": _entry(s, zone),
                        "when": emails.when(
                            s.starts_at, s.ends_at, time_zone=recipient.time_zone, language=recipient.language
                        ),
                    }
                    for s in mine
                ]
            location = mine[0].location
            content = emails.render(
                "call_sheet",
                {
                    "name": recipient.name,
                    "day": day,
                    "location": location,
                    "production": str(mine[0].production),
                    "entries": entries,
                },
                language=recipient.language,
                time_zone=recipient.time_zone,
            )
            try:
                email_queue(
                    idempotency_key=key,
                    kind=EmailLog.Kind.CALL_SHEET,
                    recipient=recipient.email,
                    recipient_name=recipient.name,
                    content=content,
                    language=emails.supported_language(recipient.language),
                    speaker=recipient.speaker,
                    production=mine[0].production,
                    related_label=f"{day.isoformat()} {location.name if location else ''}".strip(),
                )
            except InvalidRecipientError:
                continue
            queued += 1
    return queued
