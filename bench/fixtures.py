"""Data for the load benchmark, created inside the benchmark's own database."""

from __future__ import annotations

import json

from django.utils import timezone
from rest_framework.authtoken.models import Token

from courses.models import Course, Lecture
from omooc.accounts.models import User


def seed_load(courses: int = 40, lectures: int = 12) -> None:
    learner = User.objects.create_user(email="bench-learner@example.org", password="bench-only-password-1")
    token = Token.objects.create(user=learner)
    for c in range(courses):
        course = Course.objects.create(
            title=f"Benchmark course {c}",
            slug=f"bench-course-{c}",
            summary="A course that exists to be measured.",
            status=Course.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        Lecture.objects.bulk_create(
            Lecture(course=course, position=i, title=f"Lecture {i}", slug=f"lecture-{i}", status="published")
            for i in range(1, lectures + 1)
        )
    endpoints = {
        "catalog_page": {"path": "/"},
        "course_page": {"path": "/courses/bench-course-0/"},
    }
    print(json.dumps({"token": token.key, "endpoints": endpoints}))
