"""What gets scheduled: recording sessions and pre-talks (one abstract ``ScheduledItem``), the
speakers' answers (``Attendance``), crew, locations and the producers' calendar feeds.

These rows change only through ``production/scheduling/services``; the services keep the calendar
identity (``ical_uid``/``ical_sequence``), the answer rounds and the history right.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from courses.models import Lecture
from omooc.models import Timestamped, user_ref


class Location(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    access_notes = models.TextField(
        _("access notes"),
        blank=True,
        help_text=_("How crew and speakers get in: entrance, parking, who opens the door."),
    )

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


def _production(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        "production.Production",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("production"),
    )


def _lectures(related_name: str) -> models.ManyToManyField:
    return models.ManyToManyField(Lecture, related_name=related_name, verbose_name=_("lectures"))


def _speakers(through: str, related_name: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        "production.Speaker", through=through, related_name=related_name, verbose_name=_("speakers")
    )


class ScheduledItem(Timestamped):
    """A recording session or a pre-talk: a time, a state, the lectures it is about, speakers
    (through an ``Attendance``) and one permanent calendar identity (UID; SEQUENCE +1 on every
    change of time, place or status). Each concrete item adds ``production``, ``lectures``,
    ``speakers`` (their reverse names differ), its ``State`` and its end."""

    KIND: ClassVar[str]  # "session" | "pretalk": the kind in events, calendar items and URL names
    LABEL: ClassVar = ""  # the word in front of the item's name

    starts_at = models.DateTimeField(_("starts at"))
    ical_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    answer_round = models.PositiveIntegerField(
        _("answer round"),
        default=0,
        editable=False,
        help_text=_("Goes up each time a change of time or place asks the speakers again."),
    )

    class Meta:
        abstract = True
        ordering = ("starts_at", "id")

    def __init_subclass__(cls, kind: str = "", label="", **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if kind:
            cls.KIND, cls.LABEL = kind, label

    def __str__(self) -> str:
        return f"{self.LABEL} {self.production} {self.starts_at:%Y-%m-%d %H:%M}"


class PreTalk(ScheduledItem, kind="pretalk", label=_("Pre-talk")):
    """A preparatory conversation with one or more speakers about one or more lectures."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    production = _production("pretalks")
    lectures = _lectures("pretalks")
    speakers = _speakers("PreTalkSpeaker", "pretalks")
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=45)
    mode = models.CharField(_("how"), max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)

    class Meta(ScheduledItem.Meta):
        verbose_name = _("pre-talk")
        verbose_name_plural = _("pre-talks")
        indexes = [models.Index(fields=["starts_at"], name="production_pretalk_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="production_pretalk_duration")
        ]

    @property
    def ends_at(self):
        """``duration_minutes`` of real time after the start (in UTC: adding a timedelta to a zoned
        datetime adds wall-clock time, an hour off across a DST change)."""
        return self.starts_at.astimezone(UTC) + timedelta(minutes=self.duration_minutes)


class RecordingSession(ScheduledItem, kind="session", label=_("Recording")):
    class State(models.TextChoices):
        TENTATIVE = "tentative", _("Tentative")
        SCHEDULED = "scheduled", _("Scheduled")
        ON_HOLD = "on_hold", _("On hold")
        RECORDED = "recorded", _("Recorded")
        CANCELLED = "cancelled", _("Cancelled")

    production = _production("sessions")
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("location"),
    )
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.TENTATIVE)
    hold_until = models.DateField(_("on hold until at least"), null=True, blank=True)
    hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    lectures = _lectures("recording_sessions")
    speakers = _speakers("SessionSpeaker", "recording_sessions")
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ScheduledItem.Meta):
        verbose_name = _("recording session")
        verbose_name_plural = _("recording sessions")
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="production_session_times")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="production_session_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(state="on_hold") | (Q(hold_until__isnull=False) & ~Q(hold_reason="")),
                name="production_session_hold_has_date_and_reason",
            ),
        ]


