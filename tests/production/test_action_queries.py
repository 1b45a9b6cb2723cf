"""Query-count pins on actions (issue 12): each action runs for a small and a large case and its
query count is pinned exactly. A count may grow only where the design wants one row (or one
transaction) per item; each pin names its per-item cost and the reason.

Counts are taken inside the test's transaction on PostgreSQL, so every ``transaction.atomic`` inside
an action shows up as a SAVEPOINT and a RELEASE SAVEPOINT (two queries, counted here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import EmailLog, Reminder, ScriptPart, Target
from production.outbox.calendar_messages import calendar_sync
from production.outbox.mailer import emails_send_due
from production.outbox.queue import Content, email_queue
from production.outbox.reminders.planning import reminders_plan
from production.scheduling import services as scheduling
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.usefixtures("postgres")


# Postponement, in the action's transaction: 12 + 2 per session. Constant: SAVEPOINT, the locked read
# of the sessions, the production's history entry, RELEASE; the plan's speakers, calendar messages,
# reminders and launch dates, and the undo record (ADR 0024: its INSERT, its items' bulk INSERT, the
# last history id and its UPDATE). Per session: the hold UPDATE (state,
# not-before date, reason and calendar SEQUENCE together) and its history entry: linear, as the
# design records each session's own hold in its own history (before: 4 + 3 per session, 13 and 94,
# when the SEQUENCE had an UPDATE of its own).
# After commit: one calendar sync per session, 16 queries for a session with one speaker (see the
# calendar sync pin), linear in sessions by design: each session's speakers get their own notice
# (before: 17 per session, 51 and 510, when lectures were read once more per speaker).
@pytest.mark.parametrize(("sessions", "in_action", "after_commit"), [(3, 18, 48), (30, 72, 480)])
def test_postponing_recordings(
    sessions,
    in_action,
    after_commit,
    run,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    smtp_server,
):
    production = make_production(lectures=1)
    for day in range(sessions):
        run(make_session, production=production, days=10 + day, speakers=[SpeakerFactory()])
    emails_send_due()  # the invitations left the queue: each speaker gets a postponement notice
    until = timezone.localdate() + timedelta(days=60)
    with (
        django_capture_on_commit_callbacks(execute=False) as announced,
        django_assert_num_queries(in_action),
    ):
        changed = scheduling.production_postpone_recordings(
            productions=[production], until=until, reason="lockdown", by=None
        )
    assert len(changed) == len(announced) == sessions
    with django_assert_num_queries(after_commit):
        for callback in announced:
            callback()
    assert EmailLog.objects.filter(kind=EmailLog.Kind.POSTPONEMENT).count() == sessions


# The calendar sync of a rescheduled session whose invitations were delivered: 18 + 8 per speaker.
# Per speaker, by design: the update email's row (email_queue: SAVEPOINT, the idempotency-key
# SELECT, SAVEPOINT, INSERT, RELEASE, RELEASE = 6) and moving that speaker's two pending reminders
# (7 days and 1 day before: one UPDATE each, in reminders.planning.reminders_sync_item; one bulk
# UPDATE could move them all). Constant: the session's lectures and script parts, read once per sync
# (before: read again for every speaker, 16 + 11 per speaker, 27 and 126).
# A second sync finds nothing to send and costs the same constant 16 whatever the number of speakers.
@pytest.mark.parametrize(("speakers", "first", "again"), [(1, 26, 16), (10, 98, 16)])
def test_the_calendar_sync_of_a_rescheduled_session(
    speakers, first, again, run, django_capture_on_commit_callbacks, django_assert_num_queries, smtp_server
):
    production = make_production(lectures=2)
    team = SpeakerFactory.create_batch(speakers)
    session = run(make_session, production=production, days=10, speakers=team)
    emails_send_due()  # the invitations left the queue: the change needs an update per speaker
    with django_capture_on_commit_callbacks(execute=False):
        scheduling.recording_session_update(
            session=session, starts_at=at(12), ends_at=at(12) + timedelta(hours=2), by=None
        )
    with django_assert_num_queries(first):
        calendar_sync(target_type=Target.SESSION, target_id=session.pk)
    assert EmailLog.objects.filter(kind=EmailLog.Kind.UPDATE).count() == speakers
    with django_assert_num_queries(again):
        calendar_sync(target_type=Target.SESSION, target_id=session.pk)
    assert EmailLog.objects.filter(kind=EmailLog.Kind.UPDATE).count() == speakers


# Planning the team reminders: constant, 10 queries for 1 and for 10 productions (two script parts
# due, a session with an unconfirmed speaker, a held session, two producers each). It was 10 + 6 per
# production while ``team_notices.team_members`` read the team again for each rule row
# (``production.team.filter(...)`` bypassed the prefetched team): 16 and 70.
@pytest.mark.parametrize(("productions", "queries"), [(1, 10), (10, 10)])
def test_planning_the_team_reminders(productions, queries, run, django_assert_num_queries):
    for _ in range(productions):
        production = make_production(lectures=2, team=UserFactory.create_batch(2, producer=True))
        due_on = timezone.localdate() + timedelta(days=5)
        ScriptPart.objects.filter(production=production).update(due_on=due_on)
        run(make_session, production=production, days=10, speakers=[SpeakerFactory()])
        held = run(make_session, production=production, days=20, speakers=[SpeakerFactory()])
        run.hold(held, days=30)
    with django_assert_num_queries(queries):
        reminders_plan()
    planned = Reminder.objects.count()
    with django_assert_num_queries(queries):
        assert reminders_plan() == 0  # idempotent: the same reads, nothing new
    assert Reminder.objects.count() == planned


# One outbox scan: 5 + 4 per message, linear by design inside a caller's transaction: SAVEPOINT,
# the row's lock, the "sent" UPDATE, RELEASE (outside one, one pipelined round trip per group of rows,
# ADR 0030). Constant: the lease (advisory lock, the batch's claim returning its rows, the claim that
# finds nothing, giving back, unlock). Before ADR 0030: 7 + 4; before ADR 0021: 3 + 4 per message.
@pytest.mark.parametrize(("messages", "queries"), [(1, 9), (20, 85)])
def test_one_outbox_scan(messages, queries, smtp_server, django_assert_num_queries):
    for number in range(messages):
        email_queue(
            idempotency_key=f"pin:{number}",
            kind=EmailLog.Kind.REMINDER,
            recipient=f"learner{number}@example.org",
            content=Content(subject="Reminder", text="Hello", html="<p>Hello</p>"),
        )
    with django_assert_num_queries(queries):
        assert emails_send_due() == messages
    assert len(smtp_server.messages) == messages
