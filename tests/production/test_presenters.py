"""Recording a session tells learners who presents the lecture (courses never imports production)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from courses.models import Course, LecturePresenter
from production.models import RecordingSession, Rsvp, SessionSpeaker
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, make_production, make_session

pytestmark = pytest.mark.django_db


def _recorded_session(production, speakers):
    session = make_session(production, days=-2, speakers=speakers)
    scheduling.recording_session_transition(
        session=session, to_state=RecordingSession.State.SCHEDULED, by=None
    )
    return session


def test_marking_a_session_recorded_shows_its_speakers_on_the_course_page(client):
    production = make_production(lectures=2)
    ada = SpeakerFactory(name="Ada Ambtenaar", role="Directeur", organisation="Gemeente Voorbeeld")
    ben = SpeakerFactory(name="Ben Bestuurder", role="", organisation="Provincie Voorbeeld")
    session = _recorded_session(production, [ada, ben])
    attendance = SessionSpeaker.objects.get(session=session, speaker=ben)
    scheduling.attendance_respond(
        attendance=attendance, rsvp=Rsvp.DECLINED, decline_reason="Niet beschikbaar", by=None
    )
    assert not LecturePresenter.objects.exists()  # nothing public before the recording

    scheduling.recording_session_transition(
        session=session, to_state=RecordingSession.State.RECORDED, by=None
    )

    course = production.course
    for lecture in course.lectures.all():
        assert [(p.name, p.affiliation) for p in lecture.presenters.all()] == [
            ("Ada Ambtenaar", "Directeur, Gemeente Voorbeeld")
        ]
    Course.objects.filter(pk=course.pk).update(status="published", published_at=timezone.now())
    course.lectures.update(status="published")
    html = client.get(f"/courses/{course.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ada Ambtenaar</strong>, Directeur, Gemeente Voorbeeld" in html
    assert "with Ada Ambtenaar" in html
    assert "Ben Bestuurder" not in html  # declined: not presenting


def test_the_admin_publishes_a_course_with_a_publication_date(client):
    from django.contrib.admin.sites import site

    from courses.admin import CourseAdmin

    assert isinstance(site._registry[Course], CourseAdmin)
    course = Course(title="Nieuw", slug="nieuw", status=Course.Status.PUBLISHED)
    course.full_clean()
    assert course.published_at is not None


def test_a_producer_may_manage_courses_in_the_admin(client):
    from tests.factories import UserFactory

    producer = UserFactory(producer=True)
    from omooc.accounts.services import producer_grant

    producer_grant(user=producer)
    client.force_login(producer)
    assert client.get("/admin/courses/course/add/").status_code == 200
    learner = UserFactory()
    client.force_login(learner)
    assert client.get("/admin/courses/course/add/").status_code == 302  # to the admin login