class Attendance(models.Model):
    """A speaker's answer to an invitation (pre-talk or recording session).

    A change of time or place asks again: ``rsvp`` goes back to pending ("no answer yet") and
    ``previous_rsvp`` keeps what the speaker had answered to the earlier version, until they answer
    again (``production.scheduling.services.items.ask_again``). ``ITEM`` names the foreign key to the
    scheduled item."""

    ITEM: ClassVar[str]

    rsvp = models.CharField(_("response"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    proposed_starts_at = models.DateTimeField(_("proposed other time"), null=True, blank=True)
    previous_rsvp = models.CharField(
        _("answer before the change"), max_length=10, choices=Rsvp.choices, blank=True
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.speaker} @ {self.item}"

    @property
    def item(self) -> ScheduledItem:
        return getattr(self, self.ITEM)

    @property
    def item_id(self) -> int:
        return getattr(self, f"{self.ITEM}_id")


def _attendance_meta(item: str, verbose_name, verbose_name_plural) -> type:
    """The Meta of an attendance: ordered by item and speaker, one answer per speaker and item."""
    return type(
        "Meta",
        (),
        {
            "ordering": (item, "speaker__name", "id"),
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name_plural,
            "constraints": [
                models.UniqueConstraint(fields=[item, "speaker"], name=f"production_{item}speaker_unique")
            ],
        },
    )


def _speaker(related_name: str) -> models.ForeignKey:
    return models.ForeignKey("production.Speaker", on_delete=models.PROTECT, related_name=related_name)


class PreTalkSpeaker(Attendance):
    ITEM = "pretalk"
    pretalk = models.ForeignKey(PreTalk, on_delete=models.CASCADE, related_name="attendances")
    speaker = _speaker(f"{ITEM}_attendances")
    Meta = _attendance_meta(ITEM, _("pre-talk speaker"), _("pre-talk speakers"))


class SessionSpeaker(Attendance):
    ITEM = "session"
    session = models.ForeignKey(RecordingSession, on_delete=models.CASCADE, related_name="attendances")
    speaker = _speaker(f"{ITEM}_attendances")
    Meta = _attendance_meta(ITEM, _("session speaker"), _("session speakers"))


class CrewAssignment(models.Model):
    class Role(models.TextChoices):
        DIRECTOR = "director", _("Director")
        CAMERA = "camera", _("Camera")
        SOUND = "sound", _("Sound")
        LIGHTING = "lighting", _("Lighting")
        MAKEUP = "makeup", _("Make-up")
        OTHER = "other", _("Other")

    session = models.ForeignKey(RecordingSession, on_delete=models.CASCADE, related_name="crew")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        ordering = ("session", "role", "name", "id")
        verbose_name = _("crew member")
        verbose_name_plural = _("crew")
        constraints = [
            models.UniqueConstraint(fields=["session", "name", "role"], name="production_crew_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A producer's secret read-only iCalendar feed of the schedule of their productions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class HoldBatch(models.Model):
    """One confirmed hold ("until at least <date>") of one session, one production's recordings or
    all of a producer's recordings: who, when, and per session what it was before (``HoldBatchItem``),
    so that the producer can undo it for ``UNDO_WINDOW`` after (ADR 0024)."""

    UNDO_WINDOW = timedelta(minutes=10)

    until = models.DateField(_("on hold until at least"))
    reason = models.CharField(_("reason for the hold"), max_length=300)
    created_by = user_ref(_("put on hold by"))
    created_at = models.DateTimeField(_("put on hold at"))
    # The last history entry the hold wrote: a later entry about one of its sessions is a later change.
    last_history_id = models.PositiveBigIntegerField(default=0, editable=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = user_ref(_("undone by"))

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["created_at"], name="production_holdbatch_created")]

    def __str__(self) -> str:
        return f"hold until {self.until:%Y-%m-%d} ({self.reason})"

    @property
    def undo_until(self):
        return self.created_at + self.UNDO_WINDOW


class HoldBatchItem(models.Model):
    """One session a hold changed, as it was before: its state, hold date and reason, SEQUENCE, and
    the reminders that were pending (the hold cancels them; undo plans them again)."""

    batch = models.ForeignKey(HoldBatch, on_delete=models.CASCADE, related_name="items")
    session = models.ForeignKey(RecordingSession, on_delete=models.CASCADE, related_name="hold_batch_items")
    previous_state = models.CharField(max_length=20, choices=RecordingSession.State.choices)
    previous_hold_until = models.DateField(null=True, blank=True)
    previous_hold_reason = models.CharField(max_length=300, blank=True)
    previous_sequence = models.PositiveIntegerField()
    held_sequence = models.PositiveIntegerField()
    reminder_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("batch", "session_id")
        verbose_name = _("session in a hold")
        verbose_name_plural = _("sessions in a hold")
        constraints = [
            models.UniqueConstraint(fields=["batch", "session"], name="production_holdbatchitem_unique"),
            models.CheckConstraint(
                condition=Q(held_sequence__gt=F("previous_sequence")),
                name="production_holdbatchitem_sequence_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: session {self.session_id}"
