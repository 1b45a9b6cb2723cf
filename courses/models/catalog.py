from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omooc.models import Timestamped, optional_ref

from .images import poster_upload_to, presenter_photo_upload_to, validate_poster, validate_presenter_photo


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Course.Status.PUBLISHED, published_at__lte=timezone.now())


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Course(Timestamped):
    Level = Level

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="nl")
    theme = optional_ref(Theme, _("theme"), related_name="courses")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, help_text=_("Empty means self-paced.")
    )
    # The course page's shared content (issue 13, ADR 0027).
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    goals = models.TextField(
        _("learning goals"),
        blank=True,
        help_text=_("One goal per line, e.g. “Plan a user study in five days”."),
    )
    effort_hours_per_week = models.PositiveSmallIntegerField(
        _("effort (hours per week)"), null=True, blank=True
    )
    effort_weeks = models.PositiveSmallIntegerField(_("length (weeks)"), null=True, blank=True)
    poster = models.FileField(
        _("poster"),
        upload_to=poster_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_poster],
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB, at least 640 × 360 pixels. Shown publicly in the catalog."
        ),
    )
    poster_alt = models.CharField(
        _("poster description"),
        max_length=200,
        blank=True,
        help_text=_("What the poster shows, for people who cannot see it."),
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ("title", "id")
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="courses_course_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", kwargs={"slug": self.slug})

    @property
    def goal_list(self) -> list[str]:
        """The learning goals, one per non-empty line."""
        return [line.strip(" -•\t") for line in self.goals.splitlines() if line.strip(" -•\t")]

    def clean(self) -> None:
        super().clean()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # publishing now unless a date is given


class Module(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ("course", "position", "id")
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class LectureQuerySet(models.QuerySet):
    def published(self) -> LectureQuerySet:
        return self.filter(status=Lecture.Status.PUBLISHED)

    def released(self, at=None) -> LectureQuerySet:
        at = at or timezone.now()
        return self.published().filter(Q(release_at__isnull=True) | Q(release_at__lte=at))


class Lecture(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lectures", verbose_name=_("course")
    )
    module = optional_ref(Module, _("module"), related_name="lectures")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    release_at = models.DateTimeField(_("released at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)

    objects = LectureQuerySet.as_manager()

    class Meta:
        ordering = ("course", "position", "id")
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="courses_lecture_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The learner's lecture page (load ``course`` with the lecture: its slug is in the URL)."""
        return reverse("courses:lecture", kwargs={"slug": self.course.slug, "lecture_slug": self.slug})


class LecturePresenter(models.Model):
    """Who learners see presenting a lecture. Producers edit it in the admin; recording a session
    fills it from the session's speakers (production calls ``lecture_presenters_set``)."""

    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="presenters", verbose_name=_("lecture")
    )
    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(_("role and organisation"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("lecture", "position", "id")
        verbose_name = _("presenter")
        verbose_name_plural = _("presenters")
        constraints = [
            models.UniqueConstraint(fields=["lecture", "name"], name="courses_presenter_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class PresenterProfile(models.Model):
    """A speaker's photo and bio as the course page shows them. Lecture presenters are replaced
    whenever a recording fills them (``lecture_presenters_set``), so the profile lives with the
    course and is matched to a lecture's presenters by name (case-insensitive)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="presenter_profiles", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("As on the lectures' presenters."))
    photo = models.FileField(
        _("photo"),
        upload_to=presenter_photo_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_presenter_photo],
        help_text=_("JPEG, PNG or WebP, at most 5 MB, at least 160 × 160 pixels. Shown publicly."),
    )
    bio = models.TextField(_("bio"), blank=True, max_length=1500)

    class Meta:
        ordering = ("course", "name", "id")
        verbose_name = _("speaker profile")
        verbose_name_plural = _("speaker profiles")
        constraints = [
            models.UniqueConstraint(
                "course", models.functions.Lower("name"), name="courses_presenter_profile_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
