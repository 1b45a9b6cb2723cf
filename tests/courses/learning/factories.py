from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from courses.models import Enrollment
from tests.factories import CourseFactory, UserFactory


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    enrolled_at = factory.LazyFunction(timezone.now)


def stopped_watching(*, user, lecture, now, enrolled_days_ago: int):
    """An enrollment whose learner stopped at minute 12:35 of ``lecture`` eight days before ``now``
    (due a nudge)."""
    return EnrollmentFactory(
        user=user,
        course=lecture.course,
        enrolled_at=now - dt.timedelta(days=enrolled_days_ago),
        last_lecture=lecture,
        last_position_seconds=755,
        last_activity_at=now - dt.timedelta(days=8),
    )
