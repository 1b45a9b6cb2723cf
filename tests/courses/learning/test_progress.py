"""Completion from merged watched intervals capped by wall-clock time; buffer flushes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from courses.learning import progress
from courses.learning.services import merge_intervals, progress_apply
from courses.learning.tasks import progress_flush
from courses.models import Certificate, Enrollment, LectureProgress
from tests.factories import LectureFactory

from .factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0


def claims_for(enrollment, lecture, duration=120.0):
    return progress.PlaybackClaims(enrollment.pk, lecture.pk, enrollment.user_id, duration)


def beat(claims, *, at, position, played_from=None, event="tick"):
    return progress.make_entry(claims=claims, position=position, played_from=played_from, event=event, at=at)


def watch(claims, *, start=0.0, until, every=10.0, speed=1.0, t0=T0):
    """Heartbeats of someone really watching from ``start`` to ``until`` at ``speed``."""
    entries = [beat(claims, at=t0, position=start, event="play")]
    position, now = start, t0
    while position < until:
        nxt = min(until, position + every * speed)
        now += (nxt - position) / speed
        entries.append(beat(claims, at=now, position=nxt, played_from=position))
        position = nxt
    return entries


@pytest.fixture
def course_lecture():
    lecture = LectureFactory(duration_seconds=120)
    enrollment = EnrollmentFactory(course=lecture.course)
    return enrollment, lecture


def test_really_watching_a_lecture_completes_it(course_lecture):
    enrollment, lecture = course_lecture
    progress_apply(entries=watch(claims_for(enrollment, lecture), until=120))
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert row.completed_at is not None
    assert row.watched == [[0.0, 120.0]]
    assert row.position_seconds == 120


@pytest.mark.parametrize(
    ("beats", "expected"),
    [
        pytest.param(
            # (seconds after T0, position, played from, event)
            [(0, 0, None, "play"), (1, 115, None, "seek"), (6, 120, 115, "end")],
            {"completed_at": None, "watched_seconds": 5, "position_seconds": 120},
            id="seeking_to_the_end_does_not_complete_a_lecture",
        ),
        pytest.param(
            [(0, 0, None, "play"), (10, 120, 0, "tick")],  # "watched" 2 minutes in 10 s
            {"watched": [[100.0, 120.0]], "completed_at": None},
            id="a_heartbeat_claiming_more_than_twice_the_elapsed_time_is_capped",
        ),
    ],
)
def test_only_seconds_really_played_count_towards_completion(course_lecture, beats, expected):
    enrollment, lecture = course_lecture
    claims = claims_for(enrollment, lecture)
    entries = [
        beat(claims, at=T0 + after, position=position, played_from=played_from, event=event)
        for after, position, played_from, event in beats
    ]
    progress_apply(entries=entries)
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    for field, value in expected.items():
        assert getattr(row, field) == value, field


def test_watching_at_double_speed_still_counts(course_lecture):
    enrollment, lecture = course_lecture
    progress_apply(entries=watch(claims_for(enrollment, lecture), until=120, speed=2.0))
    assert LectureProgress.objects.get(enrollment=enrollment).completed_at is not None


def test_watching_the_same_part_twice_counts_once(course_lecture):
    enrollment, lecture = course_lecture
    claims = claims_for(enrollment, lecture)
    progress_apply(entries=watch(claims, until=60))
    progress_apply(entries=watch(claims, until=60, t0=T0 + 1000))
    row = LectureProgress.objects.get(enrollment=enrollment)
    assert row.watched_seconds == 60
    assert row.completed_at is None
    progress_apply(entries=watch(claims, start=60, until=110, t0=T0 + 2000))  # 110/120 > 90 %
    assert LectureProgress.objects.get(enrollment=enrollment).completed_at is not None


def test_intervals_merge_when_they_touch_or_overlap():
    assert merge_intervals([[10, 20], [0, 5], [19, 30], [40, 50], [5.2, 8]]) == [[0, 8], [10, 30], [40, 50]]


def test_applying_the_same_batch_twice_changes_nothing(course_lecture):
    enrollment, lecture = course_lecture
    entries = watch(claims_for(enrollment, lecture), until=50)
    progress_apply(entries=entries)
    first = LectureProgress.objects.get(enrollment=enrollment)
    progress_apply(entries=entries)
    again = LectureProgress.objects.get(enrollment=enrollment)
    assert (again.watched, again.position_seconds, again.last_heartbeat_at) == (
        first.watched,
        first.position_seconds,
        first.last_heartbeat_at,
    )


def test_the_last_position_on_any_device_is_the_resume_point(course_lecture):
    enrollment, lecture = course_lecture
    claims = claims_for(enrollment, lecture)
    laptop = watch(claims, until=40)
    phone = [
        beat(claims, at=T0 + 100, position=40, event="play"),
        beat(claims, at=T0 + 110, position=50, played_from=40),
    ]
    progress_apply(entries=phone + laptop)  # arrival order does not matter
    enrollment.refresh_from_db()
    row = LectureProgress.objects.get(enrollment=enrollment)
    assert row.position_seconds == 50
    assert (enrollment.last_lecture_id, enrollment.last_position_seconds) == (lecture.pk, 50)


def test_completing_every_lecture_issues_a_certificate_and_emails_it(
    course_lecture, django_capture_on_commit_callbacks
):
    enrollment, lecture = course_lecture
    second = LectureFactory(course=lecture.course, duration_seconds=60)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        progress_apply(entries=watch(claims_for(enrollment, lecture), until=120))
        assert not Certificate.objects.exists()
        progress_apply(entries=watch(claims_for(enrollment, second, 60), until=60, t0=T0 + 500))
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).completed_at is not None
    assert len(callbacks) == 1  # the outbox sends the certificate email after the commit
    from courses.learning.services import certificate_email_send
    from production.models import EmailLog
    from production.outbox.mailer import emails_send_due

    # Queued in the outbox with the certificate, in the same transaction: nothing to lose on the way.
    (logged,) = EmailLog.objects.filter(kind=EmailLog.Kind.LEARNER_CERTIFICATE)
    assert certificate_email_send(certificate_id=certificate.pk) is False  # once
    assert emails_send_due() == 1
    (message,) = mail.outbox
    assert message.to == [enrollment.user.email]
    assert f"/certificates/{certificate.uid}/" in message.body
    assert message.attachments[0][0] == "certificate.pdf"
    assert message.attachments[0][1][:5] == b"%PDF-"
    assert message.extra_headers["Message-ID"] == logged.message_id


def _post_heartbeats(client, enrollment, lecture, entries):
    token = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=120
    )
    for entry in entries:
        data = {"token": token, "position": entry["p"], "event": entry["ev"]}
        if entry["f"] is not None:
            data["played_from"] = entry["f"]
        assert client.post("/progress/heartbeat/", data).status_code == 204


def test_the_heartbeat_request_writes_nothing_to_the_database(
    client, course_lecture, django_assert_num_queries
):
    enrollment, lecture = course_lecture
    client.force_login(enrollment.user)
    token = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=120
    )
    with django_assert_num_queries(2):  # the session and the user, nothing else
        response = client.post("/progress/heartbeat/", {"token": token, "position": 12.5, "event": "pause"})
    assert response.status_code == 204
    assert not LectureProgress.objects.exists()
    assert progress.buffer().pending() == 1


def test_a_heartbeat_with_another_learners_token_is_refused(client, course_lecture):
    enrollment, lecture = course_lecture
    other = EnrollmentFactory(course=lecture.course)
    client.force_login(other.user)
    token = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=120
    )
    response = client.post("/progress/heartbeat/", {"token": token, "position": 10})
    assert response.status_code == 403
    assert progress.buffer().pending() == 0


def test_a_heartbeat_needs_the_csrf_token(course_lecture):
    from django.test import Client

    enrollment, lecture = course_lecture
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrollment.user)
    token = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=1
    )
    assert client.post("/progress/heartbeat/", {"token": token, "position": 1}).status_code == 403


def test_a_heartbeat_with_a_bad_position_names_the_field(client, course_lecture):
    enrollment, lecture = course_lecture
    client.force_login(enrollment.user)
    token = progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=1
    )
    response = client.post("/progress/heartbeat/", {"token": token, "position": "soon"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("position:")


def _flush_roundtrip(client, course_lecture):
    enrollment, lecture = course_lecture
    client.force_login(enrollment.user)
    import time as _time

    now = _time.time()
    _post_heartbeats(
        client,
        enrollment,
        lecture,
        [beat(claims_for(enrollment, lecture), at=now, position=30, event="play")],
    )
    assert progress.latest_position(enrollment_id=enrollment.pk, lecture_id=lecture.pk)[0] == 30
    assert progress_flush() == 1
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert row.position_seconds == 30
    assert progress.buffer().pending() == 0
    assert progress_flush() == 0
    # a batch left behind by a flush that died before deleting it is applied (once) next time
    entries = [
        beat(claims_for(enrollment, lecture), at=now + 1, position=31, event="play"),
        beat(claims_for(enrollment, lecture), at=now + 11, position=41, played_from=31),
    ]
    return enrollment, lecture, entries


def test_the_flush_moves_buffered_heartbeats_into_the_database_with_redis(
    client, course_lecture, redis_url, settings
):
    settings.REDIS_URL = redis_url
    enrollment, lecture, entries = _flush_roundtrip(client, course_lecture)
    buffer = progress.buffer()
    import json

    buffer.client.rpush(progress.PROCESSING_KEY, *[json.dumps(e) for e in entries])
    _post_heartbeats(client, enrollment, lecture, [])
    boom = {"n": 0}

    def failing(batch):
        boom["n"] += 1
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        buffer.drain(failing)
    assert buffer.pending() == 2  # nothing lost
    assert progress_flush() == 2
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert (row.position_seconds, row.watched) == (41, [[31.0, 41.0]])
    assert buffer.pending() == 0


def test_the_flush_moves_buffered_heartbeats_into_the_database_without_redis(client, course_lecture):
    enrollment, lecture, entries = _flush_roundtrip(client, course_lecture)
    buffer = progress.buffer()
    for entry in entries:
        buffer.append(entry)

    with pytest.raises(RuntimeError):
        buffer.drain(lambda batch: (_ for _ in ()).throw(RuntimeError("worker died")))
    assert buffer.pending() == 2
    assert progress_flush() == 2
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert (row.position_seconds, row.watched) == (41, [[31.0, 41.0]])


def test_one_flush_upserts_many_learners_in_a_constant_number_of_queries(django_assert_max_num_queries):
    lecture = LectureFactory(duration_seconds=120)
    enrollments = [EnrollmentFactory(course=lecture.course) for _ in range(30)]
    entries = [e for enrollment in enrollments for e in watch(claims_for(enrollment, lecture), until=30)]
    with django_assert_max_num_queries(8):
        progress_apply(entries=entries)
    assert LectureProgress.objects.filter(lecture=lecture, position_seconds=30).count() == 30


def test_the_flush_ignores_heartbeats_sent_after_unenrolling(course_lecture):
    """A playback token outlives an unenrollment (it is checked without the database)."""
    from courses.learning.services import enrollment_leave

    enrollment, lecture = course_lecture
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=enrollment.enrolled_at - dt.timedelta(hours=1)
    )
    claims = claims_for(enrollment, lecture)
    enrollment = enrollment_leave(enrollment=enrollment)
    left = enrollment.left_at.timestamp()
    before = [
        beat(claims, at=left - 20, position=10, event="play"),
        beat(claims, at=left - 10, position=20, played_from=10),
    ]
    after = [beat(claims, at=left + 10 * n, position=20 + 10 * n, played_from=10 + 10 * n) for n in (1, 2)]
    progress_apply(entries=before + after)
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert (row.position_seconds, row.watched) == (20, [[10.0, 20.0]])  # what was watched before leaving


def test_the_flush_ignores_heartbeats_sent_while_unenrolled_after_enrolling_again(course_lecture):
    from courses.learning.services import enrollment_create, enrollment_leave

    enrollment, lecture = course_lecture
    claims = claims_for(enrollment, lecture)
    enrollment_leave(enrollment=enrollment)
    hour = dt.timedelta(hours=1)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=enrollment.enrolled_at - 2 * hour, left_at=enrollment.enrolled_at - hour
    )
    left = (enrollment.enrolled_at - hour).timestamp()
    while_left = [
        beat(claims, at=left + 60, position=0, event="play"),
        beat(claims, at=left + 70, position=10, played_from=0),
    ]
    again = enrollment_create(user=enrollment.user, course=lecture.course)
    assert again.pk == enrollment.pk  # the same enrollment, so the old token names it again
    back = again.enrolled_at.timestamp()
    progress_apply(entries=[*while_left, beat(claims, at=back + 1, position=5, event="play")])
    row = LectureProgress.objects.get(enrollment=enrollment, lecture=lecture)
    assert (row.position_seconds, row.watched) == (5, [])


def test_the_flush_ignores_heartbeats_of_a_deleted_enrollment(course_lecture):
    enrollment, lecture = course_lecture
    entries = watch(claims_for(enrollment, lecture), until=30)
    enrollment.delete()
    assert progress_apply(entries=entries)["rows"] == 0
    assert not LectureProgress.objects.exists()
