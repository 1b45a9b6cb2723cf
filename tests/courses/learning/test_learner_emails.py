"""Optional learner emails: a new lecture released, the weekly nudge; each with a working opt-out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from courses.models import Enrollment, LearnerEmailPreference
from courses.services.learning import lecture_release_notices_send, nudges_send
from tests.factories import LectureFactory, UserFactory

from .factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def _opt_out_path(message) -> str:
    url = re.search(r"http\S+/emails/unsubscribe/\S+/", message.get_body(("plain",)).get_content()).group(0)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_followers_hear_about_a_released_lecture_once_and_can_opt_out(client, smtp_server):
    now = timezone.now()
    released = LectureFactory(title="Data delen", release_at=now - dt.timedelta(hours=1))
    follower = EnrollmentFactory(course=released.course, enrolled_at=now - dt.timedelta(days=3))
    EnrollmentFactory(
        course=released.course,
        enrolled_at=now - dt.timedelta(days=3),
        status=Enrollment.Status.LEFT,
        left_at=now,
    )
    EnrollmentFactory(
        course=released.course, enrolled_at=now - dt.timedelta(minutes=5)
    )  # enrolled after release
    assert lecture_release_notices_send(now=now) == 1
    assert lecture_release_notices_send(now=now) == 0
    (message,) = smtp_server.messages
    assert message["To"] == follower.user.email
    assert "Data delen" in message["Subject"]
    assert str(message["List-Unsubscribe"]).strip().startswith("<http")
    path = _opt_out_path(message)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert LearnerEmailPreference.objects.get(user=follower.user).new_lectures is False
    later = LectureFactory(course=released.course, release_at=now + dt.timedelta(days=1))
    assert lecture_release_notices_send(now=later.release_at + dt.timedelta(minutes=1)) == 1
    assert smtp_server.messages[-1]["To"] != follower.user.email  # only the other follower


def test_a_learner_who_stopped_gets_a_weekly_nudge_with_the_minute_and_lecture(client, smtp_server):
    now = timezone.now()
    user = UserFactory(language="en", full_name="Sanne de Vries")
    lecture = LectureFactory(position=4, title="Aanbesteden")
    EnrollmentFactory(
        user=user,
        course=lecture.course,
        enrolled_at=now - dt.timedelta(days=30),
        last_lecture=lecture,
        last_position_seconds=755,
        last_activity_at=now - dt.timedelta(days=8),
    )
    EnrollmentFactory(last_lecture=lecture, last_activity_at=now - dt.timedelta(days=2))  # was here recently
    assert nudges_send(now=now) == 1
    assert nudges_send(now=now + dt.timedelta(days=1)) == 0  # weekly, not daily
    (message,) = smtp_server.messages
    body = message.get_body(("plain",)).get_content()
    assert 'You stopped at 12:35 of lecture 4, "Aanbesteden"' in body
    response = client.post(_opt_out_path(message), HTTP_ACCEPT_LANGUAGE="en")
    assert "You will no longer get reminders" in response.content.decode(), _opt_out_path(message)
    assert nudges_send(now=now + dt.timedelta(days=8)) == 1
    assert smtp_server.messages[-1]["To"] != user.email  # only the other, now idle, learner


def test_a_forged_opt_out_link_is_not_found(client):
    assert client.get("/emails/unsubscribe/not-a-token/").status_code == 404


def test_the_certificate_is_publicly_verifiable_with_a_pdf(client):
    from courses.models import Certificate

    enrollment = EnrollmentFactory()
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        learner_name="Sanne de Vries",
        course_title="Digitale overheid",
        issued_at=timezone.now(),
    )
    page = client.get(f"/certificates/{certificate.uid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sanne de Vries" in page and "This certificate is genuine." in page
    pdf = client.get(f"/certificates/{certificate.uid}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.get("/certificates/00000000-0000-0000-0000-000000000000/").status_code == 404
