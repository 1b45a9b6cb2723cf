"""Set-up steps that the stack tests run inside the stack's own environment (its database, broker and
settings), as an operator's shell would: ``python -m tests.stack.scenario <step> '<json>'``. The last
line printed is the step's JSON answer. Everything else the tests do goes through nginx."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta


def world(*, tag: str) -> dict:
    """A producer on a production's team, its course published with one lecture, a learner, a speaker."""
    from django.utils import timezone

    from courses.models import Course, Lecture
    from tests.factories import PASSWORD, UserFactory
    from tests.production.factories import SpeakerFactory, make_production

    producer = UserFactory(producer=True, email=f"producer-{tag}@example.org", language="en")
    learner = UserFactory(email=f"learner-{tag}@example.org", language="en")
    speaker = SpeakerFactory(name=f"Anna {tag}", email=f"speaker-{tag}@example.org", language="en")
    production = make_production(lectures=1, team=[producer])
    course = production.course
    Course.objects.filter(pk=course.pk).update(
        status=Course.Status.PUBLISHED, published_at=timezone.now() - timedelta(minutes=1)
    )
    lecture = course.lectures.get()
    Lecture.objects.filter(pk=lecture.pk).update(status=Lecture.Status.PUBLISHED)
    return {
        "producer": producer.email,
        "learner": learner.email,
        "password": PASSWORD,
        "speaker": speaker.email,
        "speaker_id": speaker.pk,
        "production_id": production.pk,
        "course_slug": course.slug,
        "lecture_id": lecture.pk,
        "lecture_slug": lecture.slug,
    }


def lecture(*, production_id: int) -> dict:
    """One more published lecture in the production's course (a fresh target for an upload)."""
    from courses.models import Lecture
    from production.models import Production
    from tests.factories import LectureFactory

    course = Production.objects.get(pk=production_id).course
    position = course.lectures.count() + 1
    made = LectureFactory(course=course, position=position, status=Lecture.Status.PUBLISHED)
    return {"lecture_id": made.pk}


def session(*, production_id: int, speaker_id: int, reminder_in: float) -> dict:
    """A scheduled recording session with the speaker, starting so that its 1-day speaker reminder
    falls due ``reminder_in`` seconds from now (the speaker gets the invitation at once)."""
    from django.utils import timezone

    from production.models import Production, RecordingSession, Reminder, Speaker
    from production.scheduling import services

    production = Production.objects.get(pk=production_id)
    starts = timezone.now() + timedelta(days=1, seconds=reminder_in)
    made = services.recording_session_create(
        production=production,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        lectures=list(production.course.lectures.all()),
        speakers=[Speaker.objects.get(pk=speaker_id)],
        state=RecordingSession.State.SCHEDULED,
        by=production.team.first(),
    )
    reminder = Reminder.objects.get(
        target_id=made.pk, kind=Reminder.Kind.SESSION_SPEAKER_1D, state=Reminder.State.PENDING
    )
    return {"session_id": made.pk, "reminder_id": reminder.pk, "due_at": reminder.due_at.timestamp()}


def learner(*, course_slug: str) -> dict:
    """One more learner, enrolled in the course."""
    from courses.learning.services import enrollment_create
    from courses.models import Course
    from tests.factories import UserFactory

    user = UserFactory(language="en")
    enrollment_create(user=user, course=Course.objects.get(slug=course_slug))
    return {"email": user.email}


STEPS = {"world": world, "lecture": lecture, "session": session, "learner": learner}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
    django.setup()
    # Each step is a new process: factory sequences start past everything earlier steps made.
    from tests.factories import CourseFactory, LectureFactory, UserFactory
    from tests.production.factories import SpeakerFactory

    start = time.time_ns() // 1_000_000 % 10**10
    for made in (CourseFactory, LectureFactory, UserFactory, SpeakerFactory):
        made.reset_sequence(start)
    step, arguments = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps(STEPS[step](**arguments)))


if __name__ == "__main__":
    main()
