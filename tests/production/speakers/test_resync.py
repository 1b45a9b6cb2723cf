"""The periodic calendar re-sync: a change whose after-commit calendar sync failed (a database
hiccup, a bug, the worker killed between the commit and the sync) still reaches the speaker.

``calendar_resync`` (beat task ``production.calendar_resync``) re-runs ``calendar_sync`` for every
unfinished item whose speakers' calendar messages are not what the item's state asks for. The mail
goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from production.models import EmailLog, PreTalk, RecordingSession
from production.outbox import calendar_messages
from production.outbox.calendar_resync import calendar_resync
from production.outbox.mailer import emails_send_due
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, at, make_pretalk, make_production, make_session

from .helpers import calendar_part, replay

pytestmark = pytest.mark.django_db

# Queries of a re-sync run that finds every calendar in line, however many items it checks:
# unfinished sessions, unfinished pre-talks, their speakers (two tables), their calendar messages.
IN_LINE_QUERIES = 5


@pytest.fixture
def resync(send):
    """One run of the beat task's service, then the outbox is delivered."""

    def run(**kwargs):
        return send(calendar_resync, **kwargs)

    return run


class FailOnce:
    """Armed, the next speaker calendar email raises a database error inside ``calendar_sync``:
    the whole sync rolls back, the committed change stays (``on_item_changed`` logs it and goes on)."""

    def __init__(self, real) -> None:
        self.real, self.armed, self.raised = real, False, 0

    def __call__(self) -> None:
        self.armed = True

    def email(self, **kwargs):
        if self.armed:
            self.armed, self.raised = False, self.raised + 1
            raise OperationalError("server closed the connection unexpectedly")
        return self.real(**kwargs)

    def check(self) -> None:
        assert not self.armed and self.raised, "the sync really failed"


@pytest.fixture
def sync_fails_once(monkeypatch):
    fail = FailOnce(calendar_messages.speaker_calendar_email)
    monkeypatch.setattr(calendar_messages, "speaker_calendar_email", fail.email)
    return fail


def _event(message):
    return next(iter(calendar_part(message)[1].walk("VEVENT")))


def _to(smtp_server, speaker) -> list:
    return [m for m in smtp_server.messages if speaker.email in m["To"]]


def test_a_reschedule_whose_calendar_sync_failed_reaches_the_speaker_at_the_next_resync(
    smtp_server, send, resync, sync_fails_once, caplog
):
    speaker = SpeakerFactory(email="femke@example.org")
    session = send(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, speaker)] == ["invitation"]

    sync_fails_once()
    with caplog.at_level(logging.ERROR, logger="production.outbox.calendar_messages"):
        send.reschedule(session, at(12, 14), at(12, 16))
    sync_fails_once.check()
    session.refresh_from_db()
    assert session.starts_at == at(12, 14) and session.ical_sequence == 1, "the change is committed"
    assert "speaker emails for session" in caplog.text
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, speaker)] == ["invitation"], "no update yet"

    result = resync()
    messages = _to(smtp_server, speaker)
    assert [m["X-OMOOC-Kind"] for m in messages] == ["invitation", "update"]
    method, _cal = calendar_part(messages[-1])
    event = _event(messages[-1])
    assert method == "REQUEST" and int(event["sequence"]) == 1
    assert event["dtstart"].dt == session.starts_at
    assert result["resynced"] == 1 and result["queued"] == 1 and result["failed"] == 0

    from production.outbox.tasks import calendar_resync_task

    again = send(calendar_resync_task)  # the beat task itself
    assert len(_to(smtp_server, speaker)) == 2, "a second run adds nothing"
    assert again == {"checked": again["checked"], "resynced": 0, "queued": 0, "failed": 0}
    assert EmailLog.objects.filter(speaker=speaker).count() == 2


