"""Reads for the catalog's course cards (issue 13): total video time, whether any video is ready
("coming soon" otherwise), the speakers, the poster, and the learner's choice of order. The catalog page is
built once per catalog version (``catalog_cache``), so these cost queries only on a miss: the
page's courses in one query (annotations), their speakers in one more."""

from __future__ import annotations

from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ..models import Course, Lecture, LecturePresenter, Video
from .posters import course_poster, first_ready_video
from .selectors import course_list_published, video_duration

# The catalog's orders: "" (A–Z) is the default and the order the API keeps.
SORTS = {
    "": ("title", "id"),
    "newest": (F("published_at").desc(nulls_last=True), "title", "id"),
    "shortest": (F("total_seconds").asc(nulls_last=True), "title", "id"),
}


def course_cards(*, q: str = "", language: str = "", theme: str = "", sort: str = "") -> QuerySet[Course]:
    """Published courses as ``course_list_published`` finds them, with ``total_seconds`` (the shown
    duration of their published lectures) and ``has_ready_video``, in the order ``sort`` names."""
    total = (
        Lecture.objects.published()
        .filter(course=OuterRef("pk"))
        .annotate(shown=Coalesce(video_duration(), F("duration_seconds"), output_field=FloatField()))
        .order_by()
        .values("course")
        .annotate(s=Sum("shown"))
        .values("s")
    )
    ready = Video.objects.filter(
        lecture__course=OuterRef("pk"),
        lecture__status=Lecture.Status.PUBLISHED,
        is_current=True,
        status=Video.Status.READY,
    )
    return (
        course_list_published(q=q, language=language, theme=theme)
        .annotate(
            total_seconds=Subquery(total, output_field=FloatField()),
            has_ready_video=Exists(ready),
            # the poster's fallback: the first ready lecture video's poster frame (ADR 0027)
            first_video_prefix=first_ready_video("output_prefix"),
            first_video_lecture=first_ready_video("lecture__title"),
        )
        .order_by(*SORTS.get(sort, SORTS[""]))
    )


def course_cards_speakers(courses: list[Course]) -> None:
    """Set ``speaker_names`` on each course: who presents its published lectures, once each, in
    lecture order. One query for the whole page."""
    names: dict[int, list[str]] = {course.pk: [] for course in courses}
    rows = (
        LecturePresenter.objects.filter(
            lecture__course__in=list(names), lecture__status=Lecture.Status.PUBLISHED
        )
        .order_by("lecture__position", "lecture_id", "position", "id")
        .values_list("lecture__course_id", "name")
    )
    for course_id, name in rows:
        bucket = names[course_id]
        if name.casefold() not in {known.casefold() for known in bucket}:
            bucket.append(name)
    for course in courses:
        course.speaker_names = names[course.pk]


def course_cards_posters(courses: list[Course]) -> None:
    """Set ``card_poster`` on each course (``posters.course_poster``: uploaded, else the first ready
    lecture video's frame, else ``None``). No query: ``course_cards`` annotated what it needs."""
    for course in courses:
        course.card_poster = course_poster(
            course, video_prefix=course.first_video_prefix, lecture_title=course.first_video_lecture or ""
        )
