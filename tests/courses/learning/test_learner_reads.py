"""The hot per-learner read (enrollment and progress in one statement) gives exactly what the ORM
gives, field by field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from courses.learning.selectors import enrollment_with_progress
from courses.learning.services import enrollment_create, enrollment_leave
from courses.models import Enrollment, LectureProgress
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _course_with_progress():
    course = CourseFactory()
    lectures = [LectureFactory(course=course) for _ in range(3)]
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    done = timezone.now() - dt.timedelta(hours=2)
    LectureProgress.objects.create(
        enrollment=enrollment,
        lecture=lectures[0],
        position_seconds=290.5,
        watched_seconds=280.25,
        duration_seconds=300,
        completed_at=done,
        last_heartbeat_at=done,
    )
    LectureProgress.objects.create(enrollment=enrollment, lecture=lectures[1], position_seconds=12)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lecture=lectures[1], last_position_seconds=12)
    return course, lectures, learner


def test_it_reads_the_enrollment_and_progress_rows_as_the_orm_does():
    course, lectures, learner = _course_with_progress()
    enrollment, progress = enrollment_with_progress(user=learner, course=course)
    expected = Enrollment.objects.get(user=learner, course=course)
    assert _fields(enrollment) == _fields(expected)
    assert enrollment.enrolled_at.tzinfo is not None and not enrollment._state.adding
    orm = {row.lecture_id: row for row in LectureProgress.objects.filter(enrollment=expected)}
    assert set(progress) == {lectures[0].pk, lectures[1].pk}
    for lecture_id, row in progress.items():
        assert _fields(row) == _fields(orm[lecture_id])
        assert row.enrollment is enrollment
    assert progress[lectures[0].pk].completed_at.tzinfo is not None


def test_for_one_lecture_it_reads_that_row_only_or_none():
    course, lectures, learner = _course_with_progress()
    enrollment, progress = enrollment_with_progress(user=learner, course=course, lecture=lectures[1])
    assert enrollment.course_id == course.pk and list(progress) == [lectures[1].pk]
    enrollment, progress = enrollment_with_progress(user=learner, course=course, lecture=lectures[2])
    assert enrollment is not None and progress == {}


def test_a_stranger_an_anonymous_visitor_and_a_learner_who_left_get_no_progress(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    course, _lectures, learner = _course_with_progress()
    assert enrollment_with_progress(user=UserFactory(), course=course) == (None, {})
    assert enrollment_with_progress(user=AnonymousUser(), course=course) == (None, {})
    enrollment_leave(enrollment=Enrollment.objects.get(user=learner, course=course))
    enrollment, progress = enrollment_with_progress(user=learner, course=course)
    assert enrollment is not None and not enrollment.is_active and progress == {}
