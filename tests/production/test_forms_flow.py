from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from production.models import CalendarFeed, Location, PreTalk, Production, RecordingSession, SessionSpeaker
from tests.factories import CourseFactory, LectureFactory

from .factories import SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, member):
    client.force_login(member)
    return client


def test_a_producer_creates_and_edits_a_production_from_the_studio(client_in, member):
    course = CourseFactory(status="draft", published_at=None)
    LectureFactory(course=course, status="draft")
    response = client_in.post(
        reverse("production:production_create"),
        {
            "course": course.pk,
            "client": "Gemeente Voorbeeld",
            "team": [member.pk],
            "post_production_days": 14,
        },
    )
    production = Production.objects.get(course=course)
    assert response["Location"] == reverse("production:board", args=[production.pk])
    assert production.script_parts.count() == 1
    client_in.post(
        reverse("production:production_edit", args=[production.pk]),
        {
            "client": "Provincie Voorbeeld",
            "team": [member.pk],
            "post_production_days": 30,
            "target_launch_on": "2027-03-01",
        },
    )
    production.refresh_from_db()
    assert (production.client, production.post_production_days, str(production.target_launch_on)) == (
        "Provincie Voorbeeld",
        30,
        "2027-03-01",
    )


def test_session_forms_change_state_hold_speakers_crew_and_responses(client_in, member):
    production = make_production(lectures=2, team=[member])
    ada, bob = SpeakerFactory(), SpeakerFactory()
    session = make_session(production, speakers=[ada])
    base = f"/studio/sessions/{session.pk}/"
    client_in.post(base + "state/", {"to_state": "scheduled"})
    client_in.post(base + "speakers/", {"speaker": bob.pk})
    client_in.post(base + "crew/", {"name": "Joris", "role": "sound"})
    client_in.post(
        base + f"speakers/{ada.pk}/response/",
        {
            "rsvp": "declined",
            "decline_reason": "Op vakantie",
            "proposed_starts_at": at(20).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    client_in.post(base + f"speakers/{bob.pk}/remove/")
    until = timezone.localdate() + timedelta(days=5)
    client_in.post(base + "hold/", {"until": until.isoformat(), "reason": "lockdown", "step": "confirm"})
    session.refresh_from_db()
    assert (session.state, session.hold_until, session.hold_reason) == ("on_hold", until, "lockdown")
    assert list(session.crew.values_list("name", "role")) == [("Joris", "sound")]
    attendance = SessionSpeaker.objects.get(session=session)
    assert (attendance.speaker, attendance.rsvp, attendance.decline_reason) == (
        ada,
        "declined",
        "Op vakantie",
    )
    page = client_in.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Op vakantie" in page and "put on hold" in page and "speaker removed" in page
    response = client_in.post(
        base + "edit/",
        {
            "starts_at": at(12).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(12, 12).strftime("%Y-%m-%dT%H:%M"),
            "lectures": [lec.pk for lec in production.course.lectures.all()],
            "reason": "lockdown over",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == "scheduled" and session.hold_until is None


def test_pretalk_forms_change_and_cancel_a_pretalk(client_in, member):
    production = make_production(lectures=1, team=[member])
    ada = SpeakerFactory()
    lecture = production.course.lectures.get()
    form = {
        "speakers": [ada.pk],
        "lectures": [lecture.pk],
        "starts_at": at(3).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 30,
        "mode": "online",
    }
    client_in.post(reverse("production:pretalk_create", args=[production.pk]), form)
    assert not PreTalk.objects.exists()  # online needs a link
    client_in.post(
        reverse("production:pretalk_create", args=[production.pk]),
        {**form, "video_link": "https://meet.example.org/abc"},
    )
    pretalk = PreTalk.objects.get()
    client_in.post(
        reverse("production:pretalk_edit", args=[pretalk.pk]),
        {
            "lectures": [lecture.pk],
            "starts_at": at(4).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 45,
            "mode": "in_person",
            "place": "Stadhuis",
        },
    )
    pretalk.refresh_from_db()
    assert (pretalk.mode, pretalk.place, pretalk.duration_minutes, pretalk.ical_sequence) == (
        "in_person",
        "Stadhuis",
        45,
        1,
    )
    client_in.post(reverse("production:pretalk_cancel", args=[pretalk.pk]), {"reason": "Niet meer nodig"})
    pretalk.refresh_from_db()
    assert pretalk.state == "cancelled"


def test_locations_post_production_speaker_edit_and_feed_rotation(client_in, member):
    client_in.post(
        reverse("production:locations"), {"name": "Studio Oost", "address": "Oostweg 1", "capacity": 6}
    )
    assert Location.objects.filter(name="Studio Oost").exists()
    production = make_production(lectures=1, team=[member])
    item = production.post_production.get()
    client_in.post(
        reverse("production:post_production", args=[item.pk]),
        {"edit": "done", "captions": "in_progress", "review": "not_started", "reason": ""},
    )
    item.refresh_from_db()
    assert (item.edit, item.captions) == ("done", "in_progress")
    speaker = SpeakerFactory()
    client_in.post(
        reverse("production:speaker_edit", args=[speaker.pk]),
        {"name": "Nieuwe Naam", "email": speaker.email, "language": "en", "time_zone": "Europe/London"},
    )
    speaker.refresh_from_db()
    assert (speaker.name, speaker.language) == ("Nieuwe Naam", "en")
    client_in.get(reverse("production:feed_settings"))
    old = CalendarFeed.objects.get(user=member).token
    client_in.post(reverse("production:feed_settings"))
    assert CalendarFeed.objects.get(user=member).token != old


def test_holding_all_productions_at_once_from_the_studio_home(client_in, member):
    first = make_production(lectures=1, team=[member])
    second = make_production(lectures=1, team=[member])
    elsewhere = make_production(lectures=1)
    for production in (first, second, elsewhere):
        make_session(production)
    until = timezone.localdate() + timedelta(days=7)
    data = {"until": until.isoformat(), "reason": "lockdown"}
    client_in.post(reverse("production:postpone_all"), data)  # the preview changes nothing
    assert not RecordingSession.objects.filter(state="on_hold").exists()
    client_in.post(reverse("production:postpone_all"), {**data, "step": "confirm"})
    states = dict(RecordingSession.objects.values_list("production_id", "state"))
    assert states == {first.pk: "on_hold", second.pk: "on_hold", elsewhere.pk: "tentative"}
