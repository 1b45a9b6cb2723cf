"""Delivery models, one module per area: catalog (courses, lectures), media (videos, captions).
Enrollment, progress and certificates go in ``learning.py``."""

from .catalog import (
    Course,
    CourseQuerySet,
    Lecture,
    LecturePresenter,
    LectureQuerySet,
    Module,
    PresenterProfile,
    Theme,
)
from .learning import (
    Certificate,
    Enrollment,
    EnrollmentQuerySet,
    LearnerEmailPreference,
    LearnerNotice,
    LectureProgress,
)
from .media import Caption, Video

__all__ = [
    "Caption",
    "Certificate",
    "Course",
    "CourseQuerySet",
    "Enrollment",
    "EnrollmentQuerySet",
    "LearnerEmailPreference",
    "LearnerNotice",
    "Lecture",
    "LecturePresenter",
    "LectureProgress",
    "LectureQuerySet",
    "Module",
    "PresenterProfile",
    "Theme",
    "Video",
]
