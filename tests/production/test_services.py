from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from omooc.exceptions import ApplicationError
from production import productions
from production.history import history_for
from production.models import (
    HistoryEntry,
    PostProduction,
    PreTalk,
    Production,
    RecordingSession,
    ScriptPart,
    SessionSpeaker,
    Speaker,
)
from production.scheduling import selectors as scheduling_selectors
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from production.speakers import services as speakers
from tests.factories import LectureFactory, UserFactory

from . import factories
from .factories import LocationFactory, SpeakerFactory, at, make_pretalk, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def producer():
    return UserFactory(producer=True, full_name="Pim Producent")


@pytest.fixture
def production(producer):
    return make_production(lectures=3, team=[producer])


def test_creating_a_production_gives_every_lecture_a_draft_script_part_and_post_production(production):
    assert ScriptPart.objects.filter(production=production, state="draft").count() == 3
    assert PostProduction.objects.filter(production=production, edit="not_started").count() == 3


def test_a_course_has_at_most_one_production(production):
    with pytest.raises(ApplicationError, match="already has a production") as exc:
        productions.production_create(course=production.course, client="Other", by=None)
    assert exc.value.extra["field"] == "course"


def test_speaker_email_and_time_zone_are_validated_and_emails_are_unique_ignoring_case():
    with pytest.raises(ApplicationError) as exc:
        speakers.speaker_create(name="Ada", email="not-an-email", by=None)
    assert exc.value.extra["field"] == "email"
    with pytest.raises(ApplicationError, match="Europe/Amsterdam") as exc:
        speakers.speaker_create(name="Ada", email="ada@example.org", time_zone="Mars/Olympus", by=None)
    assert exc.value.extra["field"] == "time_zone"
    speakers.speaker_create(
        name="Ada", email="ada@example.org", time_zone="Europe/London", language="en", by=None
    )
    with pytest.raises(ApplicationError, match="already exists"):
        speakers.speaker_create(name="Ada Again", email="ADA@example.org", by=None)
    assert Speaker.objects.count() == 1


def test_a_script_part_goes_through_review_and_every_state_change_is_in_its_history(production, producer):
    part = production.script_parts.first()
    with pytest.raises(ApplicationError, match="Add a version"):
        scripts.script_part_transition(part=part, to_state="in_review", by=producer)
    scripts.script_version_add(part=part, text="Intro about startups", by=producer)
    scripts.script_version_add(part=part, text="Intro, shorter", by=producer)
    assert list(part.versions.values_list("number", flat=True)) == [2, 1]
    scripts.script_part_transition(part=part, to_state="in_review", by=producer)
    with pytest.raises(ApplicationError, match="Say which changes"):
        scripts.script_part_transition(part=part, to_state="changes_requested", by=producer)
    scripts.script_part_transition(part=part, to_state="changes_requested", reason="Too long", by=producer)
    scripts.script_part_transition(part=part, to_state="in_review", by=producer)
    scripts.script_part_transition(part=part, to_state="approved", by=producer)
    part.refresh_from_db()
    assert part.state == "approved"
    history = history_for(subject=part)
    states = [(h.from_value, h.to_value) for h in history if h.action == "state"]
    assert states == [
        ("in_review", "approved"),
        ("changes_requested", "in_review"),
        ("in_review", "changes_requested"),
        ("draft", "in_review"),
    ]
    assert history[-2].by == producer
    assert any(h.reason == "Too long" for h in history)


def test_an_illegal_script_transition_is_refused_naming_the_allowed_states(production):
    part = production.script_parts.first()
    with pytest.raises(ApplicationError, match="Allowed next states: In review") as exc:
        scripts.script_part_transition(part=part, to_state="approved", by=None)
    assert exc.value.code == "illegal_transition"
    part.refresh_from_db()
    assert part.state == "draft"


def test_a_session_must_end_after_it_starts_and_nothing_is_saved_otherwise(production):
    with pytest.raises(ApplicationError, match="must be after the start") as exc:
        scheduling.recording_session_create(
            production=production,
            starts_at=at(3, 14),
            ends_at=at(3, 13),
            lectures=list(production.course.lectures.all()),
            by=None,
        )
    assert exc.value.extra["field"] == "ends_at"
    assert not RecordingSession.objects.exists()


def test_the_database_refuses_a_session_ending_before_it_starts(production):
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordingSession.objects.create(production=production, starts_at=at(3, 14), ends_at=at(3, 13))


def test_a_session_only_covers_lectures_of_its_own_course(production):
    other = LectureFactory(title="Elders")
    with pytest.raises(ApplicationError, match="“Elders” is not a lecture of") as exc:
        make_session(production, lectures=[other])
    assert exc.value.extra["field"] == "lectures"


