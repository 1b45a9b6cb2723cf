"""The team's unconfirmed-speaker reminder follows the answers: cancelled when every speaker answered,
pending again (re-planned at once, not at the next hourly plan) when a change asks them again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import Reminder
from production.outbox.reminders.planning import reminders_plan
from production.outbox.reminders.scanning import reminders_scan
from production.scheduling import services as scheduling
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(producer=True, language="en")


@pytest.fixture
def carla():
    return SpeakerFactory(name="Carla Jansen", language="en")


@pytest.fixture
def session(run, lead, carla):
    return run(
        make_session,
        production=make_production(lectures=1, team=[lead]),
        days=2,
        speakers=[carla],
        state="scheduled",
    )


def _unconfirmed(session, state=None):
    rows = Reminder.objects.filter(kind="session_unconfirmed", target_id=session.pk)
    return list(rows.filter(state=state) if state else rows)


def _accept(run, session, speaker):
    attendance = session.attendances.get(speaker=speaker)
    run.respond(attendance, "accepted")


def test_an_unanswered_speaker_gets_the_team_reminder_planned_with_the_schedule(session, lead):
    (row,) = _unconfirmed(session, "pending")
    assert row.user == lead
    assert row.due_at <= timezone.now() + timedelta(seconds=5), "within 72 hours: due now"
    reminders_plan()
    assert len(_unconfirmed(session)) == 1, "the planner adds no duplicate"


def test_a_reschedule_after_every_speaker_accepted_makes_the_reminder_pending_again(
    run, session, carla, lead
):
    _accept(run, session, carla)
    assert _unconfirmed(session, "pending") == []

    run.reschedule(session, at(2, hour=14), at(2, hour=16))
    (row,) = _unconfirmed(session, "pending")
    assert row.user == lead
    reminders_plan()
    assert len(_unconfirmed(session, "pending")) == 1


def test_moving_the_session_keeps_one_pending_reminder_and_the_scan_names_the_speaker(
    run, session, carla, smtp_server
):
    _accept(run, session, carla)
    run(scheduling.recording_session_update, session=session, location=LocationFactory(), by=None)
    assert len(_unconfirmed(session, "pending")) == 1
    reminders_scan()
    notices = [m for m in smtp_server.messages if "Unconfirmed" in m["Subject"]]
    assert len(notices) == 1
    assert "Carla Jansen" in notices[0].get_body(preferencelist=("plain",)).get_content()
    reminders_plan()
    assert reminders_scan()["reminders"] == 0 and _unconfirmed(session, "pending") == [], "never twice"
    assert len([m for m in smtp_server.messages if "Unconfirmed" in m["Subject"]]) == 1


def test_a_notes_change_keeps_the_answer_and_the_reminder_cancelled(run, session, carla):
    _accept(run, session, carla)
    run(scheduling.recording_session_update, session=session, notes="Parking behind the building", by=None)
    assert session.attendances.get().rsvp == "accepted"
    assert _unconfirmed(session, "pending") == []
    reminders_plan()
    assert _unconfirmed(session, "pending") == []


def test_a_stale_reminder_from_before_a_reschedule_is_not_sent(run, session, carla, smtp_server):
    """Rows planned for an older version (e.g. by a planner run that raced the change) are cancelled
    by the scan; only the reminder of the current version goes out."""
    (old,) = _unconfirmed(session, "pending")
    run.reschedule(session, at(2, hour=14), at(2, hour=16))
    Reminder.objects.filter(pk=old.pk).update(state="pending")  # as if a racing planner revived it
    reminders_scan()
    assert len([m for m in smtp_server.messages if "Unconfirmed" in m["Subject"]]) == 1
    old.refresh_from_db()
    assert old.state == "cancelled"


def test_a_declined_speaker_asked_again_gets_the_speaker_reminders_again(run, lead, carla):
    session = run(
        make_session, production=make_production(lectures=1, team=[lead]), days=10, speakers=[carla]
    )
    attendance = session.attendances.get()
    run.respond(attendance, "declined", decline_reason="abroad")
    speaker_rows = Reminder.objects.filter(target_id=session.pk, speaker=carla, state="pending")
    assert not speaker_rows.exists()
    run.reschedule(session, at(12), at(12, hour=12))
    assert sorted(speaker_rows.values_list("kind", flat=True)) == ["session_speaker_1d", "session_speaker_7d"]
    assert len(_unconfirmed(session, "pending")) == 1
