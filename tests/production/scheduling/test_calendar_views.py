"""The studio calendar: month and week (with hours) views, the location filter and the per-location
view, the empty state with the next event, and constant queries. Two teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from production.scheduling import services as scheduling
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, at, fill_the_calendar, make_production, make_session

pytestmark = pytest.mark.django_db


def week_of(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def get(client, url, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


CAL = "/studio/calendar/"


def test_the_week_view_places_each_item_in_its_day_and_hour_and_makes_it_movable(client_in, production):
    session = make_session(production, days=2, hours=2)
    page = get(client_in, reverse("production:calendar"), view="week", date=week_of(2))
    slot = f'data-slot="{at(2, 10).strftime("%Y-%m-%dT%H")}"'
    assert slot in page
    cell = page.split(slot, 1)[1].split("</td>", 1)[0]
    assert f'data-move-url="{reverse("production:calendar_move", args=["session", session.pk])}"' in cell
    assert 'draggable="true"' in cell
    assert reverse("production:session_edit", args=[session.pk]) in cell  # works without JavaScript
    assert reverse("production:calendar_move", args=["session", session.pk]) in cell  # keyboard: "Move…"
    assert '<th scope="row"' in page and "07:00" in page and "18:00" in page
    assert "calendar.js" in page and "onclick" not in page


def test_a_recorded_session_is_shown_but_cannot_be_moved(client_in, production):
    session = make_session(production, days=-2, state="scheduled")
    scheduling.recording_session_transition(session=session, to_state="recorded", by=None)
    page = get(client_in, reverse("production:calendar"), view="week", date=week_of(-2))
    assert reverse("production:session", args=[session.pk]) in page
    assert reverse("production:calendar_move", args=["session", session.pk]) not in page


def test_the_month_view_is_kept(client_in, production):
    make_session(production, days=1)
    page = get(client_in, reverse("production:calendar"), view="month", date=week_of(1))
    assert timezone.localdate().strftime("%Y") in page and 'class="cal-item' in page


def test_the_location_filter_shows_only_that_locations_sessions(client_in, production):
    north, south = LocationFactory(name="Studio Noord"), LocationFactory(name="Studio Zuid")
    make_session(production, days=1, location=north, notes="in het noorden")
    at_south = make_session(production, days=1, location=south, confirm_double_booking=True)
    page = get(client_in, reverse("production:calendar"), view="week", date=week_of(1), location=south.pk)
    assert reverse("production:session_edit", args=[at_south.pk]) in page
    assert page.count('data-testid="cal-event-') == 1
    assert (
        "selected>Studio Zuid" in page
        or 'selected="selected">Studio Zuid' in page
        or (f'value="{south.pk}" selected' in page)
    )


def test_the_per_location_view_names_the_location_and_its_address(client_in, production):
    north = LocationFactory(name="Studio Noord", address="Noorderweg 5, Utrecht", access_notes="Bel aan")
    session = make_session(production, days=1, location=north)
    make_session(production, days=1)
    url = reverse("production:calendar_location", args=[north.pk])
    page = get(client_in, url, view="week", date=week_of(1))
    assert "Studio Noord" in page and "Noorderweg 5, Utrecht" in page
    assert page.count('data-testid="cal-event-') == 1 and str(session.pk) in page
    month = get(client_in, url, view="month", date=week_of(1))
    assert month.count('class="cal-item') == 1


def test_an_unknown_location_is_a_404(client_in):
    assert client_in.get(reverse("production:calendar_location", args=[999999])).status_code == 404
    assert client_in.get(reverse("production:calendar"), {"location": "999999"}).status_code == 404
    assert client_in.get(reverse("production:calendar"), {"location": "noord"}).status_code == 404


def test_an_empty_week_says_so_and_links_the_next_event(client_in, production):
    session = make_session(production, days=30)
    page = get(client_in, reverse("production:calendar"), view="week", date=week_of(-14))
    assert "Nothing planned this week" in page
    assert reverse("production:session", args=[session.pk]) in page
    assert f"date={at(30).date().isoformat()}" in page  # to the week of the next event


def test_an_empty_month_without_any_next_event_hints_to_plan_one(client_in, production):
    page = get(client_in, reverse("production:calendar"), view="month", date=week_of(0))
    assert "Nothing planned this month" in page
    assert "Nothing is planned after this either" in page
    assert reverse("production:home") in page


def test_the_next_event_is_never_another_teams(client_in, production):
    theirs = make_production(lectures=1, team=[UserFactory(producer=True)], client="Gemeente Bravo")
    make_session(theirs, days=10)
    page = get(client_in, reverse("production:calendar"), view="week", date=week_of(0))
    assert "Nothing planned this week" in page and str(theirs) not in page
    assert "Nothing is planned after this either" in page


def test_another_teams_sessions_are_not_shown_in_a_location_view(client_in, production):
    north = LocationFactory(name="Studio Noord")
    theirs = make_production(lectures=1, team=[UserFactory(producer=True)], client="Gemeente Bravo")
    make_session(theirs, days=1, location=north)
    page = get(client_in, reverse("production:calendar_location", args=[north.pk]), date=week_of(1))
    assert str(theirs) not in page and "Nothing planned this week" in page


def test_the_calendar_speaks_dutch(client, producer, production):
    client.force_login(producer)
    make_session(production, days=1)
    response = client.get(
        reverse("production:calendar"), {"view": "week", "date": week_of(1)}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    page = response.content.decode()
    assert "Verplaatsen" in page and "Alle locaties" in page
    empty = client.get(
        reverse("production:calendar"), {"view": "week", "date": week_of(-21)}, HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Niets gepland deze week" in empty


@pytest.mark.parametrize("size", [3, 30])
def test_the_week_view_uses_the_same_queries_for_3_and_30_sessions(client, django_assert_num_queries, size):
    user = UserFactory(producer=True, language="en")
    production = make_production(lectures=size, team=[user])
    # The two at the studio: in the week shown.
    studio = fill_the_calendar(production, days=lambda i: 2 if i < 2 else i % 5)
    client.force_login(user)
    for url in (
        reverse("production:calendar") + f"?view=week&date={week_of(2)}",
        reverse("production:calendar") + f"?view=week&date={week_of(2)}&location={studio.pk}",
        reverse("production:calendar_location", args=[studio.pk]) + f"?view=week&date={week_of(2)}",
    ):
        client.get(url)
        with django_assert_num_queries(9):
            response = client.get(url)
        assert response.content.decode().count('data-testid="cal-event-') >= 2
