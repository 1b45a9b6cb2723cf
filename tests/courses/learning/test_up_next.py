"""'Up next' counts down only to a lecture the learner can watch now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from courses.learning.services import enrollment_create
from courses.models import Video
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(("release_in_days", "offered"), [(None, True), (3, False)])
def test_up_next_is_offered_only_for_a_released_next_lecture(client, release_in_days, offered):
    course = CourseFactory()
    first = LectureFactory(course=course, position=1)
    release_at = timezone.now() + dt.timedelta(days=release_in_days) if release_in_days else None
    LectureFactory(course=course, position=2, title="Aanbesteden", release_at=release_at)
    Video.objects.create(
        lecture=first,
        is_current=True,
        status=Video.Status.READY,
        duration_seconds=60,
        output_prefix="videos/x",
    )
    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    body = client.get(f"/courses/{course.slug}/lectures/{first.slug}/", **EN).content.decode()
    assert 'id="lecture-video"' in body
    assert ('id="up-next"' in body) is offered
    assert ("Up next: Aanbesteden" in body) is offered
