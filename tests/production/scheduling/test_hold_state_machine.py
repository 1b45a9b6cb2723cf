"""A Hypothesis state machine of holds and their undo (ADR 0024): random sequences of previews,
holds (a production's recordings or one session, confirmed from a preview), undos, the outbox
sending everything or one message, the clock moving (past the ten minutes, or not), and a second
producer changing a session meanwhile. The mailbox is a real aiosmtpd server
(``tests/support/mailbox.py``); the .ics are parsed with ``icalendar``. After every step:

- each speaker's mailbox, read in arrival order as a calendar app does, ends at the truth once
  nothing is queued for them (METHOD by the session's state, its SEQUENCE, start and end), and no
  message arrives stale (lower SEQUENCE, or a REQUEST not above a CANCEL);
- no calendar message reaches a speaker twice; at most one is queued per speaker and session;
- an undo restores all of its sessions or none; what it restores is what the hold found;
- no reminder is pending for a held session, and every reminder a hold dropped that is still ahead
  is pending again after its undo.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from omooc.exceptions import ApplicationError
from production.models import EmailLog, HistoryEntry, HoldBatch, RecordingSession, Reminder, SessionSpeaker
from production.outbox.mailer import email_send, emails_send_due
from production.scheduling import services as scheduling
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, make_production
from tests.support.machines import SavepointMachine, call, pick, run_machine
from tests.support.mailbox import SMTPServer, point_email_at

from .mailboxes import calendars, duplicates

pytestmark = pytest.mark.usefixtures("postgres")

State = RecordingSession.State
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPEAKERS = 3


def _sessions_now():
    return {
        s.pk: (s.state, s.hold_until, s.hold_reason, s.ical_sequence, s.starts_at)
        for s in RecordingSession.objects.order_by("pk")
    }


class Holds(SavepointMachine):
    box = None
    production = None
    speakers: list = []
    producers: list = []
    start = START

    def __init__(self) -> None:
        super().__init__()
        self.box.raw.clear()
        self.box.parsed = None
        self.lectures = list(self.production.course.lectures.all())
        self.made = 0

    def _session(self, index: int):
        sessions = list(RecordingSession.objects.order_by("pk"))
        return sessions[index % len(sessions)] if sessions else None

    # --- rules ----------------------------------------------------------------------------

    @initialize(sessions=st.integers(min_value=1, max_value=3), sent=st.booleans())
    def a_planned_production(self, sessions, sent):
        """A production with sessions planned, their invitations sent (or still queued)."""
        for i in range(sessions):
            self.plan_a_session(days=8 + 3 * i, who={i % SPEAKERS, (i + 1) % SPEAKERS})
        if sent:
            emails_send_due()

    @rule(days=st.integers(min_value=8, max_value=20), who=st.sets(st.integers(0, SPEAKERS - 1), min_size=1))
    def plan_a_session(self, days, who):
        starts = timezone.now() + timedelta(days=days, hours=self.made)
        self.made += 1
        call(
            scheduling.recording_session_create,
            production=self.production,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            lectures=self.lectures,
            speakers=[self.speakers[i] for i in sorted(who)],
            state="scheduled",
            by=self.producers[0],
        )

    @precondition(lambda self: RecordingSession.objects.exists())
    @rule(
        days=st.integers(min_value=0, max_value=40),
        one=st.booleans(),
        index=pick,
        confirm=st.booleans(),
        send=st.booleans(),
    )
    def hold(self, days, one, index, confirm, send):
        """The producer previews a hold and (maybe) confirms the very plan they saw."""
        scope = {"session": self._session(index)} if one else {"productions": [self.production]}
        until = timezone.localdate() + timedelta(days=days)
        before = (_sessions_now(), EmailLog.objects.count(), HoldBatch.objects.count())
        try:
            plan = scheduling.hold_plan(**scope, until=until, reason=f"lockdown {days}")
        except ApplicationError:
            event("a hold was refused (a closed session)")
            return
        assert (_sessions_now(), EmailLog.objects.count(), HoldBatch.objects.count()) == before
        if not confirm:
            return
        result = call(
            scheduling.hold_apply,
            **scope,
            until=until,
            reason=f"lockdown {days}",
            expected=plan.fingerprint,
            by=self.producers[0],
        )
        assert result is not None, "nothing changed since the preview: the plan applies"
        _plan, batch = result
        # What the preview announced is what was queued: a postponement for exactly those speakers.
        for held in plan.sessions:
            emailed = {m.speaker.pk for m in held.messages if m.emailed}
            queued = set(
                EmailLog.objects.filter(
                    target_type="session", target_id=held.session.pk, state="queued", ics_method="CANCEL"
                ).values_list("speaker_id", flat=True)
            )
            assert queued == emailed, (held.session.pk, queued, emailed)
        if batch is not None:
            event("a hold was applied")
        if send:
            emails_send_due()  # the postponements leave at once

    @precondition(lambda self: HoldBatch.objects.exists())
    @rule(index=pick, newest=st.booleans())
    def undo(self, index, newest):
        """Undo the newest hold (what the banner offers) or any earlier one."""
        batches = list(HoldBatch.objects.order_by("pk"))
        batch = batches[-1] if newest else batches[index % len(batches)]
        items = list(batch.items.all())
        before = _sessions_now()
        result = call(scheduling.hold_undo, batch=batch, by=self.producers[0])
        after = _sessions_now()
        if result is None:
            assert after == before, "a refused undo changes nothing"
            event("an undo was refused")
            return
        event("an undo went through" + (" with corrections" if result.corrections else ""))
        for item in items:
            state, until, reason, sequence, _starts = after[item.session_id]
            assert (state, until, reason) == (
                item.previous_state,
                item.previous_hold_until,
                item.previous_hold_reason,
            ), "every session of the hold is back, none half"
            assert sequence >= item.previous_sequence
        ahead = Reminder.objects.filter(
            pk__in=[pk for i in items for pk in i.reminder_ids], due_at__gt=timezone.now()
        )
        assert not ahead.exclude(state=Reminder.State.PENDING).exists(), "dropped reminders are back"

    @rule()
    def outbox_sends_everything(self):
        emails_send_due()

    @precondition(lambda self: EmailLog.objects.filter(state="queued").exists())
    @rule(index=pick)
    def outbox_sends_one(self, index):
        queued = list(EmailLog.objects.filter(state="queued").order_by("pk").values_list("pk", flat=True))
        email_send(email_id=queued[index % len(queued)])
        event("one message left the outbox")

    @rule(minutes=st.sampled_from([3, 3, 11]))
    def clock_moves(self, minutes):
        self.clock.shift(timedelta(minutes=minutes))

    @precondition(lambda self: RecordingSession.objects.exists())
    @rule(index=pick, what=st.sampled_from(["reschedule", "resume", "add_speaker", "cancel"]))
    def second_producer_changes_a_session(self, index, what):
        session = self._session(index)
        other = self.producers[1]
        if what == "reschedule":
            call(
                scheduling.recording_session_update,
                session=session,
                starts_at=session.starts_at + timedelta(days=1),
                ends_at=session.ends_at + timedelta(days=1),
                by=other,
            )
        elif what == "resume":
            call(scheduling.recording_session_transition, session=session, to_state="scheduled", by=other)
        elif what == "add_speaker":
            on = set(SessionSpeaker.objects.filter(session=session).values_list("speaker_id", flat=True))
            free = [s for s in self.speakers if s.pk not in on]
            if free:
                call(scheduling.recording_session_add_speaker, session=session, speaker=free[0], by=other)
        else:
            call(
                scheduling.recording_session_transition,
                session=session,
                to_state="cancelled",
                reason="budget",
                by=other,
            )

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def mailboxes_end_at_the_truth_without_duplicates(self):
        ends = calendars(self.box)  # asserts nothing arrived stale
        assert duplicates(self.box) == []
        sessions = list(RecordingSession.objects.all())
        on = {(a.session_id, a.speaker_id) for a in SessionSpeaker.objects.all()}
        rows = list(
            EmailLog.objects.filter(ics_method__in=("REQUEST", "CANCEL")).values_list(
                "target_id", "speaker_id", "state", "ics_method", "ics_sequence"
            )
        )
        for session in sessions:
            want = "REQUEST" if session.state in (State.TENTATIVE, State.SCHEDULED) else "CANCEL"
            for speaker in self.speakers:
                mine = [r for r in rows if (r[0], r[1]) == (session.pk, speaker.pk)]
                queued = [r for r in mine if r[2] == "queued"]
                assert len(queued) <= 1, f"one queued calendar message per speaker and session: {queued}"
                on_it = (session.pk, speaker.pk) in on
                expected = want if on_it else "CANCEL"
                if queued:
                    assert queued[0][3] == expected
                    if on_it:
                        assert queued[0][4] == session.ical_sequence
                    continue
                got = ends.get((speaker.email, str(session.ical_uid)))
                if got is None:
                    assert not (on_it and want == "REQUEST"), (
                        "a speaker on a planned session has no invitation"
                    )
                    continue
                method, sequence, vevent = got
                assert method == expected, (session.pk, speaker.pk, method, expected)
                if on_it and session.state != State.RECORDED:
                    assert sequence == session.ical_sequence, (session.pk, speaker.pk)
                    assert vevent["dtstart"].dt == session.starts_at

    @invariant()
    def an_undo_restored_all_of_its_sessions_or_none(self):
        # The clock stands still between steps, so two undos can share an instant: the holds undone at
        # one instant together restored every one of their sessions (one history entry each) or none.
        by_instant: dict = {}
        for batch in HoldBatch.objects.exclude(undone_at=None):
            items = list(batch.items.values_list("session_id", flat=True))
            by_instant.setdefault(batch.undone_at, []).extend(items)
        for instant, ids in by_instant.items():
            undone = HistoryEntry.objects.filter(action="hold_undone", object_id__in=ids, at=instant)
            assert undone.count() == len(ids)

    @invariant()
    def no_reminder_pending_for_a_held_session(self):
        held = RecordingSession.objects.exclude(state__in=(State.TENTATIVE, State.SCHEDULED))
        pending = Reminder.objects.filter(
            target_type="session", target_id__in=held.values("pk"), state=Reminder.State.PENDING
        )
        assert not pending.exists()


def test_holds_and_undo_keep_every_mailbox_true(settings):
    server = SMTPServer()
    point_email_at(settings, server.port)
    box = server.start()
    producers = [UserFactory(producer=True), UserFactory(producer=True)]
    run_machine(
        Holds,
        server=server,
        examples=30,
        steps=15,
        box=box,
        producers=producers,
        production=make_production(lectures=2, team=producers),
        speakers=[SpeakerFactory(language="nl" if i % 2 else "en") for i in range(SPEAKERS)],
    )
