"""Holds planned, applied and undone (ADR 0024), against PostgreSQL and a real SMTP mailbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from production.models import EmailLog, HistoryEntry, HoldBatch, RecordingSession, Reminder
from production.outbox.mailer import emails_send_due
from production.scheduling import services as scheduling
from production.scheduling.services import holds
from tests.production.factories import SpeakerFactory, make_production, make_session

from .mailboxes import calendars, duplicates

pytestmark = pytest.mark.usefixtures("postgres")

State = RecordingSession.State


def _until(days: int = 40):
    return timezone.localdate() + timedelta(days=days)


def _world(run, sessions: int = 3, speakers_each: int = 2, **production_kwargs):
    production = make_production(lectures=1, **production_kwargs)
    speakers = [SpeakerFactory() for _ in range(speakers_each)]
    made = [
        run(make_session, production=production, days=10 + i, speakers=speakers, state="scheduled")
        for i in range(sessions)
    ]
    return production, speakers, made


def _table_state():
    """Everything a preview must leave alone."""
    return (
        list(
            RecordingSession.objects.order_by("pk").values_list(
                "pk", "state", "hold_until", "hold_reason", "ical_sequence", "updated_at"
            )
        ),
        list(EmailLog.objects.order_by("pk").values_list("pk", "state")),
        list(Reminder.objects.order_by("pk").values_list("pk", "state", "due_at")),
        HistoryEntry.objects.count(),
        HoldBatch.objects.count(),
    )


def test_a_preview_writes_nothing_and_announces_nothing(run, mailbox, django_capture_on_commit_callbacks):
    production, _speakers, _sessions = _world(run)
    emails_send_due()
    before = _table_state()
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as announced:
        plan = scheduling.hold_plan(productions=[production], until=_until(), reason="lockdown")
    assert len(plan.sessions) == 3
    assert _table_state() == before
    assert announced == []
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert not any("FOR UPDATE" in q["sql"] for q in queries), "a preview locks nothing"


@pytest.mark.parametrize("sessions", [3, 30])
def test_a_preview_costs_the_same_queries_for_3_and_30_sessions(
    sessions, run, mailbox, django_assert_num_queries
):
    production, _speakers, _made = _world(run, sessions=sessions)
    emails_send_due()
    # The sessions, their speakers, their calendar messages, their pending reminders, and every
    # session of the production for the projected launch: 5, whatever the number of sessions.
    with django_assert_num_queries(5):
        plan = scheduling.hold_plan(productions=[production], until=_until(), reason="lockdown")
    assert len(plan.sessions) == sessions
    assert plan.emails == 2 * sessions


def test_the_preview_says_who_gets_which_email_which_reminders_go_and_where_the_launch_moves(run, mailbox):
    production = make_production(lectures=1, target_launch_on=_until(30), post_production_days=14)
    invited, late = SpeakerFactory(name="Anna Invited"), SpeakerFactory(name="Bert Late")
    first = run(make_session, production=production, days=10, speakers=[invited], state="scheduled")
    emails_send_due()  # Anna's invitation left
    run(scheduling.recording_session_add_speaker, session=first, speaker=late, by=None)  # Bert's waits
    plan = scheduling.hold_plan(productions=[production], until=_until(60), reason="lockdown")
    (held,) = plan.sessions
    kinds = {m.speaker.name: m.kind for m in held.messages}
    assert kinds == {"Anna Invited": holds.Message.POSTPONEMENT, "Bert Late": holds.Message.WITHDRAWN}
    assert plan.emails == 1
    assert {r.speaker_id for r in held.reminders if r.speaker_id} == {invited.pk, late.pk}
    (launch,) = plan.launches
    assert launch.target == _until(30)
    assert launch.before == timezone.localtime(first.ends_at).date() + timedelta(days=14)
    assert launch.after == _until(60) + timedelta(days=14)
    assert launch.days_late == 44

    # What the preview announced is what the hold sends: one postponement (Anna), Bert's invitation
    # withdrawn, and the reminders it listed are cancelled.
    run(scheduling.hold_apply, productions=[production], until=_until(60), reason="lockdown", by=None)
    emails_send_due()
    postponements = [m for m in mailbox.messages if m["X-OMOOC-Kind"] == EmailLog.Kind.POSTPONEMENT]
    assert [m["To"].addresses[0].addr_spec for m in postponements] == [invited.email]
    assert not [m for m in mailbox.messages if m["To"].addresses[0].addr_spec == late.email]
    assert not Reminder.objects.filter(pk__in=[r.pk for r in held.reminders], state="pending").exists()


def test_confirming_a_preview_that_no_longer_holds_changes_nothing(run, mailbox):
    production, _speakers, sessions = _world(run)
    plan = scheduling.hold_plan(productions=[production], until=_until(), reason="lockdown")
    run(  # a colleague reschedules one of the sessions meanwhile
        scheduling.recording_session_update,
        session=sessions[0],
        starts_at=sessions[0].starts_at + timedelta(days=1),
        ends_at=sessions[0].ends_at + timedelta(days=1),
        by=None,
    )
    before = _table_state()
    with pytest.raises(holds.HoldPlanChangedError, match="changed after the preview"):
        scheduling.hold_apply(
            productions=[production], until=_until(), reason="lockdown", expected=plan.fingerprint, by=None
        )
    assert _table_state() == before


def test_undo_before_anything_left_the_outbox_sends_nothing_and_restores_everything(run, mailbox):
    production, speakers, sessions = _world(run)
    emails_send_due()
    invitations = len(mailbox.messages)
    reminders = set(Reminder.objects.filter(state="pending").values_list("pk", flat=True))
    sequences = {s.pk: s.ical_sequence for s in RecordingSession.objects.all()}
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    assert EmailLog.objects.filter(kind=EmailLog.Kind.POSTPONEMENT, state="queued").count() == 6
    assert not Reminder.objects.filter(pk__in=reminders, state="pending").exists()

    result = run(scheduling.hold_undo, batch=batch, by=None)
    emails_send_due()
    assert len(mailbox.messages) == invitations, "nothing more reached anybody"
    assert (result.sessions, result.corrections, result.withdrawn) == (3, 0, 6)
    assert not EmailLog.objects.filter(state="queued").exists()
    for s in RecordingSession.objects.all():
        assert (s.state, s.hold_until, s.hold_reason) == (State.SCHEDULED, None, "")
        assert s.ical_sequence == sequences[s.pk], "no calendar ever saw the hold"
    assert set(Reminder.objects.filter(state="pending").values_list("pk", flat=True)) == reminders
    for (_recipient, _uid), (method, _seq, _event) in calendars(mailbox).items():
        assert method == "REQUEST"


def test_undo_after_the_postponements_left_sends_each_speaker_exactly_one_correction(run, mailbox):
    production, speakers, sessions = _world(run)
    emails_send_due()
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    emails_send_due()  # 6 postponements reach the speakers
    arrived = len(mailbox.messages)
    result = run(scheduling.hold_undo, batch=batch, by=None)
    emails_send_due()
    corrections = mailbox.messages[arrived:]
    assert len(corrections) == 6 and result.corrections == 3
    assert {m["X-OMOOC-Kind"] for m in corrections} == {EmailLog.Kind.INVITATION}
    assert duplicates(mailbox) == []
    truth = {str(s.ical_uid): s for s in RecordingSession.objects.all()}
    ends = calendars(mailbox)
    for speaker in speakers:
        for uid, session in truth.items():
            method, sequence, vevent = ends[(speaker.email, uid)]
            assert (method, sequence) == ("REQUEST", session.ical_sequence)
            assert vevent["dtstart"].dt == session.starts_at
    emails_send_due()
    assert len(mailbox.messages) == arrived + 6, "and nothing after that"


def test_undo_is_refused_after_ten_minutes_saying_so(run, mailbox):
    production, _speakers, _sessions = _world(run)
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    later = timezone.now() + timedelta(minutes=10, seconds=1)
    with (
        time_machine.travel(later),
        pytest.raises(holds.HoldUndoRefusedError, match="too late") as refused,
    ):
        scheduling.hold_undo(batch=batch, by=None)
    assert refused.value.code == "hold_undo_expired"
    assert RecordingSession.objects.filter(state=State.ON_HOLD).count() == 3


def test_undo_is_refused_after_a_later_change_and_restores_no_session(run, mailbox):
    production, speakers, sessions = _world(run)
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    colleague = production.team.first()
    run(
        scheduling.recording_session_update,
        session=sessions[2],
        starts_at=sessions[2].starts_at + timedelta(days=50),
        ends_at=sessions[2].ends_at + timedelta(days=50),
        by=colleague,
    )
    with pytest.raises(holds.HoldUndoRefusedError, match="changed after the hold") as refused:
        scheduling.hold_undo(batch=batch, by=None)
    assert "rescheduled" in refused.value.message
    states = dict(RecordingSession.objects.values_list("pk", "state"))
    assert [states[s.pk] for s in sessions] == [State.ON_HOLD, State.ON_HOLD, State.SCHEDULED]


def test_undo_is_refused_after_a_speaker_is_added(run, mailbox):
    production, _speakers, sessions = _world(run)
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    run(scheduling.recording_session_add_speaker, session=sessions[0], speaker=SpeakerFactory(), by=None)
    with pytest.raises(holds.HoldUndoRefusedError, match="speaker added"):
        scheduling.hold_undo(batch=batch, by=None)


def test_undo_twice_is_refused(run, mailbox):
    production, _speakers, _sessions = _world(run)
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=None
    )
    run(scheduling.hold_undo, batch=batch, by=None)
    with pytest.raises(holds.HoldUndoRefusedError, match="already undone"):
        scheduling.hold_undo(batch=batch, by=None)


def test_undoing_a_new_date_puts_back_the_earlier_hold(run, mailbox):
    production, _speakers, sessions = _world(run, sessions=1)
    run(scheduling.recording_session_hold, session=sessions[0], until=_until(20), reason="ill", by=None)
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(40), reason="lockdown", by=None
    )
    run(scheduling.hold_undo, batch=batch, by=None)
    session = RecordingSession.objects.get()
    assert (session.state, session.hold_until, session.hold_reason) == (State.ON_HOLD, _until(20), "ill")


def test_history_names_the_hold_and_its_undo_in_words(run, mailbox):
    production, _speakers, sessions = _world(run, sessions=1)
    producer = production.team.first()
    _plan, batch = run(
        scheduling.hold_apply, productions=[production], until=_until(), reason="lockdown", by=producer
    )
    run(scheduling.hold_undo, batch=batch, by=producer)
    entries = HistoryEntry.objects.filter(object_id=sessions[0].pk, action__in=["held", "hold_undone"])
    words = [(e.action_label, e.from_label, e.to_label, e.by) for e in entries.order_by("id")]
    until = _until().isoformat()
    assert words == [
        ("put on hold", "Scheduled", f"On hold ≥ {until}", producer),
        ("hold undone", f"On hold ≥ {until}", "Scheduled", producer),
    ]
    batch.refresh_from_db()
    assert batch.created_by == producer and batch.undone_by == producer
