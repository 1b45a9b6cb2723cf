"""Learner emails: a new lecture released, the weekly nudge (each with a working opt-out), the
certificate. Every one goes through the studio's outbox (production.outbox): a log row, a stable
Message-ID, retries with backoff, nothing lost while SMTP is down, one learner's trouble never
stops the others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from courses.learning.services import lecture_release_notices_send, nudges_send
from courses.models import Enrollment, LearnerEmailPreference, LearnerNotice
from production.models import EmailLog
from production.outbox.mailer import emails_send_due
from tests.factories import LectureFactory, UserFactory

from .factories import EnrollmentFactory, stopped_watching

pytestmark = pytest.mark.django_db


def deliver() -> int:
    """The outbox scan, as the per-minute beat task runs it (the time of every retry has come)."""
    EmailLog.objects.filter(state=EmailLog.State.QUEUED).update(next_attempt_at=timezone.now())
    return emails_send_due()


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
    deliver()
    (message,) = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == follower.user.email
    assert "Data delen" in message["Subject"]
    assert str(message["List-Unsubscribe"]).strip().startswith("<http")
    path = _opt_out_path(message)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert LearnerEmailPreference.objects.get(user=follower.user).new_lectures is False
    later = LectureFactory(course=released.course, release_at=now + dt.timedelta(days=1))
    assert lecture_release_notices_send(now=later.release_at + dt.timedelta(minutes=1)) == 1
    deliver()
    assert smtp_server.messages[-1]["To"].addresses[0].addr_spec != follower.user.email  # only the other


def test_a_learner_who_stopped_gets_a_weekly_nudge_with_the_minute_and_lecture(client, smtp_server):
    now = timezone.now()
    user = UserFactory(language="en", full_name="Sanne de Vries")
    lecture = LectureFactory(position=4, title="Aanbesteden")
    stopped_watching(user=user, lecture=lecture, now=now, enrolled_days_ago=30)
    EnrollmentFactory(last_lecture=lecture, last_activity_at=now - dt.timedelta(days=2))  # was here recently
    assert nudges_send(now=now) == 1
    assert nudges_send(now=now + dt.timedelta(days=1)) == 0  # weekly, not daily
    deliver()
    (message,) = smtp_server.messages
    body = message.get_body(("plain",)).get_content()
    assert 'You stopped at 12:35 of lecture 4, "Aanbesteden"' in body
    response = client.post(_opt_out_path(message), HTTP_ACCEPT_LANGUAGE="en")
    assert "You will no longer get reminders" in response.content.decode(), _opt_out_path(message)
    assert nudges_send(now=now + dt.timedelta(days=8)) == 1
    deliver()
    assert smtp_server.messages[-1]["To"].addresses[0].addr_spec != user.email  # only the other, idle one


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
    client.force_login(enrollment.user)  # the PDF is its owner's alone (ADR 0028)
    pdf = client.get(f"/certificates/{certificate.uid}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.get("/certificates/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- through the outbox: nothing lost while SMTP is down ------------------------------------------


def _followers(count: int, *, released_hours_ago: int = 1, **user_kwargs):
    now = timezone.now()
    lecture = LectureFactory(title="Data delen", release_at=now - dt.timedelta(hours=released_hours_ago))
    enrollments = [
        EnrollmentFactory(course=lecture.course, enrolled_at=now - dt.timedelta(days=3), **user_kwargs)
        for _ in range(count)
    ]
    return now, lecture, enrollments


def test_a_new_lecture_notice_waits_out_an_smtp_outage_and_arrives_once_with_one_message_id(smtp_server):
    now, lecture, enrollments = _followers(3)
    for enrollment in enrollments:
        smtp_server.replies[enrollment.user.email] = "451 4.3.0 try again later"
    assert lecture_release_notices_send(now=now) == 3  # queued, not lost: the run does not fail
    assert deliver() == 3
    assert smtp_server.messages == []
    logged = EmailLog.objects.filter(kind=EmailLog.Kind.LEARNER_LECTURE).order_by("recipient")
    assert [(e.state, e.attempts) for e in logged] == [(EmailLog.State.QUEUED, 1)] * 3
    assert all("451" in e.error for e in logged)
    assert all(e.next_attempt_at > timezone.now() for e in logged), "retried after a backoff"

    assert lecture_release_notices_send(now=now + dt.timedelta(minutes=15)) == 0  # the next run adds nothing
    assert deliver() == 3
    smtp_server.replies.clear()
    assert deliver() == 3
    assert deliver() == 0
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert len(smtp_server.messages) == 3 and set(by_address) == {e.user.email for e in enrollments}
    for email in logged:
        email.refresh_from_db()
        assert (email.state, email.attempts) == (EmailLog.State.SENT, 3)
        assert by_address[email.recipient]["Message-ID"] == email.message_id  # the same on every try
        assert "Data delen" in by_address[email.recipient]["Subject"]
        assert str(by_address[email.recipient]["List-Unsubscribe"]).startswith("<http")
        assert by_address[email.recipient]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert lecture_release_notices_send(now=now + dt.timedelta(hours=1)) == 0
    assert deliver() == 0


def test_a_notice_recorded_but_never_sent_before_is_delivered_by_the_next_run(smtp_server):
    """Before the outbox a failing send left the notice row behind with no email: the run repairs it."""
    now, lecture, (enrollment,) = _followers(1)
    LearnerNotice.objects.create(
        user=enrollment.user, kind=LearnerNotice.Kind.LECTURE_RELEASED, key=f"lecture:{lecture.pk}"
    )
    assert lecture_release_notices_send(now=now) == 1
    deliver()
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [enrollment.user.email]
    assert LearnerNotice.objects.get(user=enrollment.user).sent_at is not None


def test_with_the_smtp_server_unreachable_the_run_queues_every_notice_and_delivers_them_later(
    smtp_server, settings
):
    from tests.support.mailbox import free_port

    now, lecture, enrollments = _followers(2)
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nothing listens there
    assert lecture_release_notices_send(now=now) == 2
    assert deliver() == 1 and deliver() == 1  # each scan stops at the first refused connection
    assert sorted(EmailLog.objects.values_list("state", "attempts")) == [
        (EmailLog.State.QUEUED, 0),
        (EmailLog.State.QUEUED, 2),
    ]
    settings.EMAIL_PORT = working_port
    assert deliver() == 2
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == sorted(
        e.user.email for e in enrollments
    )


def test_one_learners_bad_address_does_not_stop_the_others(smtp_server):
    now, lecture, enrollments = _followers(3)
    unusable = enrollments[0].user
    type(unusable).objects.filter(pk=unusable.pk).update(email="no-at-sign.example.org")  # legacy data
    refused = enrollments[1].user
    smtp_server.replies[refused.email] = "550 5.1.1 no such user"
    fine = enrollments[2].user
    assert lecture_release_notices_send(now=now) == 2  # the unusable address is skipped (and logged)
    deliver()
    learners = {e.user.email for e in enrollments}
    delivered = [m["To"].addresses[0].addr_spec for m in smtp_server.messages]
    assert [address for address in delivered if address in learners] == [fine.email]
    assert EmailLog.objects.get(recipient=refused.email).state == EmailLog.State.BOUNCED
    assert not LearnerNotice.objects.filter(user=unusable).exists()  # tried again by the next run


def test_learner_emails_are_in_the_email_log_with_their_own_kinds(smtp_server):
    now, lecture, (enrollment,) = _followers(1)
    user = enrollment.user
    EnrollmentFactory(
        user=user,
        last_lecture=lecture,
        last_position_seconds=65,
        last_activity_at=now - dt.timedelta(days=8),
        enrolled_at=now - dt.timedelta(days=20),
    )
    lecture_release_notices_send(now=now)
    nudges_send(now=now)
    deliver()
    rows = EmailLog.objects.filter(user=user).order_by("kind")
    assert [row.kind for row in rows] == [EmailLog.Kind.LEARNER_LECTURE, EmailLog.Kind.LEARNER_NUDGE]
    assert {row.state for row in rows} == {EmailLog.State.SENT}
    assert sorted(str(m["Message-ID"]) for m in smtp_server.messages) == sorted(r.message_id for r in rows)
