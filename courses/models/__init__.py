"""Delivery models, one module per area: catalog (courses, lectures), media (videos, captions).
Enrollment, progress and certificates go in ``learning.py``."""

from .catalog import Course, CourseQuerySet, Lecture, LectureQuerySet, Module, Theme
from .media import Caption, Video

__all__ = ["Caption", "Course", "CourseQuerySet", "Lecture", "LectureQuerySet", "Module", "Theme", "Video"]
