from __future__ import annotations

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from courses.models import Course, Lecture, LectureProgress, Theme
from omooc.accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def producer(obj, create, extracted, **kwargs):
        if extracted:
            group, _ = Group.objects.get_or_create(name=settings.PRODUCERS_GROUP)
            obj.groups.add(group)
            obj.is_staff = True  # as omooc.accounts.services.producer_grant does
        if create:
            obj.save()


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A course for public-sector managers."
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class LectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecture

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lecture {n}")
    slug = factory.Sequence(lambda n: f"lecture-{n}")
    status = Lecture.Status.PUBLISHED


def watched_until(enrollment, lecture, *, seconds, duration, at, completed_at=None) -> LectureProgress:
    """A learner's progress row, not saved yet (``.save()`` it, or ``bulk_create`` many): ``lecture``
    (``duration`` seconds long) watched from the start to ``seconds``, the last heartbeat ``at``."""
    return LectureProgress(
        enrollment=enrollment,
        lecture=lecture,
        position_seconds=seconds,
        watched=[[0.0, float(seconds)]],
        watched_seconds=seconds,
        duration_seconds=duration,
        last_heartbeat_at=at,
        completed_at=completed_at,
    )
