"""A recording session or pre-talk as the outbox describes it to a speaker: the ``Item`` adapter
(label, place, video link, lectures and script parts, the calendar method its state asks for), what
the speaker should prepare, and its iCalendar event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .. import ical
from ..models import (
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    ScriptPart,
    SessionSpeaker,
    Speaker,
    Target,
)
from .rendering import short_when, speaker_url, when


@dataclass(frozen=True)
class Item:
    """A session or pre-talk, reduced to what emails and invites say."""

    target_type: str
    obj: RecordingSession | PreTalk
    # Reads that do not change while one item is described (its lectures and script parts): read
    # once, not once per speaker.
    _loaded: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_session(self) -> bool:
        return self.target_type == Target.SESSION

    @property
    def production(self) -> Production:
        return self.obj.production

    def label(self) -> str:
        return _("recording session") if self.is_session else _("pre-talk")

    def place(self) -> str:
        if self.is_session:
            location = self.obj.location
            if location is None:
                return ""
            return ", ".join(part for part in (location.name, location.address) if part)
        pretalk = self.obj
        if pretalk.mode == PreTalk.Mode.PHONE:
            return _("by phone") + (f": {pretalk.place}" if pretalk.place else "")
        return pretalk.place

    def video_link(self) -> str:
        return "" if self.is_session else self.obj.video_link

    def desired_method(self) -> str | None:
        state = self.obj.state
        if self.is_session:
            if state in (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED):
                return ical.REQUEST
            if state in (RecordingSession.State.ON_HOLD, RecordingSession.State.CANCELLED):
                return ical.CANCEL
            return None  # recorded: the calendar entry stays as it is
        if state == PreTalk.State.PLANNED:
            return ical.REQUEST
        if state == PreTalk.State.CANCELLED:
            return ical.CANCEL
        return None

    def is_planned(self) -> bool:
        """Tentative or scheduled (a session), planned (a pre-talk): what invitations ask for."""
        return self.desired_method() == ical.REQUEST

    def ical_status(self) -> str:
        if self.is_session and self.obj.state == RecordingSession.State.TENTATIVE:
            return "TENTATIVE"
        return "CONFIRMED"

    def attendances(self) -> list[SessionSpeaker | PreTalkSpeaker]:
        return list(self.obj.attendances.select_related("speaker").order_by("id"))

    def lecture_objects(self) -> list:
        if "lectures" not in self._loaded:
            self._loaded["lectures"] = list(self.obj.lectures.order_by("position", "id"))
        return self._loaded["lectures"]

    def lectures(self) -> list[str]:
        return [str(lecture) for lecture in self.lecture_objects()]

    def script_parts(self) -> list[ScriptPart]:
        if "parts" not in self._loaded:
            self._loaded["parts"] = list(
                ScriptPart.objects.filter(lecture__in=[lecture.pk for lecture in self.lecture_objects()])
                .select_related("lecture")
                .order_by("lecture__position", "id")
            )
        return self._loaded["parts"]


def item_find(target_type: str, pk: int, *, lock: bool = False) -> Item | None:
    """The session or pre-talk with its production, course (and location), or None when it is gone.
    ``lock``: its row lock, held until the transaction ends."""
    model = RecordingSession if target_type == Target.SESSION else PreTalk
    qs = model.objects.select_related("production__course")
    if model is RecordingSession:
        qs = qs.select_related("location")
    if lock:
        qs = qs.select_for_update(of=("self",))
    obj = qs.filter(pk=pk).first()
    return None if obj is None else Item(target_type, obj)


def prepare_lines(item: Item, *, parts: list[ScriptPart] | None = None) -> list[str]:
    """What the speaker should prepare, from the state of the script parts. ``parts``: script parts
    already loaded (any superset); otherwise they are queried."""
    lines = []
    if parts is None:
        parts = item.script_parts()
    else:
        wanted = {lecture.pk for lecture in item.obj.lectures.all()}  # prefetched by the speaker page
        parts = [part for part in parts if part.lecture_id in wanted]
    for part in parts:
        if part.state == ScriptPart.State.APPROVED:
            lines.append(_("Read through the approved script of “%(lecture)s”.") % {"lecture": part.lecture})
        else:
            lines.append(
                _("The script of “%(lecture)s” is not approved yet (%(state)s); check it on your page.")
                % {"lecture": part.lecture, "state": part.get_state_display().lower()}
            )
    if item.is_session:
        lines.append(_("Plain clothes without fine stripes or logos; arrive 30 minutes early."))
    else:
        lines.append(_("Think about the key messages and examples you want to bring in."))
    return lines


def calendar_item(item: Item, *, speaker: Speaker) -> ical.CalendarItem:
    obj = item.obj
    course = obj.production.course
    description = "\n".join(
        [
            f"{item.label().capitalize()}: {course.title}",
            *(f"- {lecture}" for lecture in item.lectures()),
            "",
            _("Questions: %(mailbox)s") % {"mailbox": settings.STUDIO_MAILBOX},
        ]
    )
    return ical.CalendarItem(
        uid=f"{obj.ical_uid}@{settings.STUDIO_MAILBOX.rpartition('@')[2] or 'omooc'}",
        sequence=obj.ical_sequence,
        starts_at=obj.starts_at,
        ends_at=obj.ends_at,
        summary=f"{item.label().capitalize()}: {course.title}",
        status=item.ical_status(),
        location=item.place(),
        description=description,
        attendees=(ical.Attendee(email=speaker.email, name=speaker.name),),
    )


def speaker_locale(speaker: Speaker) -> tuple[str, str]:
    """The language and time zone a speaker's emails are written in (the site's when they chose none)."""
    return speaker.language or settings.LANGUAGE_CODE, speaker.time_zone or settings.TIME_ZONE


def speaker_item_log(item: Item, *, speaker: Speaker, language: str) -> dict:
    """How an email to a speaker about the item is filed in the email log (``email_queue``'s
    keywords): to whom, in which language, about what. Calendar messages and reminders alike, so the
    speaker's delivery page and the calendar order (ADR 0011) find both."""
    obj = item.obj
    return {
        "recipient": speaker.email,
        "recipient_name": speaker.name,
        "language": language,
        "speaker": speaker,
        "production": obj.production,
        "target_type": item.target_type,
        "target_id": obj.pk,
        "related_label": str(obj),
    }


def speaker_context(item: Item, *, speaker: Speaker, language: str, time_zone: str) -> dict:
    """What a speaker's email about the item says of it (calendar messages and reminders alike);
    call it inside ``translation.override(language)``."""
    obj = item.obj
    return {
        "speaker_name": ical.one_line(speaker.name),
        "item_label": item.label(),
        "course_title": ical.one_line(obj.production.course.title),
        "when": str(when(obj.starts_at, obj.ends_at, time_zone=time_zone, language=language)),
        "when_short": short_when(obj.starts_at, time_zone=time_zone, language=language),
        "place": ical.one_line(item.place()),
        "video_link": item.video_link(),
        "lectures": item.lectures(),
        "prepare": prepare_lines(item),
        "link": speaker_url(),
    }


__all__ = [
    "Item",
    "calendar_item",
    "item_find",
    "prepare_lines",
    "speaker_context",
    "speaker_item_log",
    "speaker_locale",
]