def test_a_hold_whose_sync_failed_gets_its_postponement(smtp_server, send, resync, sync_fails_once):
    speaker = SpeakerFactory(email="gijs@example.org")
    production = make_production(lectures=1)
    session = send(make_session, production=production, days=10, speakers=[speaker])

    sync_fails_once()
    send.postpone(production, days=30)
    sync_fails_once.check()
    session.refresh_from_db()
    assert session.state == RecordingSession.State.ON_HOLD
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, speaker)] == ["invitation"]

    resync()
    resync()
    messages = _to(smtp_server, speaker)
    assert [m["X-OMOOC-Kind"] for m in messages] == ["invitation", "postponement"]
    assert calendar_part(messages[-1])[0] == "CANCEL"
    assert int(_event(messages[-1])["sequence"]) == session.ical_sequence
    assert replay(messages) == {str(_event(messages[0])["uid"]): "CANCELLED"}


def test_a_cancelled_pretalk_and_an_added_and_a_removed_speaker_are_put_right(
    smtp_server, send, resync, sync_fails_once
):
    anna, bram, cato = (SpeakerFactory(email=f"{n}@example.org") for n in ("anna", "bram", "cato"))
    production = make_production(lectures=1)
    lectures = list(production.course.lectures.all())
    pretalk = send(
        make_pretalk,
        production=production,
        starts_at=at(5, 15),
        lectures=lectures,
        speakers=[anna],
        video_link="https://meet.example.org/pretalk",
    )
    session = send(make_session, production=production, days=10, speakers=[bram])

    sync_fails_once()
    send(scheduling.pretalk_cancel, pretalk=pretalk, reason="the lecture was dropped", by=None)
    sync_fails_once.check()
    sync_fails_once()
    send(scheduling.recording_session_add_speaker, session=session, speaker=cato, by=None)  # SEQUENCE stays
    sync_fails_once.check()
    assert _to(smtp_server, cato) == []
    sync_fails_once()
    send(scheduling.recording_session_remove_speaker, session=session, speaker=bram, by=None)
    sync_fails_once.check()
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, anna)] == ["invitation"]
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, bram)] == ["invitation"]

    result = resync()
    assert result["resynced"] == 2 and result["queued"] == 3
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, anna)] == ["invitation", "cancellation"]
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, bram)] == ["invitation", "cancellation"]
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, cato)] == ["invitation"]
    session.refresh_from_db()
    assert int(_event(_to(smtp_server, cato)[0])["sequence"]) == session.ical_sequence
    assert resync()["queued"] == 0


def _in_line_world(send, count: int) -> None:
    """``count`` items in every state the re-sync looks at (and a recorded one it skips), each
    with its calendar messages delivered: a former speaker, a held and a cancelled session, a
    planned and a cancelled pre-talk."""
    production = make_production(lectures=1)
    lectures = list(production.course.lectures.all())
    for n in range(count):
        speakers = [SpeakerFactory(), SpeakerFactory()]
        kind = n % 5
        if kind in (0, 1, 2):
            session = send(make_session, production=production, days=10 + n, speakers=speakers)
            if kind == 0:
                send(
                    scheduling.recording_session_remove_speaker, session=session, speaker=speakers[0], by=None
                )
            elif kind == 1:
                send.hold(session, days=40)
            else:
                send.transition(session, "cancelled", reason="x")
        else:
            pretalk = send(
                make_pretalk,
                production=production,
                starts_at=at(3 + n, 9),
                lectures=lectures,
                speakers=speakers,
                video_link="https://meet.example.org/pretalk",
            )
            if kind == 4:
                send(scheduling.pretalk_cancel, pretalk=pretalk, reason="not needed", by=None)


@pytest.mark.parametrize("count", [1, 20])
def test_items_whose_calendars_are_in_line_queue_nothing_with_a_constant_number_of_queries(
    smtp_server, send, count
):
    _in_line_world(send, count)
    delivered = len(smtp_server.messages)
    emails = EmailLog.objects.count()

    with CaptureQueriesContext(connection) as ctx:
        result = calendar_resync()
    assert result == {"checked": count, "resynced": 0, "queued": 0, "failed": 0}
    assert len(ctx.captured_queries) == IN_LINE_QUERIES, [q["sql"][:120] for q in ctx.captured_queries]
    emails_send_due()
    assert len(smtp_server.messages) == delivered and EmailLog.objects.count() == emails


