"""Data for the load benchmark, created inside the benchmark's own database.

A realistic catalog (40 published courses of 12 lectures, themes), a learner enrolled in every course
with some progress, and for every lecture a ready video (``output_prefix`` set, so playback URLs
exist) with Dutch and English captions. Prints one JSON line: credentials and the endpoints to load.
"""

from __future__ import annotations

import json

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token

from courses.learning import progress
from courses.models import Caption, Course, Enrollment, Lecture, LectureProgress, Theme, Video
from omooc.accounts.models import User


def _session_for(user: User) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def seed_load(courses: int = 40, lectures: int = 12) -> None:
    now = timezone.now()
    learner = User.objects.create_user(
        email="bench-learner@example.org", password=get_random_string(24), full_name="Bench Learner"
    )
    token = Token.objects.create(user=learner)
    themes = Theme.objects.bulk_create(
        Theme(name=f"Benchmark theme {t}", slug=f"bench-theme-{t}") for t in range(4)
    )
    summary = "A course that exists to be measured: realistic length, nothing more. " * 3
    for c in range(courses):
        course = Course.objects.create(
            title=f"Benchmark course {c:02d}",
            slug=f"bench-course-{c}",
            summary=summary,
            description=summary * 4,
            theme=themes[c % len(themes)],
            status=Course.Status.PUBLISHED,
            published_at=now,
        )
        rows = Lecture.objects.bulk_create(
            Lecture(
                course=course,
                position=i,
                title=f"Lecture {i}",
                slug=f"lecture-{i}",
                status="published",
                duration_seconds=600,
            )
            for i in range(1, lectures + 1)
        )
        Video.objects.bulk_create(
            Video(
                lecture=lecture,
                is_current=True,
                source=f"uploads/bench/{course.slug}-{lecture.slug}.mp4",
                status=Video.Status.READY,
                duration_seconds=600,
                width=1280,
                height=720,
                output_prefix=f"videos/bench/{course.slug}/{lecture.slug}",
                renditions=[{"height": 720}, {"height": 360}],
            )
            for lecture in rows
        )
        Caption.objects.bulk_create(
            Caption(lecture=lecture, language=language, vtt=f"captions/bench-{lecture.pk}-{language}.vtt")
            for lecture in rows
            for language in ("nl", "en")
        )
        enrollment = Enrollment.objects.create(user=learner, course=course, enrolled_at=now)
        LectureProgress.objects.bulk_create(
            LectureProgress(
                enrollment=enrollment,
                lecture=lecture,
                position_seconds=120,
                watched=[[0, 120]],
                watched_seconds=120,
                duration_seconds=600,
                last_heartbeat_at=now,
            )
            for lecture in rows[:3]
        )
    course = Course.objects.get(slug="bench-course-0")
    enrollment = Enrollment.objects.get(user=learner, course=course)
    lecture = course.lectures.get(slug="lecture-2")
    playback = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=learner.pk, duration=600
    )
    session, csrf = _session_for(learner), get_random_string(32)
    beat = {"token": playback, "position": 42.0, "played_from": 32.0, "event": "tick"}
    endpoints = {
        "catalog_page": {"path": "/", "anonymous": True},
        "catalog_api": {"path": "/api/v1/courses/"},
        "course_page": {"path": "/courses/bench-course-0/", "session": True},
        "course_api": {"path": "/api/v1/courses/bench-course-0/"},
        "lecture_page": {"path": "/courses/bench-course-0/lectures/lecture-2/", "session": True},
        "playback_api": {"path": f"/api/v1/lectures/{lecture.pk}/playback/"},
        "heartbeat_api": {"path": "/api/v1/progress/", "method": "POST", "json": beat},
        "heartbeat_beacon": {
            "path": "/progress/heartbeat/",
            "method": "POST",
            "session": True,
            "form": {**beat, "position": "42", "played_from": "32", "csrfmiddlewaretoken": csrf},
        },
        # What the player sends now (ADR 0009): form-encoded, the token in the body, no cookie.
        "heartbeat_lean": {
            "path": "/progress/beat/",
            "method": "POST",
            "anonymous": True,
            "form": {**beat, "position": "42", "played_from": "32"},
        },
    }
    print(json.dumps({"token": token.key, "session": session, "csrf": csrf, "endpoints": endpoints}))
