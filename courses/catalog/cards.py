"""Reads for the catalog's course cards (issue 13): total video time, whether any video is ready
("coming soon" otherwise), the speakers, and the learner's choice of order. The catalog page is
built once per catalog version (``catalog_cache``), so these cost queries only on a miss: the
page's courses in one query (annotations), their speakers in one more."""

from __future__ import annotations

from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ..models import Course, Lecture, LecturePresenter, Video
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
        .annotate(total_seconds=Subquery(total, output_field=FloatField()), has_ready_video=Exists(ready))
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