def test_double_booking_a_location_is_refused_naming_the_other_session_unless_confirmed(production, producer):
    studio = LocationFactory(name="Studio Utrecht")
    other_production = make_production(lectures=1, team=[producer])  # named: the producer may see it
    first = make_session(other_production, days=5, location=studio)
    with pytest.raises(ApplicationError, match="Studio Utrecht is already booked") as exc:
        make_session(production, days=5, location=studio, by=producer)
    assert str(other_production) in exc.value.message
    assert exc.value.extra["conflicts"] == [first.pk]
    assert exc.value.status_code == 409
    second = make_session(production, days=5, location=studio, by=producer, confirm_double_booking=True)
    assert any(
        "Studio Utrecht is also booked" in c for c in scheduling_selectors.conflicts_for_session(second)
    )


def test_a_speaker_in_two_overlapping_items_is_flagged_with_the_other_item_named(production):
    ada = SpeakerFactory(name="Ada Lovelace")
    make_session(production, days=4, speakers=[ada])
    pretalk = make_pretalk(
        production,
        speakers=[ada],
        lectures=[production.course.lectures.first()],
        starts_at=at(4, 11),
        duration_minutes=30,
        mode="phone",
    )
    conflicts = scheduling_selectors.conflicts_for_pretalk(pretalk)
    assert len(conflicts) == 1
    assert "Ada Lovelace is also at recording" in conflicts[0]
    assert str(production) in conflicts[0]


def test_a_session_cannot_be_marked_recorded_before_it_has_taken_place(production):
    session = make_session(production, days=2, state="scheduled")
    with pytest.raises(ApplicationError, match="cannot be marked recorded") as exc:
        scheduling.recording_session_transition(session=session, to_state="recorded", by=None)
    assert exc.value.code == "recorded_in_future"
    past = make_session(production, days=-2, state="scheduled")
    scheduling.recording_session_transition(session=past, to_state="recorded", by=None)
    past.refresh_from_db()
    assert past.state == "recorded"
    with pytest.raises(ApplicationError, match="final state"):
        scheduling.recording_session_transition(session=past, to_state="scheduled", by=None)


def test_cancelling_a_session_needs_a_reason(production):
    session = make_session(production)
    with pytest.raises(ApplicationError, match="reason for cancelling"):
        scheduling.recording_session_transition(session=session, to_state="cancelled", by=None)
    scheduling.recording_session_transition(
        session=session, to_state="cancelled", reason="Speaker ill", by=None
    )
    session.refresh_from_db()
    assert session.state == "cancelled"


def test_calendar_sequence_goes_up_on_time_place_and_status_changes_only(production, producer):
    ada = SpeakerFactory()
    session = make_session(production, speakers=[ada])
    assert session.ical_sequence == 0
    session = scheduling.recording_session_update(
        session=session, starts_at=at(8), ends_at=at(8, 12), by=producer
    )
    assert session.ical_sequence == 1
    session = scheduling.recording_session_update(session=session, location=LocationFactory(), by=producer)
    assert session.ical_sequence == 2
    scheduling.attendance_respond(
        attendance=SessionSpeaker.objects.get(session=session), rsvp="accepted", by=None
    )
    scheduling.recording_session_add_speaker(session=session, speaker=SpeakerFactory(), by=producer)
    session.refresh_from_db()
    assert session.ical_sequence == 2
    session = scheduling.recording_session_transition(session=session, to_state="scheduled", by=producer)
    assert session.ical_sequence == 3
    uid = session.ical_uid
    session = scheduling.recording_session_hold(
        session=session, until=timezone.localdate() + timedelta(days=9), reason="lockdown", by=None
    )
    assert session.ical_sequence == 4
    assert session.ical_uid == uid


def test_a_hold_needs_a_date_not_in_the_past_and_a_reason(production):
    session = make_session(production)
    with pytest.raises(ApplicationError, match="in the past") as exc:
        scheduling.recording_session_hold(
            session=session, until=timezone.localdate() - timedelta(days=1), reason="x", by=None
        )
    assert exc.value.extra["field"] == "until"
    with pytest.raises(ApplicationError, match="reason for the hold"):
        scheduling.recording_session_hold(session=session, until=timezone.localdate(), reason=" ", by=None)
    with pytest.raises(ApplicationError, match="date until which"):
        scheduling.recording_session_transition(
            session=session, to_state="on_hold", reason="lockdown", by=None
        )


