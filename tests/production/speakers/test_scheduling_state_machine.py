"""A Hypothesis state machine of scheduling: random sequences of creating, rescheduling, holding,
resuming and cancelling sessions and pre-talks, adding and removing speakers, speakers' answers,
SMTP answering 250/451/550, reminder scans and the clock moving across the night the clocks go back
in Amsterdam (26 October 2025). After every step the mailbox (a real aiosmtpd server, read in
arrival order), the outbox and the board must agree with the database:

- SEQUENCE never goes down, per speaker and item, in arrival order;
- per speaker and item, what is still queued says the current truth, at most one message is queued,
  and once nothing is queued (and the address works) the last delivered message is the truth:
  the item's UID, METHOD matching its state, its current SEQUENCE, start and end;
- no reminder is pending, queued or delivered for a held or cancelled item or a declined or removed
  speaker, and no reminder arrives twice;
- the board's readiness equals a recomputation from scratch.

Every example runs in its own savepoint (rolled back afterwards) with a frozen clock the services
read through ``django.utils.timezone.now``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from production.models import EmailLog, PreTalk, RecordingSession, Rsvp
from production.outbox.mailer import emails_send_due
from production.outbox.reminders.scanning import reminders_scan
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, make_production
from tests.support.machines import REFUSED, call, pick, run_machine

from .scheduling_model import AMS, SPEAKERS, ScheduleModel
from .smtp import ScriptedSMTP

pytestmark = pytest.mark.django_db

SMTP_ANSWERS = {"250": "250 OK", "451": "451 4.3.0 try again later", "550": "550 5.1.1 no such user"}

# Starts on a half hour, up to four days after "now" (so reminders come due within a few steps), or
# in the night the clocks go back: from 01:30 summer time to 02:30 winter time (02:00-03:00 happens
# twice that night).
offsets = st.integers(min_value=1, max_value=8 * 24).map(lambda halves: timedelta(minutes=30 * halves))
DST_NIGHT = [datetime(2025, 10, 25, 23, 30, tzinfo=UTC) + timedelta(minutes=30 * k) for k in range(5)]
starts = st.one_of(offsets, st.sampled_from(DST_NIGHT))
durations = st.sampled_from([30, 60, 90, 120, 240]).map(lambda minutes: timedelta(minutes=minutes))
some_speakers = st.sets(st.integers(0, SPEAKERS - 1), min_size=1)


class Scheduling(ScheduleModel):
    # --- rules: the schedule --------------------------------------------------------------

    def _start(self, when) -> datetime:
        """``when`` is an offset from now, or an instant in the night of the change (if still ahead)."""
        if isinstance(when, timedelta):
            return self._now() + when
        return when if when > self._now() else self._now() + timedelta(hours=2)

    @rule(when=starts, duration=durations, who=some_speakers, scheduled=st.booleans())
    def create_session(self, when, duration, who, scheduled):
        starts = self._start(when)
        session = call(
            scheduling.recording_session_create,
            production=self.production,
            starts_at=starts,
            ends_at=starts + duration,
            lectures=self.lectures[: 1 + starts.hour % 3],
            speakers=[self.speakers[i] for i in sorted(who)],
            state="scheduled" if scheduled else "tentative",
            by=None,
        )
        if session is not None:
            self.items.append(("session", session.pk))
            self.answers[("session", session.pk)] = {self.speakers[i].pk: Rsvp.PENDING for i in who}
            if starts.astimezone(AMS).utcoffset() != (starts + duration).astimezone(AMS).utcoffset():
                event("a session spans the change of the clocks")

    @rule(when=starts, minutes=st.sampled_from([30, 45, 90]), who=some_speakers)
    def create_pretalk(self, when, minutes, who):
        pretalk = call(
            scheduling.pretalk_create,
            production=self.production,
            starts_at=self._start(when),
            duration_minutes=minutes,
            mode=PreTalk.Mode.ONLINE,
            video_link="https://meet.example.org/pretalk",
            lectures=self.lectures[:1],
            speakers=[self.speakers[i] for i in sorted(who)],
            by=None,
        )
        if pretalk is not None:
            self.items.append(("pretalk", pretalk.pk))
            self.answers[("pretalk", pretalk.pk)] = {self.speakers[i].pk: Rsvp.PENDING for i in who}

    @precondition(lambda self: self.items)
    @rule(index=pick, when=starts, duration=durations)
    def reschedule(self, index, when, duration):
        target, obj = self._item(index)
        starts = self._start(when)
        before = (obj.starts_at, obj.ends_at)
        if target == "session":
            done = call(
                scheduling.recording_session_update,
                session=obj,
                starts_at=starts,
                ends_at=starts + duration,
                by=None,
            )
        else:
            minutes = duration.seconds // 60
            done = call(
                scheduling.pretalk_update, pretalk=obj, starts_at=starts, duration_minutes=minutes, by=None
            )
        if done is not None and (done.starts_at, done.ends_at) != before:
            self._asked_again((target, obj.pk))

    def _asked_again(self, key) -> None:
        """A significant change: every speaker on the item has no answer (yet) to the new version."""
        self.answers[key] = dict.fromkeys(self.answers[key], Rsvp.PENDING)

    @precondition(lambda self: any(t == "session" for t, _pk in self.items))
    @rule(days=st.integers(min_value=0, max_value=30))
    def postpone_recordings(self, days):
        call(
            scheduling.production_postpone_recordings,
            productions=[self.production],
            until=timezone.localdate() + timedelta(days=days),
            reason="lockdown",
            by=None,
        )

    @precondition(lambda self: any(t == "session" for t, _pk in self.items))
    @rule(index=pick, to=st.sampled_from(["scheduled", "tentative"]))
    def resume(self, index, to):
        _target, session = self._item(index, "session")
        if session.state != RecordingSession.State.ON_HOLD:
            return
        if call(scheduling.recording_session_transition, session=session, to_state=to, by=None) is not None:
            self._asked_again(("session", session.pk))

    @precondition(lambda self: self.items)
    @rule(index=pick)
    def cancel(self, index):
        target, obj = self._item(index)
        if target == "session":
            call(
                scheduling.recording_session_transition,
                session=obj,
                to_state="cancelled",
                reason="budget",
                by=None,
            )
        else:
            call(scheduling.pretalk_cancel, pretalk=obj, reason="budget", by=None)

    @precondition(lambda self: self.items)
    @rule(index=pick, who=st.integers(0, SPEAKERS - 1))
    def add_speaker(self, index, who):
        target, obj = self._item(index)
        if target == "session":
            added = call(
                scheduling.recording_session_add_speaker, session=obj, speaker=self._speaker(who), by=None
            )
        else:
            added = call(scheduling.pretalk_add_speaker, pretalk=obj, speaker=self._speaker(who), by=None)
        if added is not None:
            self.answers[(target, obj.pk)][added.speaker_id] = Rsvp.PENDING

    @precondition(lambda self: self.items)
    @rule(index=pick, who=st.integers(0, SPEAKERS - 1))
    def remove_speaker(self, index, who):
        target, obj = self._item(index)
        speaker = self._speaker(who)
        remove = (
            scheduling.recording_session_remove_speaker
            if target == "session"
            else scheduling.pretalk_remove_speaker
        )
        removed = call(
            remove,
            **{"session" if target == "session" else "pretalk": obj},
            speaker=speaker,
            reason="ill",
            by=None,
        )
        if removed is not REFUSED:
            self.answers[(target, obj.pk)].pop(speaker.pk, None)

    @precondition(lambda self: self.items)
    @rule(index=pick, who=pick, answer=st.sampled_from([Rsvp.ACCEPTED, Rsvp.DECLINED, Rsvp.PENDING]))
    def speaker_answers(self, index, who, answer):
        target, obj = self._item(index)
        attendances = self._attendances(target, obj)
        if attendances:
            attendance = attendances[who % len(attendances)]
            answered = call(
                scheduling.attendance_respond,
                attendance=attendance,
                rsvp=answer,
                decline_reason="on holiday" if answer == Rsvp.DECLINED else "",
                by=None,
            )
            if answered is not None:
                self.answers[(target, obj.pk)][attendance.speaker_id] = answer

    # --- rules: the outside world ---------------------------------------------------------

    @rule(answers=st.lists(st.sampled_from(["250", "250", "451", "451", "550"]), min_size=1, max_size=3))
    def smtp_answers_next(self, answers):
        self.handler.answers.extend(SMTP_ANSWERS[a] for a in answers)

    @rule()
    def send_due(self):
        """The mail worker's scan (the backoff has passed: the example's clock is in the past)."""
        before = EmailLog.objects.filter(state=EmailLog.State.SUPERSEDED).count()
        emails_send_due()
        if EmailLog.objects.filter(state=EmailLog.State.SUPERSEDED).count() > before:
            event("the send path superseded a message")

    @rule()
    def reminder_scan(self):
        reminders_scan()

    @rule(hours=st.sampled_from([1, 6, 23, 25, 49]), scan=st.booleans())
    def clock_moves(self, hours, scan):
        """Time passes (and, as beat does every minute, the reminder scan may run)."""
        self.clock.shift(timedelta(hours=hours))
        if scan:
            reminders_scan()


def test_scheduling_keeps_mailboxes_reminders_and_readiness_true(settings):
    server = ScriptedSMTP()
    run_machine(
        Scheduling,
        server=server,
        examples=40,
        steps=20,
        smtp=server.start(settings),
        production=make_production(lectures=3),
        speakers=[SpeakerFactory(language="nl" if i % 2 else "en") for i in range(SPEAKERS)],
    )
