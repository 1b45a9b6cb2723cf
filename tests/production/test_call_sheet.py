"""The call sheet: who is where, when, with which script, for one recording day (issue 14)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from production.models import RecordingSession
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from production.studio import callsheet
from tests.factories import UserFactory

from .factories import LocationFactory, SpeakerFactory, make_production

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
DAY = date(2027, 6, 14)  # a Monday, in the future (holds need a date from today on)
FALL_BACK = date(2027, 10, 31)  # clocks go from 03:00 CEST back to 02:00 CET


def local(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS, fold=fold)


def session(production, starts_at, *, hours=1, location=None, speakers=(), lectures=None, **kwargs):
    return scheduling.recording_session_create(
        production=production,
        starts_at=starts_at,
        ends_at=starts_at.astimezone(UTC) + timedelta(hours=hours),  # elapsed time, not wall clock
        lectures=lectures if lectures is not None else list(production.course.lectures.all()[:1]),
        location=location,
        speakers=speakers,
        confirm_double_booking=True,
        **kwargs,
        by=None,
    )


def url(day: date, *, pdf: bool = False, location=None) -> str:
    name = "production:call_sheet_pdf" if pdf else "production:call_sheet"
    path = reverse(name, kwargs={"day": day.isoformat()})
    return f"{path}?location={location}" if location is not None else path


@pytest.fixture
def producer():
    return UserFactory(producer=True, language="en")


@pytest.fixture
def studio():
    return LocationFactory(
        name="Studio Noord",
        address="Noorderweg 5, Utrecht",
        access_notes="Ring at the loading dock; parking card at reception.",
    )


@pytest.fixture
def production(producer):
    return make_production(lectures=3, team=[producer], client="Gemeente Alfa")


# --- selector ------------------------------------------------------------------------------


def test_sessions_are_ordered_by_instant_across_the_night_the_clocks_go_back(producer, production):
    # 02:30 CEST (00:30 UTC) comes before 02:15 CET (01:15 UTC) although its wall clock is later.
    early = session(production, local(FALL_BACK, 0, 10), hours=0.25)  # the day's first minutes
    first = session(production, local(FALL_BACK, 2, 30, fold=0), hours=0.5)
    second = session(production, local(FALL_BACK, 2, 15, fold=1), hours=0.5)
    late = session(production, local(FALL_BACK, 23, 30), hours=0.25)  # the 25-hour day's last hour
    session(production, local(FALL_BACK + timedelta(days=1), 0, 30))  # the next day
    session(production, local(FALL_BACK - timedelta(days=1), 23, 0), hours=0.5)  # the day before

    sheet = callsheet.call_sheet_for(user=producer, day=FALL_BACK)

    assert [e.session.pk for e in sheet.entries] == [early.pk, first.pk, second.pk, late.pk]
    assert first.starts_at.astimezone(UTC).hour == 0 and second.starts_at.astimezone(UTC).hour == 1
    assert [e.starts_local.strftime("%H:%M %Z") for e in sheet.entries] == [
        "00:10 CEST",
        "02:30 CEST",
        "02:15 CET",
        "23:30 CET",
    ]


def test_cancelled_sessions_are_left_out_and_held_ones_are_marked(producer, production, studio):
    kept = session(production, local(DAY, 9), location=studio, state="scheduled")
    held = session(production, local(DAY, 11), location=studio)
    cancelled = session(production, local(DAY, 14), location=studio)
    scheduling.recording_session_hold(
        session=held, until=DAY + timedelta(days=30), reason="lockdown", by=None
    )
    scheduling.recording_session_transition(
        session=cancelled, to_state="cancelled", reason="no budget", by=None
    )

    sheet = callsheet.call_sheet_for(user=producer, day=DAY)

    assert [e.session.pk for e in sheet.entries] == [kept.pk, held.pk]
    assert [e.held for e in sheet.entries] == [False, True]
    assert sheet.entries[1].hold_reason == "lockdown"
    assert sheet.entries[1].hold_until == DAY + timedelta(days=30)


def test_an_entry_holds_location_crew_speakers_lectures_scripts_and_notes(producer, production, studio):
    lectures = list(production.course.lectures.order_by("position"))
    approved, pending = lectures[0].script_part, lectures[1].script_part
    scripts.script_version_add(part=approved, text="v1", by=None)
    scripts.script_version_add(part=approved, text="v2", by=None)
    scripts.script_part_transition(part=approved, to_state="in_review", by=None)
    scripts.script_part_transition(part=approved, to_state="approved", by=None)
    scripts.script_version_add(part=pending, text="draft", by=None)
    yes = SpeakerFactory(name="Anna Ja", phone="+31 6 1111 1111")
    waiting = SpeakerFactory(name="Bert Wacht", phone="+31 6 2222 2222")
    item = session(
        production,
        local(DAY, 10),
        location=studio,
        speakers=[yes, waiting],
        lectures=lectures[:2],
        notes="Bring the blue jacket.",
    )
    scheduling.attendance_respond(attendance=item.attendances.get(speaker=yes), rsvp="accepted", by=None)
    scheduling.crew_assign(session=item, name="Carla Camera", role="camera", phone="+31 6 3333 3333", by=None)

    (entry,) = callsheet.call_sheet_for(user=producer, day=DAY, location_id=studio.pk).entries

    assert (entry.starts_local.strftime("%H:%M"), entry.ends_local.strftime("%H:%M")) == ("10:00", "11:00")
    assert entry.location.name == "Studio Noord"
    assert entry.location.address == "Noorderweg 5, Utrecht"
    assert entry.location.access_notes.startswith("Ring at the loading dock")
    assert [(c.name, c.role, c.phone) for c in entry.crew] == [("Carla Camera", "Camera", "+31 6 3333 3333")]
    assert [(s.name, s.answer, s.phone) for s in entry.speakers] == [
        ("Anna Ja", "Accepted", "+31 6 1111 1111"),
        ("Bert Wacht", "Pending", "+31 6 2222 2222"),
    ]
    assert [(le.title, le.script_version) for le in entry.lectures] == [
        (lectures[0].title, 2),
        (lectures[1].title, None),
    ]
    assert entry.notes == "Bring the blue jacket."


def test_a_producer_never_sees_another_teams_sessions_speakers_or_crew(producer, production, studio):
    other_team = UserFactory(producer=True)
    theirs = make_production(lectures=1, team=[other_team], client="Gemeente Bravo")
    ours = session(production, local(DAY, 9), location=studio, speakers=[SpeakerFactory(name="Onze Spreker")])
    their_session = session(
        theirs, local(DAY, 13), location=studio, speakers=[SpeakerFactory(name="Hun Spreker")]
    )
    scheduling.crew_assign(session=their_session, name="Hun Geluid", role="sound", phone="+31 6 9", by=None)

    mine = callsheet.call_sheet_for(user=producer, day=DAY, location_id=studio.pk)
    all_locations = callsheet.call_sheet_for(user=producer, day=DAY)
    their_view = callsheet.call_sheet_for(user=other_team, day=DAY, location_id=studio.pk)

    assert [e.session.pk for e in mine.entries] == [ours.pk]
    assert [e.session.pk for e in all_locations.entries] == [ours.pk]
    assert [e.session.pk for e in their_view.entries] == [their_session.pk]
    assert callsheet.call_sheet_for(user=UserFactory(), day=DAY).entries == []  # a learner: nothing


def test_a_location_filter_keeps_only_that_locations_sessions(producer, production, studio):
    elsewhere = LocationFactory(name="Studio Zuid")
    here = session(production, local(DAY, 9), location=studio)
    session(production, local(DAY, 10), location=elsewhere)

    sheet = callsheet.call_sheet_for(user=producer, day=DAY, location_id=studio.pk)

    assert [e.session.pk for e in sheet.entries] == [here.pk]
    assert sheet.location == studio


def test_an_empty_day_names_the_next_recording_day_of_the_producers_team(producer, production):
    other_team = UserFactory(producer=True)
    theirs = make_production(lectures=1, team=[other_team])
    session(theirs, local(DAY + timedelta(days=2), 9))  # another team's: not the producer's next day
    session(production, local(DAY + timedelta(days=5), 9))

    sheet = callsheet.call_sheet_for(user=producer, day=DAY)

    assert sheet.entries == []
    assert sheet.next_recording_day == DAY + timedelta(days=5)


# --- page ----------------------------------------------------------------------------------


def _day_with_two_teams(producer, production, studio):
    other_team = UserFactory(producer=True)
    theirs = make_production(lectures=1, team=[other_team], client="Gemeente Bravo")
    speaker = SpeakerFactory(name="Anna Ja", phone="+31 6 1111 1111")
    ours = session(production, local(DAY, 9, 30), location=studio, speakers=[speaker], notes="Jasje mee")
    scheduling.crew_assign(session=ours, name="Carla Camera", role="camera", phone="+31 6 3333 3333", by=None)
    their_session = session(
        theirs, local(DAY, 14), location=studio, speakers=[SpeakerFactory(name="Hun Spreker")], notes="GEHEIM"
    )
    scheduling.crew_assign(session=their_session, name="Hun Geluid", role="sound", by=None)
    return other_team


def test_the_page_shows_the_teams_day_and_nothing_of_the_other_team(client, producer, production, studio):
    _day_with_two_teams(producer, production, studio)
    client.force_login(producer)

    response = client.get(url(DAY, location=studio.pk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "09:30",
        "Studio Noord",
        "Noorderweg 5",
        "Access",
        "loading dock",
        "Anna Ja",
        "Pending",
        "+31 6 1111 1111",
    ):
        assert expected in page
    assert "Carla Camera" in page and "+31 6 3333 3333" in page and "Jasje mee" in page
    assert "Hun Spreker" not in page and "Hun Geluid" not in page and "GEHEIM" not in page
    assert "Gemeente Bravo" not in page
    assert reverse("production:call_sheet_pdf", kwargs={"day": DAY.isoformat()}) in page
    assert reverse("production:call_sheet", kwargs={"day": (DAY + timedelta(days=1)).isoformat()}) in page
    assert reverse("production:call_sheet", kwargs={"day": (DAY - timedelta(days=1)).isoformat()}) in page
    assert "css/call_sheet.css" in page


def test_printing_hides_the_navigation():
    css = (Path(settings.BASE_DIR) / "static/css/call_sheet.css").read_text()
    printing = css[css.index("@media print") :]
    assert ".studio-nav" in printing and ".site-header" in printing and "display: none" in printing


def test_the_page_speaks_dutch(client, producer, production, studio):
    _day_with_two_teams(producer, production, studio)
    producer.language = "nl"
    producer.save()
    client.force_login(producer)

    with translation.override("nl"):
        page = client.get(url(DAY), HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Callsheet maandag 14 juni 2027" in page
    assert "Toegang" in page and "Nog geen antwoord" in page and "Vorige dag" in page


def test_an_unknown_location_or_date_is_a_404(client, producer, production):
    client.force_login(producer)
    assert client.get(url(DAY, location=987654)).status_code == 404
    assert client.get(url(DAY, location="abc")).status_code == 404
    assert client.get("/studio/call-sheet/2027-02-30/").status_code == 404


def test_the_page_needs_a_producer(client, production):
    response = client.get(url(DAY))
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(UserFactory())  # a learner
    assert client.get(url(DAY)).status_code == 403
    assert client.get(url(DAY, pdf=True)).status_code == 403


def test_an_empty_day_says_so_and_links_the_next_recording_day(client, producer, production):
    session(production, local(DAY + timedelta(days=3), 9))
    client.force_login(producer)

    page = client.get(url(DAY), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No recordings on this day" in page
    assert reverse("production:call_sheet", kwargs={"day": (DAY + timedelta(days=3)).isoformat()}) in page


def test_the_calendar_links_each_day_with_sessions_to_its_call_sheet(client, producer, production):
    session(production, local(DAY, 9))
    client.force_login(producer)

    page = client.get(reverse("production:calendar") + f"?view=week&date={DAY.isoformat()}").content.decode()

    assert reverse("production:call_sheet", kwargs={"day": DAY.isoformat()}) in page
    assert reverse("production:call_sheet", kwargs={"day": (DAY + timedelta(days=1)).isoformat()}) not in page


# --- PDF -----------------------------------------------------------------------------------


def test_the_pdf_holds_times_speakers_and_crew_and_nothing_of_the_other_team(
    client, producer, production, studio
):
    _day_with_two_teams(producer, production, studio)
    client.force_login(producer)

    response = client.get(url(DAY, pdf=True))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="call-sheet-{DAY.isoformat()}.pdf"'
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("09:30", "10:30", "Studio Noord", "Anna Ja", "+31 6 1111 1111", "Carla Camera"):
        assert expected in text
    assert "Hun Spreker" not in text and "Hun Geluid" not in text and "GEHEIM" not in text


def test_the_pdf_of_a_busy_day_runs_over_several_pages(producer, production, studio):
    for i in range(30):
        session(
            production,
            local(DAY, 6) + timedelta(minutes=25 * i),
            hours=0.25,
            location=studio,
            speakers=[SpeakerFactory(name=f"Spreker {i:02d}")],
        )
    sheet = callsheet.call_sheet_for(user=producer, day=DAY)

    reader = PdfReader(io.BytesIO(callsheet.call_sheet_pdf(sheet)))

    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 1
    assert "Spreker 00" in text and "Spreker 29" in text


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("pdf", [False, True])
@pytest.mark.parametrize("size", [3, 30])
def test_the_call_sheet_uses_the_same_number_of_queries_for_3_and_30_sessions(
    client, django_assert_num_queries, producer, studio, size, pdf
):
    production = make_production(lectures=size, team=[producer])
    lectures = list(production.course.lectures.order_by("position"))
    for i, lecture in enumerate(lectures):
        scripts.script_version_add(part=lecture.script_part, text="tekst", by=None)
        item = session(
            production,
            local(DAY, 6) + timedelta(minutes=25 * i),
            hours=0.25,
            location=studio if i % 2 else None,
            lectures=[lecture],
            speakers=[SpeakerFactory(), SpeakerFactory()],
            state="scheduled",
        )
        scheduling.crew_assign(session=item, name=f"Crew {i}", role="camera", phone="+31 6", by=None)
        if i % 3 == 0:
            scheduling.recording_session_hold(session=item, until=DAY, reason="weer", by=None)
    client.force_login(producer)
    address = url(DAY, pdf=pdf)
    client.get(address)

    with django_assert_num_queries(8 if not pdf else 7):
        response = client.get(address)

    assert response.status_code == 200
    if not pdf:
        assert response.content.decode().count('class="call-entry') == size
    assert RecordingSession.objects.filter(state="on_hold").count() == len(range(0, size, 3))


def test_the_date_picker_goes_to_the_picked_days_sheet_keeping_the_location(client, producer, studio):
    client.force_login(producer)

    response = client.get(url(DAY), {"date": "2027-07-01", "location": studio.pk})

    assert response.status_code == 302
    assert response["Location"] == url(date(2027, 7, 1), location=studio.pk)
    assert client.get(url(DAY), {"date": "1 juli"}).status_code == 404
