"""Significant changes ask again: a new time, end, place or link sets every speaker's answer back to
"no answer yet" (with history), and an answer given to an older version is not applied.

Decisions held here (docs/adr/0015-significant-changes-ask-again.md):
- significant: a session's start, end or location; a pre-talk's start, duration, mode, place or video
  link; resuming a held session (its calendar entry was removed, a fresh invitation asks again);
- not significant: notes, lectures, crew, tentative <-> scheduled;
- a declined speaker is asked again too (the new time may suit them; the invite asks them again).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from production.board import board_for
from production.errors import StaleAnswerError
from production.models import HistoryEntry, PreTalk
from production.scheduling import services as scheduling
from tests.factories import UserFactory

from . import factories
from .factories import LocationFactory, SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(producer=True, email="lead@example.org", language="en")


@pytest.fixture
def production(lead):
    return make_production(lectures=2, team=[lead])


@pytest.fixture
def anna():
    return SpeakerFactory(name="Anna de Vries", language="en")


@pytest.fixture
def session(run, production, anna):
    return run(make_session, production=production, days=10, speakers=[anna], state="scheduled")


def _accept(run, item, speaker, **kwargs):
    attendance = item.attendances.get(speaker=speaker)
    return run(scheduling.attendance_respond, attendance=attendance, rsvp="accepted", **kwargs, by=None)


def _answer(item, speaker):
    return item.attendances.get(speaker=speaker)


def _resets(item):
    return list(HistoryEntry.objects.filter(object_id=item.pk, action="answer_reset").order_by("id"))


# --- sessions --------------------------------------------------------------------------------


def test_rescheduling_a_session_sets_an_accepted_answer_back_to_no_answer_yet_with_history(
    run, session, anna, lead
):
    _accept(run, session, anna)
    assert _answer(session, anna).rsvp == "accepted"

    run.reschedule(session, at(12), at(12) + timedelta(hours=2), by=lead)
    answer = _answer(session, anna)
    assert answer.rsvp == "pending" and answer.responded_at is None
    assert answer.previous_rsvp == "accepted", "the page can say what the speaker had answered"
    (entry,) = _resets(session)
    assert entry.from_value == "Anna de Vries: accepted"
    assert entry.to_value == "Anna de Vries: pending"
    assert entry.reason == "time/place changed"
    assert entry.by == lead


@pytest.mark.parametrize("change", ["end", "location"])
def test_changing_the_end_or_the_location_of_a_session_asks_again(run, session, anna, change):
    _accept(run, session, anna)
    if change == "end":
        kwargs = {"ends_at": session.ends_at + timedelta(minutes=30)}
    else:
        kwargs = {"location": LocationFactory()}
    run(scheduling.recording_session_update, session=session, **kwargs, by=None)
    assert _answer(session, anna).rsvp == "pending"
    assert len(_resets(session)) == 1


def test_notes_lectures_and_crew_changes_keep_the_answers(run, session, anna, production):
    _accept(run, session, anna)
    first = production.course.lectures.order_by("position").first()
    run(scheduling.recording_session_update, session=session, notes="Bring slides", lectures=[first], by=None)
    run(scheduling.crew_assign, session=session, name="Kees", role="camera", by=None)
    # the same start and end again, given in another zone, is no change either
    run.reschedule(session, session.starts_at.astimezone(UTC), session.ends_at.astimezone(UTC))
    assert _answer(session, anna).rsvp == "accepted"
    assert _resets(session) == []


def test_tentative_to_scheduled_keeps_the_answers_but_resuming_a_held_session_asks_again(
    run, production, anna
):
    session = run(make_session, production=production, days=10, speakers=[anna])
    _accept(run, session, anna)
    run.transition(session, "scheduled")
    assert _answer(session, anna).rsvp == "accepted"

    run.hold(session, days=3)
    assert _answer(session, anna).rsvp == "accepted", "a hold alone keeps the answer"
    run.transition(session, "scheduled")
    assert _answer(session, anna).rsvp == "pending", "the calendar entry was removed; asked again"


def test_a_declined_speaker_is_asked_again_after_a_reschedule(run, session, anna):
    attendance = _answer(session, anna)
    run.respond(attendance, "declined", decline_reason="On holiday")
    run.reschedule(session, at(30), at(30, hour=12))
    answer = _answer(session, anna)
    assert (answer.rsvp, answer.decline_reason, answer.previous_rsvp) == ("pending", "", "declined")
    (entry,) = _resets(session)
    assert entry.from_value == "Anna de Vries: declined (On holiday)"


def test_a_proposal_of_another_time_is_cleared_when_the_time_changes(run, session, anna):
    attendance = _answer(session, anna)
    run.respond(attendance, "pending", decline_reason="Proposes Monday", proposed_starts_at=at(11))
    run.reschedule(session, at(11), at(11, hour=12))
    answer = _answer(session, anna)
    assert answer.proposed_starts_at is None and answer.decline_reason == ""


def test_every_speaker_of_the_item_is_asked_again_and_unanswered_ones_get_no_history(run, production):
    speakers = [SpeakerFactory(name=name) for name in ("Bas", "Carla", "Dirk")]
    session = run(make_session, production=production, days=10, speakers=speakers)
    _accept(run, session, speakers[0])
    run.respond(_answer(session, speakers[1]), "declined", decline_reason="ill")
    run.reschedule(session, at(9), at(9, hour=12))
    assert set(session.attendances.values_list("rsvp", flat=True)) == {"pending"}
    assert [e.from_value for e in _resets(session)] == ["Bas: accepted", "Carla: declined (ill)"]


# --- pre-talks -------------------------------------------------------------------------------


@pytest.fixture
def pretalk(run, production, anna):
    return run(
        factories.make_pretalk,
        production=production,
        speakers=[anna],
        starts_at=at(5),
        video_link="https://meet.example.org/one",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": "later"},
        {"duration_minutes": 90},
        {"video_link": "https://meet.example.org/two"},
        {"mode": PreTalk.Mode.IN_PERSON, "place": "Studio Utrecht"},
        {"mode": PreTalk.Mode.PHONE},
    ],
    ids=["start", "duration", "video link", "in person", "phone"],
)
def test_a_significant_pretalk_change_asks_again(run, pretalk, anna, change):
    _accept(run, pretalk, anna)
    if change.get("starts_at") == "later":
        change = {"starts_at": at(6)}
    run(scheduling.pretalk_update, pretalk=pretalk, **change, by=None)
    assert _answer(pretalk, anna).rsvp == "pending"
    assert [e.reason for e in _resets(pretalk)] == ["time/place changed"]


def test_changing_the_lectures_of_a_pretalk_keeps_the_answer(run, pretalk, anna, production):
    _accept(run, pretalk, anna)
    run(scheduling.pretalk_update, pretalk=pretalk, lectures=[production.course.lectures.first()], by=None)
    run(scheduling.pretalk_update, pretalk=pretalk, video_link="https://meet.example.org/one", by=None)
    assert _answer(pretalk, anna).rsvp == "accepted"


# --- an answer to an older version ------------------------------------------------------------


def test_an_answer_to_an_older_version_is_refused_and_the_current_one_accepted(run, session, anna):
    old_round = session.answer_round
    run.reschedule(session, at(12), at(12, hour=12))
    session.refresh_from_db()
    assert session.answer_round == old_round + 1
    attendance = _answer(session, anna)
    with pytest.raises(StaleAnswerError, match="changed after you") as exc:
        scheduling.attendance_respond(attendance=attendance, rsvp="accepted", answer_round=old_round, by=None)
    assert exc.value.code == "answer_outdated"
    assert _answer(session, anna).rsvp == "pending"
    run.respond(attendance, "accepted", answer_round=session.answer_round)
    assert _answer(session, anna).rsvp == "accepted"


def _page(client, token):
    return client.get(reverse("speaker:page", args=[token]), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_speaker_page_asks_again_and_refuses_a_confirmation_from_the_old_page(client, run, session, anna):
    token = factories.issue_link(anna)
    url = reverse("speaker:answer", args=[token, "session", session.pk])
    old_page = _page(client, token)
    assert 'name="answer_round" value="0"' in old_page
    client.post(url, {"action": "confirm", "answer_round": "0"})
    assert _answer(session, anna).rsvp == "accepted"

    run.reschedule(session, at(12), at(12, hour=12))
    html = _page(client, token)
    assert "Pending" in html and "You had confirmed" in html and "please answer again" in html
    assert 'name="answer_round" value="1"' in html

    # the speaker clicks "confirm" on the page opened before the change (a back button, an old tab)
    response = client.post(url, {"action": "confirm", "answer_round": "0"}, follow=True)
    assert _answer(session, anna).rsvp == "pending"
    assert "changed after you opened" in response.content.decode()
    client.post(url, {"action": "confirm", "answer_round": "1"})
    assert _answer(session, anna).rsvp == "accepted"


# --- what the studio shows --------------------------------------------------------------------


def test_the_studio_and_the_board_show_no_answer_yet_after_a_reschedule(client, run, session, anna, lead):
    _accept(run, session, anna)
    readiness = board_for(session.production).readiness
    assert "answers" not in [b.kind for b in readiness.blockers]

    run.reschedule(session, at(12), at(12, hour=12))
    readiness = board_for(session.production).readiness
    (blocker,) = [b for b in readiness.blockers if b.kind == "answers"]
    assert blocker.message == "1 speaker answer missing (asked again after a change, or not answered)"
    assert blocker.items == [f"{timezone.localtime(at(12)):%Y-%m-%d}: 1"]

    client.force_login(lead)
    html = client.get(reverse("production:session", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert "Pending" in html and "asked again (was Accepted)" in html
    board = client.get(reverse("production:board", args=[session.production.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "1 speaker answer missing" in board.content.decode()


def test_any_answer_to_the_new_version_ends_the_asked_again_notice(run, session, anna):
    _accept(run, session, anna)
    run.reschedule(session, at(12), at(12, hour=12))
    assert _answer(session, anna).previous_rsvp == "accepted"
    run.respond(
        _answer(session, anna), "pending", decline_reason="Proposes Tuesday", proposed_starts_at=at(13)
    )
    answer = _answer(session, anna)
    assert (answer.rsvp, answer.previous_rsvp) == ("pending", "")