def test_rescheduling_a_held_session_clears_the_hold(production, producer):
    session = make_session(production)
    scheduling.recording_session_hold(
        session=session, until=timezone.localdate() + timedelta(days=14), reason="lockdown", by=None
    )
    session = scheduling.recording_session_update(
        session=session, starts_at=at(20), ends_at=at(20, 13), by=producer
    )
    assert session.state == "scheduled"
    assert session.hold_until is None and session.hold_reason == ""
    actions = [h.action for h in history_for(subject=session)]
    assert actions[:3] == ["rescheduled", "state", "held"] or actions[:3] == ["state", "rescheduled", "held"]


def test_postponing_a_production_holds_all_its_open_sessions_and_nothing_else(production, producer):
    tentative = make_session(production, days=3)
    scheduled = make_session(production, days=4, state="scheduled")
    recorded = make_session(production, days=-3, state="scheduled")
    scheduling.recording_session_transition(session=recorded, to_state="recorded", by=None)
    cancelled = make_session(production, days=6)
    scheduling.recording_session_transition(
        session=cancelled, to_state="cancelled", reason="not needed", by=None
    )
    other = make_session(make_production(lectures=1), days=3)
    until = timezone.localdate() + timedelta(days=14)

    changed = scheduling.production_postpone_recordings(
        productions=[production], until=until, reason="lockdown", by=producer
    )

    assert {s.pk for s in changed} == {tentative.pk, scheduled.pk}
    states = dict(RecordingSession.objects.values_list("pk", "state"))
    assert states[tentative.pk] == states[scheduled.pk] == "on_hold"
    assert states[recorded.pk] == "recorded"
    assert states[cancelled.pk] == "cancelled"
    assert states[other.pk] == "tentative"
    held = RecordingSession.objects.get(pk=scheduled.pk)
    assert (held.hold_until, held.hold_reason) == (until, "lockdown")
    assert HistoryEntry.objects.filter(
        production=production, action="postponed", reason="lockdown", by=producer
    ).exists()
    # the same postponement again changes nothing (no new calendar versions)
    assert (
        scheduling.production_postpone_recordings(
            productions=[production], until=until, reason="lockdown", by=None
        )
        == []
    )


def test_postponing_all_productions_holds_sessions_of_each(production):
    other = make_production(lectures=1)
    make_session(production)
    make_session(other, days=9)
    until = timezone.localdate() + timedelta(days=3)
    changed = scheduling.production_postpone_recordings(
        productions=Production.objects.all(), until=until, reason="lockdown", by=None
    )
    assert len(changed) == 2
    assert set(RecordingSession.objects.values_list("state", flat=True)) == {"on_hold"}


def test_an_online_pretalk_needs_a_link_and_an_in_person_one_a_place(production):
    ada = SpeakerFactory()
    lectures = [production.course.lectures.first()]
    with pytest.raises(ApplicationError, match="video link"):
        scheduling.pretalk_create(
            production=production, speakers=[ada], lectures=lectures, starts_at=at(2), mode="online", by=None
        )
    with pytest.raises(ApplicationError, match="needs a place"):
        scheduling.pretalk_create(
            production=production,
            speakers=[ada],
            lectures=lectures,
            starts_at=at(2),
            mode="in_person",
            by=None,
        )
    with pytest.raises(ApplicationError, match="speaker"):
        scheduling.pretalk_create(
            production=production, speakers=[], lectures=lectures, starts_at=at(2), mode="phone", by=None
        )
    assert not PreTalk.objects.exists()


def test_a_pretalk_is_held_only_after_it_started_and_then_it_is_final(production, producer):
    ada = SpeakerFactory()
    lectures = list(production.course.lectures.all()[:2])
    future = make_pretalk(
        production,
        speakers=[ada],
        lectures=lectures,
        starts_at=at(2),
        mode="online",
        video_link="https://meet.example.org/x",
    )
    with pytest.raises(ApplicationError, match="cannot be marked held"):
        scheduling.pretalk_mark_held(pretalk=future, by=None)
    past = make_pretalk(production, speakers=[ada], lectures=lectures, starts_at=at(-1), mode="phone")
    scheduling.pretalk_mark_held(pretalk=past, outcome_notes="Good talk", by=producer)
    past.refresh_from_db()
    assert past.state == "held"
    with pytest.raises(ApplicationError, match="cannot go from"):
        scheduling.pretalk_cancel(pretalk=past, reason="x", by=None)
    with pytest.raises(ApplicationError, match="Only a planned pre-talk"):
        scheduling.pretalk_update(pretalk=past, starts_at=at(3), by=None)


