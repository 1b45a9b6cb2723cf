"""Query-count pins on ``progress_apply`` (issue 12), the beat task's fold of buffered heartbeats
into the database: run for 10 and 100 beats, pinned exactly. Counts are taken inside the test's
transaction on PostgreSQL: every ``transaction.atomic`` shows up as SAVEPOINT and RELEASE."""

from __future__ import annotations

import datetime as dt

import pytest

from courses.learning import progress
from courses.learning.services import progress_apply
from courses.models import Certificate, Enrollment, LectureProgress
from omooc.accounts.models import User
from tests.factories import CourseFactory, LectureFactory, watched_until

pytestmark = pytest.mark.usefixtures("postgres")

T0 = 1_800_000_000.0


def _beat(enrollment, lecture, *, at, position, played_from):
    claims = progress.PlaybackClaims(enrollment.pk, lecture.pk, enrollment.user_id, 120.0)
    return progress.make_entry(claims=claims, position=position, played_from=played_from, event="tick", at=at)


def _enrollments(course, count):
    users = User.objects.bulk_create(  # no password hashing: fast for 100 learners
        [User(email=f"learner{n}@example.org", full_name=f"Learner {n}") for n in range(count)]
    )
    enrolled = dt.datetime.fromtimestamp(T0 - 3600, tz=dt.UTC)
    return Enrollment.objects.bulk_create(
        [Enrollment(user=user, course=course, enrolled_at=enrolled) for user in users]
    )


# Beats of learners watching, none finishing a lecture: constant. SAVEPOINT, the locked enrollments,
# the lectures, the locked progress rows, one upsert of the progress rows, one bulk UPDATE of the
# enrollments' "continue watching" pointers, RELEASE, whatever the number of beats or learners.
@pytest.mark.parametrize(("beats", "queries"), [(10, 7), (100, 7)])
def test_folding_beats_of_learners_watching(beats, queries, django_assert_num_queries):
    course = CourseFactory()
    lectures = LectureFactory.create_batch(2, course=course, duration_seconds=120)
    enrollments = _enrollments(course, beats // 10)  # each learner: 5 beats on each of 2 lectures
    entries = [
        _beat(
            enrollment, lecture, at=T0 + 10 * n, position=10.0 * n, played_from=10.0 * (n - 1) if n else None
        )
        for enrollment in enrollments
        for lecture in lectures
        for n in range(5)
    ]
    assert len(entries) == beats
    with django_assert_num_queries(queries):
        result = progress_apply(entries=entries)
    assert result == {"entries": beats, "rows": beats // 5, "completed": 0}
    assert LectureProgress.objects.filter(position_seconds=40).count() == beats // 5


# One beat per learner, each finishing the course's last lecture: 9 + 25 per learner. Constant: the
# 7 above, the completion check's read of the candidates and one count of published lectures per
# course (was one count per learner: 8 + 26 per learner before, 268 and 2608). Per learner, by
# design (25): the certificate and its email with the PDF (certificate_issue: the completion
# UPDATE, the certificate's get_or_create, then locked, queued with its attachment in the outbox
# and stamped "emailed", each step in its own savepoint).
@pytest.mark.parametrize(("beats", "queries"), [(10, 259), (100, 2509)])
def test_folding_beats_that_finish_a_course(beats, queries, django_assert_num_queries):
    course = CourseFactory()
    lecture = LectureFactory(course=course, duration_seconds=120)
    enrollments = _enrollments(course, beats)
    last = dt.datetime.fromtimestamp(T0, tz=dt.UTC)
    LectureProgress.objects.bulk_create(
        [watched_until(e, lecture, seconds=100, duration=120, at=last) for e in enrollments]
    )
    entries = [_beat(e, lecture, at=T0 + 10, position=120.0, played_from=100.0) for e in enrollments]
    with django_assert_num_queries(queries):
        result = progress_apply(entries=entries)
    assert result == {"entries": beats, "rows": beats, "completed": beats}
    assert Certificate.objects.filter(enrollment__course=course).count() == beats
