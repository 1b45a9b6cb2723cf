"""Catalog reads: the public catalog (search, language and theme filters) and what every visitor of a
published course or lecture sees alike (the course outline; a lecture's video, captions and
neighbours), cached per catalog version (``courses.catalog.cache``). Nothing personal here: the
learner's own part is read by ``courses.learning.selectors``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Caption, Course, Lecture, LecturePresenter, PresenterProfile, Theme, Video
from . import cache as catalog_cache
from .content import course_content


def course_list_published(*, q: str = "", language: str = "", theme: str = "") -> QuerySet[Course]:
    """The catalog: published courses, searchable by text, filterable by language and theme slug."""
    courses = Course.objects.published().select_related("theme")
    q = (q or "").strip()
    if q:
        courses = courses.filter(
            Q(title__icontains=q)
            | Q(summary__icontains=q)
            | Q(description__icontains=q)
            | Q(lectures__title__icontains=q, lectures__status=Lecture.Status.PUBLISHED)
        ).distinct()
    if language:
        courses = courses.filter(language=language)
    if theme:
        courses = courses.filter(theme__slug=theme)
    return courses.annotate(lecture_count=published_lecture_count("pk")).order_by("title", "id")


def published_lecture_count(course: str) -> Coalesce:
    """An annotation: the number of published lectures of the course that ``course`` (an outer
    field: ``"pk"`` on courses, ``"course_id"`` on enrollments) points at, 0 for none."""
    count = (
        Lecture.objects.published()
        .filter(course=OuterRef(course))
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def theme_list_in_catalog() -> QuerySet[Theme]:
    return Theme.objects.filter(courses__in=Course.objects.published()).distinct().order_by("name", "id")


def video_duration() -> Subquery:
    return Subquery(
        Video.objects.filter(lecture=OuterRef("pk"), is_current=True, status=Video.Status.READY).values(
            "duration_seconds"
        )[:1],
        output_field=FloatField(),
    )


def presenters_with_profiles() -> QuerySet[LecturePresenter]:
    """Lecture presenters with their course profile's id, photo and bio (``profile_*``, matched by
    name, case-insensitive): part of the presenters' query, no query of its own."""
    profile = PresenterProfile.objects.filter(
        course=OuterRef("lecture__course_id"), name__iexact=OuterRef("name")
    ).order_by("id")
    return LecturePresenter.objects.annotate(
        profile_id=Subquery(profile.values("id")[:1]),
        profile_photo=Subquery(profile.values("photo")[:1]),
        profile_bio=Subquery(profile.values("bio")[:1]),
    ).order_by("position", "id")


def lectures_for_learners(course: Course) -> QuerySet[Lecture]:
    """Published lectures of a course in order, with the duration to show (video's, else lecture's),
    their module, their current ready video's folder (``video_prefix``: the poster frame) and their
    presenters with profiles."""
    ready = Video.objects.filter(lecture=OuterRef("pk"), is_current=True, status=Video.Status.READY)
    return (
        course.lectures.published()
        .select_related("module")
        .annotate(video_duration=video_duration(), video_prefix=Subquery(ready.values("output_prefix")[:1]))
        .annotate(
            shown_duration=Coalesce(F("video_duration"), F("duration_seconds"), output_field=FloatField())
        )
        .prefetch_related(Prefetch("presenters", queryset=presenters_with_profiles()))
        .order_by("position", "id")
    )


def course_get_published(*, slug: str) -> Course | None:
    return Course.objects.published().select_related("theme").filter(slug=slug).first()


@dataclass
class CourseOutline:
    """A published course and its published lectures (with ``shown_duration`` and presenters)."""

    course: Course
    lectures: list[Lecture]


def _course_outline_build(slug: str) -> CourseOutline | None:
    course = course_get_published(slug=slug)
    if course is None:
        return None
    lectures = list(lectures_for_learners(course))
    for lecture in lectures:  # what every row shows, computed once instead of per page view
        lecture.learner_url = lecture.get_absolute_url()  # its course is known: course.lectures
        lecture.presenter_names = ", ".join(p.name for p in lecture.presenters.all())
    course.page_content = course_content(course, lectures)  # goals, effort, poster, trailer, speakers
    return CourseOutline(course=course, lectures=lectures)


def course_outline(*, slug: str) -> CourseOutline | None:
    """The same for every visitor: cached per catalog version (no queries on a hit)."""
    return catalog_cache.cached("course", (slug,), lambda: _course_outline_build(slug))


@dataclass
class SharedLecture:
    """What a lecture page shows every viewer alike."""

    course: Course
    lecture: Lecture
    published: bool
    video: Video | None
    captions: list[Caption]
    previous: Lecture | None
    next: Lecture | None


def shared_lecture(
    *, slug: str, lecture_slug: str, lecture_id: int | None, published_only: bool
) -> SharedLecture | None:
    lectures = Lecture.objects.select_related("course", "course__theme")
    if published_only:
        lectures = lectures.published().filter(course__in=Course.objects.published())
    if lecture_id is not None:
        lecture = lectures.filter(pk=lecture_id).first()
    else:
        lecture = lectures.filter(course__slug=slug, slug=lecture_slug).first()
    if lecture is None:
        return None
    course = lecture.course
    published = (
        course.status == Course.Status.PUBLISHED
        and course.published_at is not None
        and course.published_at <= timezone.now()
        and lecture.status == Lecture.Status.PUBLISHED
    )
    # Both neighbours from one small query over the course's published lectures (a course has tens
    # of lectures): works on every database, unlike a UNION of sliced queries (not on SQLite).
    fields = ("id", "course_id", "slug", "title", "position", "release_at")  # release_at: "up next"
    siblings = list(course.lectures.published().only(*fields).order_by("position", "id"))
    for sibling in siblings:
        sibling.learner_url = sibling.get_absolute_url()  # course known through course.lectures
    here = (lecture.position, lecture.pk)
    return SharedLecture(
        course=course,
        lecture=lecture,
        published=published,
        video=Video.objects.filter(lecture=lecture, is_current=True, status=Video.Status.READY).first(),
        captions=list(Caption.objects.filter(lecture=lecture).order_by("language")),
        previous=next((n for n in reversed(siblings) if (n.position, n.pk) < here), None),
        next=next((n for n in siblings if (n.position, n.pk) > here), None),
    )
