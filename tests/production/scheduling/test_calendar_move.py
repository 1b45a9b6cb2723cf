"""Rescheduling from the calendar: one move endpoint (drag-and-drop posts JSON, the keyboard/no-JS
path posts the small "move to" form), through the same services as the edit forms. Two teams."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from production.history import history_for
from production.models import EmailLog, PreTalk, RecordingSession
from production.scheduling import services as scheduling
from production.scheduling.services.moves import scheduled_item_move
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json", "HTTP_ACCEPT_LANGUAGE": "en"}


def wall(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def studio():
    return LocationFactory(name="Studio Noord")


@pytest.fixture
def ada():
    return SpeakerFactory(name="Ada Lovelace")


@pytest.fixture
def session(production, studio, ada):
    return make_session(production, days=3, hours=2, location=studio, speakers=[ada], state="scheduled")


def assert_unmoved(session) -> None:
    session.refresh_from_db()
    assert (session.starts_at, session.ical_sequence) == (at(3, 10), 0)


def move_url(item) -> str:
    return reverse("production:calendar_move", kwargs={"kind": item.KIND, "pk": item.pk})


def move_to_day_4(client, item, **extra):
    """Post a move of ``item`` to 10:00 four days from today (free in every test here)."""
    return client.post(move_url(item), {"starts_at": wall(at(4, 10))}, **extra)


# --- the service ---------------------------------------------------------------------------


def test_moving_a_session_keeps_its_length_records_who_and_asks_the_speakers_again(
    session, producer, ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduled_item_move(item=session, starts_at=at(5, 14), by=producer)
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (at(5, 14), at(5, 16))
    entry = next(e for e in history_for(subject=session) if e.action == "rescheduled")
    assert entry.by == producer
    update = EmailLog.objects.get(speaker=ada, target_id=session.pk, ics_method="REQUEST", ics_sequence=1)
    assert at(5, 14).astimezone(UTC).strftime("%Y%m%dT%H%M") in update.ics


def test_moving_into_the_past_is_refused_and_changes_nothing(session, producer):
    with pytest.raises(Exception) as caught:
        scheduled_item_move(item=session, starts_at=at(-1, 10), by=producer)
    assert "in the past" in caught.value.message and caught.value.extra["field"] == "starts_at"
    assert_unmoved(session)


def test_a_location_double_booking_needs_a_confirmation(session, production, studio, producer):
    other = make_session(production, days=5, hours=3, location=studio)
    with pytest.raises(Exception) as caught:
        scheduled_item_move(item=other, starts_at=at(3, 11), by=producer)
    assert caught.value.code == "location_double_booked"
    other.refresh_from_db()
    assert other.starts_at == at(5, 10)
    scheduled_item_move(item=other, starts_at=at(3, 11), confirm_double_booking=True, by=producer)
    other.refresh_from_db()
    assert (other.starts_at, other.ends_at) == (at(3, 11), at(3, 14))


@pytest.fixture
def pretalk(production, ada, producer):
    return scheduling.pretalk_create(
        production=production,
        speakers=[ada],
        lectures=list(production.course.lectures.all()),
        starts_at=at(2, 9),
        duration_minutes=30,
        mode="phone",
        by=producer,
    )


def test_a_pretalk_moves_through_the_pretalk_service(pretalk, producer):
    scheduled_item_move(item=pretalk, starts_at=at(4, 16), by=producer)
    pretalk.refresh_from_db()
    assert (pretalk.starts_at, pretalk.duration_minutes, pretalk.ical_sequence) == (at(4, 16), 30, 1)


# --- the endpoint: drag-and-drop (JSON) --------------------------------------------------


def test_a_drop_on_another_day_moves_the_session_and_answers_json(client_in, session):
    response = move_to_day_4(client_in, session, **JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and "moved" in body["message"]
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (at(4, 10), at(4, 12))


def test_a_drop_onto_a_booked_location_asks_naming_the_other_session_and_confirming_moves_it(
    client_in, session, production, studio
):
    other = make_session(production, days=6, location=studio, state="scheduled")
    response = client_in.post(move_url(other), {"starts_at": wall(at(3, 11))}, **JSON)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "location_double_booked"
    assert "Studio Noord" in body["question"]
    assert str(production) in body["question"] and wall(at(3, 10)).replace("T", " ") in body["question"]
    assert body["confirm_field"] == "confirm_double_booking"
    other.refresh_from_db()
    assert other.starts_at == at(6, 10)

    confirmed = client_in.post(
        move_url(other), {"starts_at": wall(at(3, 11)), "confirm_double_booking": "1"}, **JSON
    )
    assert confirmed.status_code == 200
    other.refresh_from_db()
    assert other.starts_at == at(3, 11)


def test_the_question_does_not_name_another_teams_session(client_in, session, studio):
    rival = UserFactory(producer=True)
    theirs = make_production(lectures=1, team=[rival], client="Gemeente Bravo")
    make_session(theirs, days=8, location=studio, state="scheduled")
    response = client_in.post(move_url(session), {"starts_at": wall(at(8, 10))}, **JSON)
    assert response.status_code == 409
    question = response.json()["question"]
    assert "another team" in question and str(theirs) not in question


@pytest.mark.parametrize(
    ("setup", "starts", "words"),
    [
        (lambda s, by: None, lambda: at(-2, 10), "in the past"),
        (
            lambda s, by: scheduling.recording_session_transition(
                session=s, to_state="cancelled", reason="weg", by=by
            ),
            lambda: at(4, 10),
            "cancelled session cannot be changed",
        ),
        (lambda s, by: None, lambda: "next tuesday", "Enter a valid date/time"),
    ],
    ids=["past", "cancelled", "garbage"],
)
def test_a_refused_move_answers_with_a_clear_message_and_changes_nothing(
    client_in, session, producer, setup, starts, words
):
    setup(session, producer)
    session.refresh_from_db()
    before = (session.starts_at, session.ical_sequence)
    value = starts()
    response = client_in.post(
        move_url(session), {"starts_at": value if isinstance(value, str) else wall(value)}, **JSON
    )
    assert response.status_code == 400
    assert words in response.json()["message"]
    session.refresh_from_db()
    assert (session.starts_at, session.ical_sequence) == before


def test_another_teams_session_is_a_404_and_stays_put(client, session):
    client.force_login(UserFactory(producer=True))  # a rival
    assert move_to_day_4(client, session, **JSON).status_code == 404
    assert_unmoved(session)


def test_learners_and_visitors_cannot_move(client, session):
    anonymous = move_to_day_4(client, session)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(UserFactory())
    assert move_to_day_4(client, session).status_code == 403
    assert_unmoved(session)


def test_a_move_without_the_csrf_token_is_refused(producer, session):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(producer)
    assert move_to_day_4(browser, session, **JSON).status_code == 403
    assert_unmoved(session)
    page = browser.get(reverse("production:calendar") + f"?view=week&date={at(3).date().isoformat()}")
    token = page.cookies["csrftoken"].value
    ok = move_to_day_4(browser, session, HTTP_X_CSRFTOKEN=token, **JSON)
    assert ok.status_code == 200
    session.refresh_from_db()
    assert session.starts_at == at(4, 10)


def test_an_unknown_kind_is_a_404(client_in, session):
    assert client_in.post(f"/studio/calendar/lecture/{session.pk}/move/", {}).status_code == 404


# --- the endpoint: the "move to" form (keyboard, no JavaScript) ------------------------------


def test_the_move_form_asks_about_the_double_booking_and_the_confirm_button_moves_it(
    client_in, session, production, studio
):
    other = make_session(production, days=6, location=studio, state="scheduled")
    form = client_in.get(move_url(other), HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'name="starts_at"' in page and wall(at(6, 10)) in page

    asked = client_in.post(move_url(other), {"starts_at": wall(at(3, 11))}, HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 409
    page = asked.content.decode()
    assert "Studio Noord" in page and str(production) in page
    assert 'name="confirm_double_booking" value="1"' in page and "Book it anyway" in page
    other.refresh_from_db()
    assert other.starts_at == at(6, 10)

    confirm = {"starts_at": wall(at(3, 11)), "confirm_double_booking": "1"}
    done = client_in.post(move_url(other), confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 302
    assert done["Location"] == reverse("production:calendar") + f"?view=week&date={at(3).date().isoformat()}"
    other.refresh_from_db()
    assert other.starts_at == at(3, 11)


def test_the_move_form_shows_a_refusal_on_the_field(client_in, session):
    response = client_in.post(move_url(session), {"starts_at": wall(at(-1, 9))}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "in the past" in response.content.decode()


def test_a_pretalk_moves_from_the_move_form_too(client_in, pretalk):
    response = client_in.post(move_url(pretalk), {"starts_at": wall(at(2, 15))})
    assert response.status_code == 302
    assert PreTalk.objects.get().starts_at == at(2, 15)
    assert RecordingSession.objects.count() == 0
