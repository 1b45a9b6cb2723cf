"""Video and caption records of a lecture. The media pipeline (courses/media/transcoding.py and friends)
fills them; the player reads them. Files live in the default storage (local or S3)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omooc.models import Timestamped, user_ref

from .catalog import Lecture


def source_upload_to(instance: Video, filename: str) -> str:
    return f"uploads/{instance.uid}/source{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    suffix = filename[dot:].lower() if dot != -1 else ""
    return suffix if suffix.isascii() and len(suffix) <= 6 and suffix[1:].isalnum() else ""


class Video(Timestamped):
    """One recording of a lecture and everything derived from it.

    ``output_prefix`` is the storage folder holding ``master.m3u8``, the renditions
    (``<height>p/index.m3u8`` + segments), ``poster.jpg`` and ``download.mp4``.
    A lecture has at most one *current* video; older ones are kept until replaced files are deleted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the upload")
        UPLOADED = "uploaded", _("Uploaded")
        PROBING = "probing", _("Checking the file")
        REJECTED = "rejected", _("Refused")
        QUEUED = "queued", _("Waiting to transcode")
        TRANSCODING = "transcoding", _("Transcoding")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="videos", verbose_name=_("lecture")
    )
    is_current = models.BooleanField(_("current video of the lecture"), default=False)
    source = models.FileField(_("source file"), upload_to=source_upload_to, max_length=300, blank=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    size_bytes = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    error = models.TextField(_("error"), blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    eta_seconds = models.PositiveIntegerField(_("time left (seconds)"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    output_prefix = models.CharField(_("output folder"), max_length=300, blank=True)
    renditions = models.JSONField(_("renditions"), default=list, blank=True)
    probe = models.JSONField(_("probe result"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("transcoding attempts"), default=0)
    started_at = models.DateTimeField(_("processing started at"), null=True, blank=True)
    transcode_seconds = models.FloatField(_("transcoding time (seconds)"), null=True, blank=True)
    uploaded_by = user_ref()
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            models.UniqueConstraint(
                fields=["lecture"], condition=Q(is_current=True), name="courses_video_one_current_per_lecture"
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="courses_video_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lecture} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        """Still on its way to ready: the studio keeps polling its status."""
        return self.status in {
            self.Status.UPLOADED,
            self.Status.PROBING,
            self.Status.QUEUED,
            self.Status.TRANSCODING,
        }

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and bool(self.source)

    @property
    def master_playlist_name(self) -> str:
        return f"{self.output_prefix}/master.m3u8" if self.output_prefix else ""

    @property
    def poster_name(self) -> str:
        return f"{self.output_prefix}/poster.jpg" if self.output_prefix else ""

    @property
    def download_name(self) -> str:
        return f"{self.output_prefix}/download.mp4" if self.output_prefix else ""


class Caption(Timestamped):
    """A caption track of a lecture in one language, stored as WebVTT."""

    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="captions", verbose_name=_("lecture")
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    vtt = models.FileField(_("WebVTT file"), upload_to="captions/", max_length=300)
    transcript = models.TextField(_("transcript"), blank=True)
    cue_count = models.PositiveIntegerField(_("number of cues"), default=0)
    uploaded_by = user_ref()

    class Meta:
        ordering = ("lecture", "language")
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")
        constraints = [
            models.UniqueConstraint(fields=["lecture", "language"], name="courses_caption_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.lecture} [{self.language}]"
