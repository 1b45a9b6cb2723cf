"""`make run` uses the embedded defaults (SQLite, local files). The rest of the suite runs on
PostgreSQL, so this test walks the main pages on a fresh SQLite database, seeded like `make run`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WALK = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test import Client
    from courses.models import Course, Enrollment, Lecture
    from production.models import Production

    def get(client, path):
        response = client.get(path, HTTP_HOST="localhost")
        print(response.status_code, path)
        return response.status_code

    learner, producer = Client(), Client()
    assert learner.login(username="learner@example.org", password="omooc-demo")
    assert producer.login(username="producer@example.org", password="omooc-demo")
    codes = [get(learner, "/")]
    enrolled = set(
        Enrollment.objects.filter(user__email="learner@example.org").values_list("course_id", flat=True)
    )
    assert enrolled, "the demo learner is enrolled somewhere"
    # The hot learner read is hand-written SQL: on SQLite it must give what the ORM gives.
    from django.utils import timezone
    from courses.models import LectureProgress
    from courses.learning.selectors import enrollment_with_progress
    enrollment = Enrollment.objects.filter(user__email="learner@example.org").first()
    lecture = Lecture.objects.filter(course=enrollment.course).first()
    now = timezone.now()
    LectureProgress.objects.update_or_create(
        enrollment=enrollment, lecture=lecture,
        defaults={"completed_at": now, "last_heartbeat_at": now, "watched_seconds": 1.5},
    )
    got, progress = enrollment_with_progress(user=enrollment.user, course=enrollment.course)
    stored = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert got.enrolled_at == enrollment.enrolled_at and got.enrolled_at.tzinfo is not None
    assert progress[lecture.pk].completed_at == stored.completed_at == now
    assert progress[lecture.pk].watched_seconds == 1.5
    for course in Course.objects.published():
        codes.append(get(learner, f"/courses/{course.slug}/"))
        for lecture in Lecture.objects.released().filter(course=course):
            code = get(learner, f"/courses/{course.slug}/lectures/{lecture.slug}/")
            # Not enrolled: sent to the course page to enroll.
            codes.append(code if course.pk in enrolled else {302: 200}.get(code, code))
    codes.append(get(learner, "/my/courses/"))
    for production in Production.objects.all():
        codes.append(get(producer, f"/studio/productions/{production.pk}/"))
    codes.append(get(producer, "/studio/"))
    codes.append(get(producer, "/studio/calendar/"))
    codes.append(get(producer, "/studio/media/"))
    codes.append(get(producer, "/studio/emails/"))
    assert codes and set(codes) == {200}, codes
    print("walked", len(codes))
    """
)


def test_the_main_pages_work_on_the_embedded_sqlite_defaults(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "AWS_STORAGE_BUCKET_NAME"}
    }
    env.update(OMOOC_ENV="development", OMOOC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="omooc.settings")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "seed_demo", "--no-media")
    out = run("-c", WALK)
    assert (tmp_path / "omooc.sqlite3").exists()
    assert "walked" in out