def test_rescheduling_a_pretalk_bumps_its_calendar_sequence_and_records_from_and_to(production, producer):
    pretalk = factories.make_phone_pretalk(production, speakers=[SpeakerFactory()])
    pretalk = scheduling.pretalk_update(
        pretalk=pretalk, starts_at=at(3, 9), by=producer, reason="speaker asked"
    )
    assert pretalk.ical_sequence == 1
    entry = history_for(subject=pretalk)[0]
    assert (entry.action, entry.reason, entry.by) == ("rescheduled", "speaker asked", producer)
    assert entry.to_value.endswith("09:00")
    scheduling.pretalk_cancel(pretalk=pretalk, reason="no longer needed", by=None)
    pretalk.refresh_from_db()
    assert (pretalk.state, pretalk.ical_sequence) == ("cancelled", 2)


def test_declining_needs_a_reason_and_is_recorded_on_the_session(production):
    ada = SpeakerFactory(name="Ada")
    session = make_session(production, speakers=[ada])
    attendance = SessionSpeaker.objects.get(session=session)
    with pytest.raises(ApplicationError, match="reason for declining"):
        scheduling.attendance_respond(attendance=attendance, rsvp="declined", by=None)
    scheduling.attendance_respond(
        attendance=attendance,
        rsvp="declined",
        decline_reason="On holiday",
        proposed_starts_at=at(30),
        by=None,
    )
    attendance.refresh_from_db()
    assert attendance.rsvp == "declined" and attendance.responded_at is not None
    assert history_for(subject=session)[0].to_value == "Ada: declined"


def test_post_production_steps_change_with_history(production, producer):
    item = production.post_production.first()
    productions.post_production_set(item=item, step="edit", state="in_progress", by=producer)
    with pytest.raises(ApplicationError, match="edit, captions or review"):
        productions.post_production_set(item=item, step="colour", state="done", by=None)
    item.refresh_from_db()
    assert item.edit == "in_progress"
    assert history_for(subject=item)[0].to_value == "in_progress"


def test_changes_are_announced_only_after_commit_naming_the_speaker_concerned(
    production, producer, caplog, django_capture_on_commit_callbacks
):
    ada = SpeakerFactory()
    bob = SpeakerFactory()
    caplog.set_level("INFO", logger="production.scheduling.events")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        session = make_session(production, speakers=[ada])
    assert pending and "session" not in caplog.text
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.recording_session_add_speaker(session=session, speaker=bob, by=producer)
        scheduling.recording_session_remove_speaker(session=session, speaker=ada, by=producer, reason="ill")
        scheduling.recording_session_hold(
            session=session, until=timezone.localdate(), reason="lockdown", by=None
        )
    assert f"session {session.pk}: speaker_added (speaker {bob.pk})" in caplog.text
    assert f"session {session.pk}: speaker_removed (speaker {ada.pk})" in caplog.text
    assert f"session {session.pk}: held" in caplog.text


def test_crew_and_speakers_are_managed_with_history(production, producer):
    session = make_session(production)
    scheduling.crew_assign(session=session, name="Joris", role="camera", by=producer)
    with pytest.raises(ApplicationError, match="already has this role"):
        scheduling.crew_assign(session=session, name="joris", role="camera", by=None)
    with pytest.raises(ApplicationError) as exc:
        scheduling.crew_assign(session=session, name="Kim", role="juggler", by=None)
    assert exc.value.extra["field"] == "role"
    scheduling.crew_remove(crew=session.crew.get(), by=producer)
    ada = SpeakerFactory()
    scheduling.recording_session_add_speaker(session=session, speaker=ada, by=None)
    with pytest.raises(ApplicationError, match="already on this session"):
        scheduling.recording_session_add_speaker(session=session, speaker=ada, by=None)
    actions = [h.action for h in history_for(subject=session)]
    assert actions[:3] == ["speaker_added", "crew_removed", "crew_added"]


def test_a_pretalk_keeps_at_least_one_speaker(production):
    ada, bob = SpeakerFactory(), SpeakerFactory()
    pretalk = factories.make_phone_pretalk(production, speakers=[ada])
    with pytest.raises(ApplicationError, match="needs a speaker"):
        scheduling.pretalk_remove_speaker(pretalk=pretalk, speaker=ada, by=None)
    scheduling.pretalk_add_speaker(pretalk=pretalk, speaker=bob, by=None)
    scheduling.pretalk_remove_speaker(pretalk=pretalk, speaker=ada, by=None)
    assert list(pretalk.speakers.all()) == [bob]


def test_changing_the_target_launch_date_is_recorded(production, producer):
    target = timezone.localdate() + timedelta(days=60)
    productions.production_update(production=production, target_launch_on=target, by=producer)
    entry = history_for(subject=production)[0]
    assert (entry.action, entry.to_value, entry.by) == ("target_changed", target.isoformat(), producer)
