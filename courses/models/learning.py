"""What a learner does with a course: enrollment, progress per lecture, certificates, email
preferences and the record of learner emails sent (so each is sent once)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from omooc.models import optional_ref

from .catalog import Course, Lecture


class EnrollmentQuerySet(models.QuerySet):
    def active(self) -> EnrollmentQuerySet:
        return self.filter(status=Enrollment.Status.ACTIVE)


class Enrollment(models.Model):
    """A learner following a course. Unenrolling keeps the row (and the progress) so coming back
    resumes where they were; only ``active`` enrollments give access to the media."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Enrolled")
        LEFT = "left", _("Unenrolled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    left_at = models.DateTimeField(_("unenrolled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Denormalised by the progress flush, so the dashboard needs no per-course query.
    last_lecture = optional_ref(Lecture, _("last lecture"))
    last_position_seconds = models.FloatField(_("last position (seconds)"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    nudged_at = models.DateTimeField(_("last reminder sent"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ("-enrolled_at", "-id")
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="courses_enrollment_one_per_course"),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False),
                name="courses_enrollment_left_has_date",
            ),
            models.CheckConstraint(
                condition=Q(last_position_seconds__gte=0), name="courses_enrollment_position_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "last_activity_at"], name="courses_enr_status_activity")]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LectureProgress(models.Model):
    """Progress of one enrollment in one lecture, written in bulk by the heartbeat flush.

    ``watched`` holds the merged watched intervals ``[[start, end], ...]`` in seconds of media time;
    ``watched_seconds`` is their total. A lecture is complete when at least
    ``COMPLETION_RATIO`` of its duration was really watched.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lecture_progress", verbose_name=_("enrollment")
    )
    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="progress", verbose_name=_("lecture")
    )
    position_seconds = models.FloatField(_("position (seconds)"), default=0)
    watched = models.JSONField(_("watched intervals"), default=list, blank=True)
    watched_seconds = models.FloatField(_("seconds watched"), default=0)
    duration_seconds = models.FloatField(_("duration (seconds)"), default=0)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ("enrollment", "lecture")
        verbose_name = _("lecture progress")
        verbose_name_plural = _("lecture progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lecture"], name="courses_progress_one_per_lecture"
            ),
            models.CheckConstraint(
                condition=Q(position_seconds__gte=0) & Q(watched_seconds__gte=0),
                name="courses_progress_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.lecture}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class Certificate(models.Model):
    """Proof that a learner completed a course; anyone with the link can verify it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("enrollment")
    )
    learner_name = models.CharField(_("learner name"), max_length=200)
    course_title = models.CharField(_("course title"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.learner_name} · {self.course_title}"

    def get_absolute_url(self) -> str:
        return reverse("courses:certificate_verify", kwargs={"uid": self.uid})


class LearnerEmailPreference(models.Model):
    """Which optional emails a learner wants. No row means: all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_email_preference"
    )
    new_lectures = models.BooleanField(_("new lectures in my courses"), default=True)
    nudges = models.BooleanField(_("reminders to continue a course"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner email preference")
        verbose_name_plural = _("learner email preferences")

    def __str__(self) -> str:
        return str(self.user)


class LearnerNotice(models.Model):
    """One optional email to one learner, recorded before sending so it goes out at most once."""

    class Kind(models.TextChoices):
        LECTURE_RELEASED = "lecture_released", _("New lecture released")
        NUDGE = "nudge", _("Reminder to continue")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=100)
    lecture = optional_ref(Lecture, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("learner email")
        verbose_name_plural = _("learner emails")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="courses_learnernotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.user}"
