"""How a course gets made: productions, speakers, script parts, post-production and the history of
every state change (pre-talks and recording sessions are in ``scheduling.py``).

These rows change only through the services, which keep the history right.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lecture
from omooc.accounts.models import validate_time_zone
from omooc.models import Timestamped, user_ref

from .scheduling import PreTalk, RecordingSession, Rsvp


class Speaker(Timestamped):
    class Language(models.TextChoices):
        NL = "nl", _("Dutch")
        EN = "en", _("English")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    notes = models.TextField(_("notes"), blank=True)
    # Who added the speaker to the directory: until the speaker is on a session or pre-talk, only they
    # (and superusers) may change the contact details or send links (ADR 0013).
    created_by = user_ref(_("added by"), editable=False)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="production_speaker_email_ci_unique",
                violation_error_message=_("A speaker with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Production(Timestamped):
    """The making of one course, for a commissioning client, by a team of producers."""

    course = models.OneToOneField(
        Course, on_delete=models.PROTECT, related_name="production", verbose_name=_("course")
    )
    client = models.CharField(_("commissioning client"), max_length=200)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="productions", blank=True, verbose_name=_("producer team")
    )
    target_launch_on = models.DateField(_("target launch date"), null=True, blank=True)
    post_production_days = models.PositiveIntegerField(
        _("post-production lead time (days)"),
        default=21,
        help_text=_("Days from the last recording to launch."),
    )
    notes = models.TextField(_("notes"), blank=True)
    call_sheet_emails = models.BooleanField(
        _("email the call sheet the day before"),
        default=False,
        help_text=_("Crew with an email address and speakers get the next day's call sheet by email."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("course__title", "id")
        verbose_name = _("production")
        verbose_name_plural = _("productions")

    def __str__(self) -> str:
        return str(self.course)


class LectureRow(models.Model):
    """A production's record of one of its lectures (its script, its post-production): listed in
    the lectures' order and named after the lecture."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ("lecture__position", "id")

    def __str__(self) -> str:
        return str(self.lecture)


class ScriptPart(LectureRow):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, related_name="script_parts", verbose_name=_("production")
    )
    lecture = models.OneToOneField(
        Lecture, on_delete=models.CASCADE, related_name="script_part", verbose_name=_("lecture")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    reviewer = user_ref(_("reviewer"))
    due_on = models.DateField(_("due date"), null=True, blank=True)

    class Meta(LectureRow.Meta):
        verbose_name = _("script part")
        verbose_name_plural = _("script parts")


def script_upload_to(instance: ScriptVersion, filename: str) -> str:
    return f"scripts/{instance.part_id}/{uuid.uuid4().hex}/{filename[-100:]}"


class ScriptVersion(models.Model):
    part = models.ForeignKey(ScriptPart, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=script_upload_to, max_length=300, blank=True)
    author = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("part", "-number")
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        constraints = [
            models.UniqueConstraint(fields=["part", "number"], name="production_scriptversion_unique_number"),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""), name="production_scriptversion_has_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} v{self.number}"


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


def _step(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=20, choices=StepState.choices, default=StepState.NOT_STARTED
    )


class PostProduction(LectureRow):
    """Manual post-production state of a lecture. The board also counts a ready current video as
    edited and an uploaded caption as captioned."""

    STEPS = ("edit", "captions", "review")

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="post_production")
    lecture = models.OneToOneField(Lecture, on_delete=models.CASCADE, related_name="post_production")
    edit = _step(_("edit"))
    captions = _step(_("captions"))
    review = _step(_("review"))

    class Meta(LectureRow.Meta):
        verbose_name = _("post-production")
        verbose_name_plural = _("post-production")


HISTORY_ACTIONS = {
    "created": _("created"),
    "state": _("state changed"),
    "held": _("put on hold"),
    "postponed": _("all recordings put on hold"),
    "hold_undone": _("hold undone"),
    "rescheduled": _("rescheduled"),
    "moved": _("moved"),
    "updated": _("changed"),
    "speaker_added": _("speaker added"),
    "speaker_removed": _("speaker removed"),
    "rsvp": _("speaker responded"),
    "answer_reset": _("asked again"),
    "crew_added": _("crew member added"),
    "crew_removed": _("crew member removed"),
    "version_added": _("version added"),
    "target_changed": _("target launch date changed"),
    "edit": _("edit"),
    "captions": _("captions"),
    "review": _("review"),
    "email_resent": _("email sent again"),
    "bounce_cleared": _("bounce mark cleared"),
    "archived": _("archived"),
    "unarchived": _("brought back from the archive"),
}


class HistoryEntry(models.Model):
    """One change: who, when, what (action), from, to and why."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="history")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("item"), max_length=300)
    action = models.CharField(_("action"), max_length=40)
    from_value = models.CharField(_("from"), max_length=300, blank=True)
    to_value = models.CharField(_("to"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = user_ref(_("by"))
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="production_history_subject"),
            models.Index(fields=["production", "-at"], name="production_history_prod"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.action}"

    @property
    def action_label(self) -> str:
        return str(HISTORY_ACTIONS.get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return _human_value(self.action, self.from_value)

    @property
    def to_label(self) -> str:
        return _human_value(self.action, self.to_value)


def _history_choices() -> dict[str, tuple[type[models.TextChoices], ...]]:
    """Per history action, the choices its from/to values are stored in (raw values stay in the
    database; the pages show the translated labels, like ``get_FOO_display``). The raw values of
    these choices are distinct, so a value needs no lookup of the subject's model."""
    states = (RecordingSession.State, PreTalk.State, ScriptPart.State)
    return {
        "state": states,
        "created": states,
        "held": (RecordingSession.State,),
        "postponed": (RecordingSession.State,),
        "hold_undone": (RecordingSession.State,),
        "rsvp": (Rsvp,),
        "answer_reset": (Rsvp,),
        "edit": (StepState,),
        "captions": (StepState,),
        "review": (StepState,),
    }


# "scheduled", "on_hold ≥ 2026-04-06", "Name: accepted", "Name: declined (reason)"
_VALUE_SHAPE = re.compile(r"^(?P<head>.*: )?(?P<value>[a-z_]+)(?P<tail>( ≥ | \().*)?$", re.S)


def _human_value(action: str, value: str) -> str:
    choices = _history_choices().get(action)
    if not value or not choices:
        return value
    match = _VALUE_SHAPE.match(value)
    if match is None:
        return value
    for enum in choices:
        if match["value"] in enum.values:
            return f"{match['head'] or ''}{enum(match['value']).label}{match['tail'] or ''}"
    return value
