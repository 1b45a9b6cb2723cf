"""Time rules compare instants, never wall-clock times.

Python compares and subtracts two aware datetimes that share one tzinfo object (every
``ZoneInfo("Europe/Amsterdam")`` is the same object) by their wall clock and ignores ``fold``; so the
night the clocks go back, 02:30+02:00 (fold=0) and 02:30+01:00 (fold=1), one real hour apart, looked
equal. Every rule converts to UTC first. Forms: a producer entering a time that happens twice is asked
which one (the first, summer time, or the second, winter time); a time that does not exist (the
night the clocks go forward) is refused with the reason.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from omooc.exceptions import ApplicationError
from production.models import PreTalk, RecordingSession
from production.scheduling import selectors as scheduling_selectors
from production.scheduling import services as scheduling
from production.scheduling.forms import PreTalkForm, SessionForm
from production.scheduling.services.checks import check_span

from .factories import LocationFactory, SpeakerFactory, make_pretalk, make_production

pytestmark = pytest.mark.django_db

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NYC = zoneinfo.ZoneInfo("America/New_York")
# 2027: Europe goes back on Sunday 31 October (03:00 CEST -> 02:00 CET, at 01:00 UTC) and forward on
# Sunday 28 March (02:00 CET -> 03:00 CEST); New York goes back on 7 November and forward on 14 March.
FIRST_0230 = datetime(2027, 10, 31, 2, 30, tzinfo=AMS)  # 00:30 UTC, CEST
SECOND_0230 = datetime(2027, 10, 31, 2, 30, tzinfo=AMS, fold=1)  # 01:30 UTC, CET


@pytest.fixture
def production():
    return make_production(lectures=1)


def _session(production, starts_at, ends_at, **kwargs):
    return scheduling.recording_session_create(
        production=production,
        starts_at=starts_at,
        ends_at=ends_at,
        lectures=list(production.course.lectures.all()),
        **kwargs,
        by=None,
    )


def test_the_night_the_clocks_go_back_a_session_from_the_first_to_the_second_0230_is_one_hour(production):
    assert SECOND_0230.astimezone(UTC) - FIRST_0230.astimezone(UTC) == timedelta(hours=1)
    session = _session(production, FIRST_0230, SECOND_0230)
    session.refresh_from_db()
    assert session.ends_at - session.starts_at == timedelta(hours=1)
    assert session.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_session_ending_at_the_first_0245_after_starting_at_the_second_0230_ends_before_it_starts(
    production,
):
    ends = datetime(2027, 10, 31, 2, 45, tzinfo=AMS)  # 00:45 UTC: before 01:30 UTC
    with pytest.raises(ApplicationError, match="must be after the start") as exc:
        _session(production, SECOND_0230, ends)
    assert exc.value.extra["field"] == "ends_at"
    assert not RecordingSession.objects.exists()


def test_the_24_hour_limit_counts_real_hours_across_both_changes(production):
    # The day the clocks go back has 25 hours: midnight to midnight is too long.
    with pytest.raises(ApplicationError, match="at most 24 hours"):
        _session(
            production, datetime(2027, 10, 31, 0, 0, tzinfo=AMS), datetime(2027, 11, 1, 0, 0, tzinfo=AMS)
        )
    # The day the clocks go forward has 23 hours: 00:30 to 00:45 the next day is 23h15m, allowed.
    session = _session(
        production, datetime(2027, 3, 28, 0, 30, tzinfo=AMS), datetime(2027, 3, 29, 0, 45, tzinfo=AMS)
    )
    assert session.pk


def test_giving_the_same_instants_in_another_form_is_no_reschedule(production):
    session = _session(production, SECOND_0230, SECOND_0230 + timedelta(hours=2))
    session = scheduling.recording_session_update(
        session=session, starts_at=SECOND_0230, ends_at=datetime(2027, 10, 31, 4, 30, tzinfo=AMS), by=None
    )
    session.refresh_from_db()
    assert session.ical_sequence == 0, "02:30 CET is the instant already stored"


def test_a_session_in_the_first_0230_hour_does_not_clash_with_one_in_the_second(production):
    studio = LocationFactory()
    _session(production, FIRST_0230, datetime(2027, 10, 31, 2, 50, tzinfo=AMS), location=studio)
    # 02:30-02:50 the second time is an hour later in real time: no double booking
    _session(production, SECOND_0230, datetime(2027, 10, 31, 2, 50, tzinfo=AMS, fold=1), location=studio)
    # (``+ timedelta`` on a zoned datetime is wall-clock arithmetic and drops ``fold``: build instants)
    with pytest.raises(ApplicationError, match="already booked"):
        _session(production, datetime(2027, 10, 31, 2, 40, tzinfo=AMS), SECOND_0230, location=studio)


def test_a_pretalk_ends_duration_minutes_of_real_time_after_it_starts(production):
    speaker = SpeakerFactory()
    pretalk = make_pretalk(
        production,
        speakers=[speaker],
        starts_at=datetime(2027, 10, 31, 1, 30, tzinfo=AMS),
        duration_minutes=120,
        video_link="https://meet.example.org/a",
    )
    assert pretalk.ends_at.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert pretalk.ends_at.astimezone(AMS).strftime("%H:%M %Z") == "02:30 CET"


# --- the studio form -------------------------------------------------------------------------


def _session_data(production, starts, ends, **extra):
    return {
        "starts_at": starts,
        "ends_at": ends,
        "lectures": [lecture.pk for lecture in production.course.lectures.all()],
        "state": "tentative",
        **extra,
    }


def test_the_form_asks_which_0230_when_a_time_happens_twice(production):
    form = SessionForm(
        _session_data(production, "2027-10-31T02:30", "2027-10-31T03:30"), production=production
    )
    assert not form.is_valid()
    (error,) = form.errors["starts_at"]
    assert "happens twice" in error and "UTC+02:00" in error and "UTC+01:00" in error
    assert "starts_at_occurrence" in form.fields, "the form now offers the choice"
    assert "ends_at_occurrence" not in form.fields, "03:30 happens once"


def test_the_form_can_express_the_second_0230(production):
    form = SessionForm(
        _session_data(
            production,
            "2027-10-31T02:30",
            "2027-10-31T02:30",
            starts_at_occurrence="first",
            ends_at_occurrence="second",
        ),
        production=production,
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert "starts_at_occurrence" not in data, "services get only their own arguments"
    assert data["starts_at"].astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert data["ends_at"].astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_the_form_refuses_a_time_that_does_not_exist_saying_why(production):
    form = PreTalkForm(
        {
            "speakers": [SpeakerFactory().pk],
            "lectures": [lecture.pk for lecture in production.course.lectures.all()],
            "starts_at": "2027-03-28T02:30",
            "duration_minutes": 45,
            "mode": "phone",
        },
        production=production,
    )
    assert not form.is_valid()
    (error,) = form.errors["starts_at"]
    assert "does not exist" in error and "clocks go forward" in error


def test_a_producer_plans_the_one_hour_session_on_the_night_the_clocks_go_back(client, production):
    producer = production.team.get()
    client.force_login(producer)
    url = reverse("production:session_create", args=[production.pk])
    data = _session_data(production, "2027-10-31T02:30", "2027-10-31T02:30")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not RecordingSession.objects.exists()
    html = response.content.decode()
    assert "happens twice" in html and 'name="starts_at_occurrence"' in html
    response = client.post(url, {**data, "starts_at_occurrence": "first", "ends_at_occurrence": "second"})
    assert response.status_code == 302
    session = RecordingSession.objects.get()
    assert session.ends_at - session.starts_at == timedelta(hours=1)


# --- property: the rules agree with UTC arithmetic ---------------------------------------------

ZONES = [AMS, NYC, zoneinfo.ZoneInfo("UTC")]
TRANSITIONS = [
    datetime(2027, 3, 28, 1, 0, tzinfo=UTC),  # Europe forward
    datetime(2027, 10, 31, 1, 0, tzinfo=UTC),  # Europe back
    datetime(2027, 3, 14, 7, 0, tzinfo=UTC),  # New York forward
    datetime(2027, 11, 7, 6, 0, tzinfo=UTC),  # New York back
]


@st.composite
def instants(draw):
    """An instant within 26 hours of a DST change."""
    base = draw(st.sampled_from(TRANSITIONS))
    return base + timedelta(minutes=draw(st.integers(min_value=-26 * 60, max_value=26 * 60)))


# Half the time both ends in one zone: the case Python compares by wall clock.
zone_pairs = st.sampled_from(ZONES).flatmap(
    lambda zone: st.tuples(st.just(zone), st.one_of(st.just(zone), st.sampled_from(ZONES)))
)


def _zoned(instant: datetime, zone) -> datetime:
    """The instant in ``zone``; ``astimezone`` sets ``fold`` right for the repeated hour."""
    return instant.astimezone(zone)


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ONE_HOUR_OVER_THE_CHANGE = {"start": datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "zones": (AMS, AMS)}


@PROPERTY
@given(
    start=instants(),
    minutes=st.integers(min_value=-180, max_value=25 * 60 + 120),
    zones=zone_pairs,
)
@example(**ONE_HOUR_OVER_THE_CHANGE, minutes=60)  # 02:30 CEST - 02:30 CET
@example(start=datetime(2027, 10, 30, 22, 0, tzinfo=UTC), minutes=25 * 60, zones=(AMS, AMS))
@example(start=datetime(2027, 3, 27, 23, 30, tzinfo=UTC), minutes=23 * 60 + 15, zones=(AMS, AMS))
def test_span_and_duration_rules_agree_with_utc_arithmetic(start, minutes, zones):
    end = start + timedelta(minutes=minutes)
    real = end - start  # both in UTC: real elapsed time
    expected_ok = timedelta(0) < real <= timedelta(hours=scheduling.MAX_SESSION_HOURS)
    try:
        check_span(_zoned(start, zones[0]), _zoned(end, zones[1]))
    except ApplicationError as exc:
        assert not expected_ok, f"refused {real}: {exc.message}"
        assert exc.extra["field"] == "ends_at"
    else:
        assert expected_ok, f"accepted {real}"


@PROPERTY
@given(start=instants(), minutes=st.integers(min_value=1, max_value=480), zone=st.sampled_from(ZONES))
@example(start=datetime(2027, 10, 30, 23, 30, tzinfo=UTC), minutes=120, zone=AMS)
def test_a_pretalk_lasts_its_minutes_in_real_time(start, minutes, zone):
    pretalk = PreTalk(starts_at=_zoned(start, zone), duration_minutes=minutes)
    assert pretalk.ends_at.astimezone(UTC) - start == timedelta(minutes=minutes)


@PROPERTY
@given(
    a=instants(),
    a_minutes=st.integers(min_value=1, max_value=240),
    offset=st.integers(min_value=-300, max_value=300),
    b_minutes=st.integers(min_value=1, max_value=240),
    zones=zone_pairs,
)
# 02:30-02:50 CEST and 02:30-02:50 CET: the same wall clock, an hour apart
@example(a=datetime(2027, 10, 31, 0, 30, tzinfo=UTC), a_minutes=20, offset=60, b_minutes=20, zones=(AMS, AMS))
# 01:40 CEST-02:40 CET and 02:10-02:20 CEST: looks inside, is inside
@example(
    a=datetime(2027, 10, 30, 23, 40, tzinfo=UTC), a_minutes=120, offset=30, b_minutes=10, zones=(AMS, AMS)
)
def test_overlap_rules_agree_with_utc_arithmetic(production, a, a_minutes, offset, b_minutes, zones):
    """A location's double booking (database) and the calendar's conflict marks (Python) both see
    exactly the overlaps that UTC arithmetic sees."""
    from django.db import transaction

    a_end = a + timedelta(minutes=a_minutes)
    b = a + timedelta(minutes=offset)
    b_end = b + timedelta(minutes=b_minutes)
    expected = b < a_end and a < b_end
    with transaction.atomic():  # each example starts from the same database
        studio = LocationFactory()
        first = _session(production, _zoned(a, zones[0]), _zoned(a_end, zones[0]), location=studio)
        clashes = scheduling.location_conflicts(
            location=studio, starts_at=_zoned(b, zones[1]), ends_at=_zoned(b_end, zones[1])
        )
        assert (clashes == [first]) == expected
        items = [
            scheduling_selectors.CalendarItem(
                "session", first, _zoned(a, zones[0]), _zoned(a_end, zones[0]), production, set(), studio.pk
            ),
            scheduling_selectors.CalendarItem(
                "session", first, _zoned(b, zones[1]), _zoned(b_end, zones[1]), production, set(), studio.pk
            ),
        ]
        scheduling_selectors.mark_conflicts(items)
        assert bool(items[0].conflicts) == expected
        transaction.set_rollback(True)


def test_editing_a_session_at_the_second_0230_offers_it_preselected_and_keeps_it(client, production):
    session = _session(production, SECOND_0230, datetime(2027, 10, 31, 3, 30, tzinfo=AMS))
    client.force_login(production.team.get())
    url = reverse("production:session_edit", args=[session.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="2027-10-31T02:30"' in html
    assert 'name="starts_at_occurrence" value="second"' in html and "checked" in html
    assert "ends_at_occurrence" not in html
    data = {
        "starts_at": "2027-10-31T02:30",
        "starts_at_occurrence": "second",
        "ends_at": "2027-10-31T03:30",
        "lectures": [lecture.pk for lecture in production.course.lectures.all()],
        "notes": "Bring the slides",
    }
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    # (== between zones is always False for a repeated time, PEP 495: compare in UTC)
    assert session.starts_at == SECOND_0230.astimezone(UTC) and session.notes == "Bring the slides"
    assert session.ical_sequence == 0, "the same instants: no reschedule"


def test_the_api_accepts_the_one_hour_session_given_with_utc_offsets(production):
    """The API turns '+01:00' input into the current zone (Amsterdam, fold=1): the service must
    still see one real hour."""
    from rest_framework.test import APIClient

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(production.team.get())
    response = api.post(
        "/api/v1/production/sessions/",
        {
            "production": production.pk,
            "starts_at": "2027-10-31T02:30:00+02:00",
            "ends_at": "2027-10-31T02:30:00+01:00",
            "lectures": [lecture.pk for lecture in production.course.lectures.all()],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    session = RecordingSession.objects.get()
    assert session.ends_at - session.starts_at == timedelta(hours=1)
