"""What the course page shows every visitor alike beyond the outline (issue 13, ADR 0027): the poster,
the trailer (the first lecture with a ready video), the effort, the learning goals and the speakers
with photo and bio. Built with the outline (``selectors.course_outline``), so it is cached per
catalog version and costs no query of its own: the lectures carry their video's ``output_prefix``
and their presenters carry their course profile (``lectures_for_learners``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Course, Lecture
from .posters import Poster, course_poster, lecture_frame, presenter_photo_url


@dataclass(frozen=True)
class Speaker:
    name: str
    affiliation: str = ""
    bio: str = ""
    photo_url: str = ""


@dataclass(frozen=True)
class Trailer:
    """The first published lecture with a ready video: its poster frame is public, its video is
    played only on its lecture page, through the signed playback of ADR 0007 (enrolled learners,
    previewing producers)."""

    lecture_title: str
    lecture_url: str
    poster: Poster | None


@dataclass(frozen=True)
class CourseContent:
    poster: Poster | None
    trailer: Trailer | None
    goals: list[str] = field(default_factory=list)
    hours_per_week: int | None = None
    weeks: int | None = None
    speakers: list[Speaker] = field(default_factory=list)

    @property
    def total_hours(self) -> int | None:
        if self.hours_per_week and self.weeks:
            return self.hours_per_week * self.weeks
        return None


def course_content(course: Course, lectures: list[Lecture]) -> CourseContent:
    """``lectures``: ``lectures_for_learners(course)`` (with ``video_prefix`` and presenters)."""
    first = next((lecture for lecture in lectures if lecture.video_prefix), None)
    trailer = None
    if first is not None:
        frame = lecture_frame(slug=course.slug, video_prefix=first.video_prefix, lecture_title=first.title)
        trailer = Trailer(lecture_title=first.title, lecture_url=first.get_absolute_url(), poster=frame)
    return CourseContent(
        poster=course_poster(
            course,
            video_prefix=first.video_prefix if first else None,
            lecture_title=first.title if first else "",
        ),
        trailer=trailer,
        goals=course.goal_list,
        hours_per_week=course.effort_hours_per_week,
        weeks=course.effort_weeks,
        speakers=_speakers(course, lectures),
    )


def _speakers(course: Course, lectures: list[Lecture]) -> list[Speaker]:
    """Everyone presenting in the course's published lectures, once each, in lecture order, with the
    photo and bio of their course profile (matched by name, case-insensitive)."""
    seen: dict[str, Speaker] = {}
    for lecture in lectures:
        for presenter in lecture.presenters.all():
            if presenter.name.casefold() in seen:
                continue
            seen[presenter.name.casefold()] = Speaker(
                name=presenter.name,
                affiliation=presenter.affiliation,
                bio=presenter.profile_bio or "",
                photo_url=presenter_photo_url(
                    slug=course.slug, profile_id=presenter.profile_id, photo=presenter.profile_photo or ""
                ),
            )
    return list(seen.values())