def test_a_message_still_waiting_for_its_retry_counts_as_in_line(smtp_server, send):
    speaker = SpeakerFactory(email="dirk@example.org")
    smtp_server.replies = {speaker.email: "451 4.3.0 try again later"}
    send(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    (waiting,) = EmailLog.objects.filter(speaker=speaker)
    assert waiting.state == EmailLog.State.QUEUED and "451" in waiting.error

    assert calendar_resync()["resynced"] == 0
    waiting.refresh_from_db()
    assert waiting.state == EmailLog.State.QUEUED, "left for the mailer's retry, not superseded"


def test_one_failing_item_is_logged_and_the_others_are_still_resynced(
    smtp_server, send, resync, sync_fails_once, monkeypatch, caplog
):
    eva, joost = SpeakerFactory(email="eva@example.org"), SpeakerFactory(email="joost@example.org")
    production = make_production(lectures=1)
    first = send(make_session, production=production, days=10, speakers=[eva])
    second = send(make_session, production=production, days=11, speakers=[joost])
    for session in (first, second):
        sync_fails_once()
        later = session.starts_at + timedelta(hours=3)
        send.reschedule(session, later, later + timedelta(hours=2))
        sync_fails_once.check()

    real = calendar_messages.calendar_sync

    def broken_for_the_first(*, target_type, target_id):
        if target_id == first.pk:
            raise RuntimeError("a bug in one item")
        return real(target_type=target_type, target_id=target_id)

    monkeypatch.setattr(calendar_messages, "calendar_sync", broken_for_the_first)
    with caplog.at_level(logging.ERROR, logger="production.outbox.calendar_resync"):
        result = resync()
    assert result["failed"] == 1 and result["resynced"] == 1
    assert f"session {first.pk}" in caplog.text and "a bug in one item" in caplog.text
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, eva)] == ["invitation"]
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, joost)] == ["invitation", "update"]

    monkeypatch.setattr(calendar_messages, "calendar_sync", real)
    assert resync()["resynced"] == 1, "the next run tries the failed item again"
    assert [m["X-OMOOC-Kind"] for m in _to(smtp_server, eva)] == ["invitation", "update"]


def test_finished_items_and_long_past_starts_are_left_alone(smtp_server, send, resync, sync_fails_once):
    speaker = SpeakerFactory(email="hanna@example.org")
    production = make_production(lectures=1)
    session = send(make_session, production=production, days=10, speakers=[speaker])
    pretalk = send(
        make_pretalk,
        production=production,
        starts_at=at(4, 9),
        speakers=[speaker],
        video_link="https://meet.example.org/pretalk",
    )
    sync_fails_once()
    send.reschedule(session, at(10, 14), at(10, 16))
    sync_fails_once.check()
    sync_fails_once()
    send(scheduling.pretalk_cancel, pretalk=pretalk, reason="not needed", by=None)
    sync_fails_once.check()
    delivered = len(smtp_server.messages)

    # Two days after the session's start, twelve days after the cancellation: both out of the window.
    assert resync(now=session.starts_at + timedelta(days=2)) == {
        "checked": 0,
        "resynced": 0,
        "queued": 0,
        "failed": 0,
    }
    assert len(smtp_server.messages) == delivered
    # A session recorded (or a pre-talk held) is finished: its calendar entry stays as it is.
    RecordingSession.objects.filter(pk=session.pk).update(state=RecordingSession.State.RECORDED)
    PreTalk.objects.filter(pk=pretalk.pk).update(state=PreTalk.State.HELD)
    assert resync()["checked"] == 0
    assert len(smtp_server.messages) == delivered


def test_the_resync_is_a_periodic_task_on_the_mail_queue():
    from omooc.celery import BEAT_SCHEDULE, app
    from production.outbox.tasks import calendar_resync_task

    (entry,) = [e for e in BEAT_SCHEDULE.values() if e["task"] == calendar_resync_task.name]
    assert entry["schedule"] <= 60 * 60, "at least hourly"
    assert app.amqp.router.route({}, calendar_resync_task.name)["queue"].name == "mail"
