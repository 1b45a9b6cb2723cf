from __future__ import annotations

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
