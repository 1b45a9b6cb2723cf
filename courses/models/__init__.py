"""Delivery models. One module per area: catalog (courses, lectures)."""

from .catalog import Course, CourseQuerySet, Lecture, LectureQuerySet, Module, Theme

__all__ = ["Course", "CourseQuerySet", "Lecture", "LectureQuerySet", "Module", "Theme"]
