"""The learner's enrollment and progress kept in Redis between page views (courses/learning/state.py,
ADR 0031): a warm page needs no enrollment query, and no page reads stored rows after any write."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.catalog import cache as catalog_cache
from courses.learning import progress, selectors, services, state
from courses.models import Enrollment, LectureProgress
from tests.factories import LectureFactory, UserFactory

from .factories import EnrollmentFactory
from .test_progress import claims_for, watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast(settings, redis_url):
    """Redis as REDIS_URL and as the default cache, as in production: the one-round-trip path."""
    settings.REDIS_URL = redis_url
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "omooc.cache.RedisCache", "LOCATION": redis_url},
    }
    cache.clear()
    assert state.enabled()
    yield
    state._client().flushdb()  # no heartbeat or stored rows left for the next test of this worker


@pytest.fixture
def learning():
    lecture = LectureFactory(duration_seconds=120)
    LectureFactory(course=lecture.course, duration_seconds=60)
    enrollment = EnrollmentFactory(course=lecture.course)
    return enrollment, lecture


def _enrollment_queries(queries) -> int:
    return sum('"courses_enrollment"' in query["sql"] for query in queries)


def _seen(user, course, lecture=None):
    """What a page reads: through the stored rows when they are valid (``state.read``)."""
    ident = f"l:{course.slug}/{lecture.slug}" if lecture is not None else f"c:{course.slug}"
    found = state.read(user, ident)
    return _plain(*selectors.enrollment_with_progress(user=user, course=course, lecture=lecture, found=found))


def _truth(user, course, lecture=None):
    return _plain(*selectors.enrollment_with_progress(user=user, course=course, lecture=lecture))


def _plain(enrollment, rows):
    fields = lambda row: {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}  # noqa: E731
    return (fields(enrollment) if enrollment else None, {k: fields(v) for k, v in rows.items()})


def _warm(user, course, lecture=None):
    _seen(user, course, lecture)  # stores
    with CaptureQueriesContext(connection) as queries:
        seen = _seen(user, course, lecture)
    assert not queries.captured_queries  # served from Redis
    return seen


def test_a_warm_course_api_request_makes_no_enrollment_query_and_answers_the_same(fast, learning):
    enrollment, lecture = learning
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=enrollment.user).key}")
    url = f"/api/v1/courses/{lecture.course.slug}/"
    with CaptureQueriesContext(connection) as cold:
        first = api.get(url).content
    with CaptureQueriesContext(connection) as warm:
        second = api.get(url).content
    assert first == second
    assert _enrollment_queries(cold.captured_queries) == 1
    assert _enrollment_queries(warm.captured_queries) == 0
    assert len(warm.captured_queries) == 1  # the token


def test_the_stored_rows_are_the_querys_rows(fast, learning):
    enrollment, lecture = learning
    progress_row = LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=12)
    user, course = enrollment.user, lecture.course
    assert _warm(user, course) == _truth(user, course)
    assert _warm(user, course, lecture) == _truth(user, course, lecture)
    assert _truth(user, course, lecture)[1][lecture.pk]["position_seconds"] == progress_row.position_seconds
    stranger = UserFactory()
    assert _warm(stranger, course) == (None, {})


def test_enrolling_and_leaving_are_seen_at_once(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    _warm(user, course)
    services.enrollment_leave(enrollment=enrollment)
    assert _seen(user, course) == _truth(user, course)
    assert _seen(user, course)[0]["status"] == Enrollment.Status.LEFT
    _warm(user, course)
    services.enrollment_create(user=user, course=course)
    assert _seen(user, course)[0]["status"] == Enrollment.Status.ACTIVE


def test_the_progress_flush_and_course_completion_are_seen_at_once(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    other = course.lectures.exclude(pk=lecture.pk).get()
    _warm(user, course)
    _warm(user, course, lecture)
    services.progress_apply(entries=watch(claims_for(enrollment, lecture), until=120))  # a bulk upsert
    assert _seen(user, course, lecture) == _truth(user, course, lecture)
    assert _seen(user, course, lecture)[1][lecture.pk]["completed_at"] is not None
    _warm(user, course)
    services.progress_apply(entries=watch(claims_for(enrollment, other, 60.0), until=60))
    seen = _seen(user, course)
    assert seen == _truth(user, course)
    assert seen[0]["completed_at"] is not None  # certificate_issue's QuerySet.update


def test_saves_and_deletes_outside_the_services_are_seen_at_once(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    row = LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=5)
    _warm(user, course)
    row = LectureProgress.objects.get(pk=row.pk)  # without its enrollment: the signal looks it up
    row.position_seconds = 50
    row.save()  # an admin or a shell
    assert _seen(user, course)[1][lecture.pk]["position_seconds"] == 50
    _warm(user, course)
    row.delete()
    assert _seen(user, course) == _truth(user, course)
    assert _seen(user, course)[1] == {}
    _warm(user, course)
    Enrollment.objects.get(pk=enrollment.pk).save()  # nudges_send and admin saves go through save()
    fresh = Enrollment.objects.get(pk=enrollment.pk)
    fresh.status, fresh.left_at = Enrollment.Status.LEFT, timezone.now()
    _warm(user, course)
    fresh.save()
    assert _seen(user, course)[0]["status"] == Enrollment.Status.LEFT
    _warm(user, course)
    enrollment.delete()
    assert _seen(user, course) == (None, {})


def test_a_nudge_renews_the_generation(fast, learning, django_capture_on_commit_callbacks):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_lecture=lecture, last_activity_at=timezone.now() - services.NUDGE_AFTER * 2
    )
    _warm(user, course)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.nudges_send() == 1
    found = state.read(user, f"c:{course.slug}")
    assert found.rows is None


def test_deleting_a_lecture_moves_the_catalog_version_and_with_it_the_stored_rows(fast, learning):
    enrollment, lecture = learning
    LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=5)
    user, course = enrollment.user, lecture.course
    _warm(user, course)
    lecture.delete()  # the progress goes by cascade (no signal reaches the learner's generation)
    assert _seen(user, course) == _truth(user, course)
    assert _seen(user, course)[1] == {}


def test_rows_read_before_a_write_committed_are_never_used(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    found = state.read(user, f"c:{course.slug}")
    rows_before_the_write = [tuple(row) for row in _raw_rows(user, course)]
    state.touch(user.pk)  # the write commits (and renews the generation) while that reader works
    state.store(found, rows=rows_before_the_write, enrollment_id=enrollment.pk, lecture_id=0)
    assert state.read(user, f"c:{course.slug}").rows is None


def test_stored_rows_expire_and_carry_the_catalog_version(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    _warm(user, course)
    client = state._client()
    key = f"{state.PREFIX}:rows:{user.pk}:c:{course.slug}"
    assert 0 < client.ttl(key) <= state.STATE_TTL
    catalog_cache.invalidate()
    assert state.read(user, f"c:{course.slug}").rows is None


def test_the_resume_point_comes_with_the_stored_rows_and_is_always_the_buffers_newest(fast, learning):
    enrollment, lecture = learning
    user = enrollment.user
    progress.record(claims=claims_for(enrollment, lecture), position=30, played_from=None, event="pause")
    page = selectors.lecture_page(slug=lecture.course.slug, lecture_slug=lecture.slug, user=user)
    assert page.latest is selectors.UNKNOWN  # a miss: asked separately
    assert selectors.resume_position(page) == 30
    page = selectors.lecture_page(slug=lecture.course.slug, lecture_slug=lecture.slug, user=user)
    assert page.latest[0] == 30
    progress.record(claims=claims_for(enrollment, lecture), position=42, played_from=30, event="tick")
    page = selectors.lecture_page(slug=lecture.course.slug, lecture_slug=lecture.slug, user=user)
    assert page.latest[0] == 42  # read live in the same round trip, never stored
    assert selectors.resume_position(page) == 42


def test_without_redis_every_request_queries(learning):
    enrollment, lecture = learning
    assert not state.enabled()
    assert state.read(enrollment.user, f"c:{lecture.course.slug}") is None


def _raw_rows(user, course):
    sql, _, _ = selectors._progress_statement(Enrollment.objects.db, False)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, course.pk])
        return cursor.fetchall()


def test_an_unreadable_entry_is_a_miss(fast, learning):
    enrollment, lecture = learning
    user, course = enrollment.user, lecture.course
    found = state.read(user, f"c:{course.slug}")
    state._client().set(found.key, f"1:0|{found.generation}|{found.version}\nnot a pickle".encode())
    assert state.read(user, f"c:{course.slug}").rows is None
    assert _seen(user, course) == _truth(user, course)
