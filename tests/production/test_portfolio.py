"""The portfolio (issue 14): the team's productions as a sortable, filterable table with an archive,
and a launch timeline drawn as SVG on the server.

Written as a second team, a hostile course title and a producer clicking twice would meet it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from production import access
from production.models import HistoryEntry
from production.scheduling import services as scheduling
from production.studio import portfolio_views
from tests.factories import UserFactory
from tests.support.dates import shown_date

from .factories import make_production, make_session

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def producer():
    return UserFactory(producer=True, language="en")


def named(title: str, *, team, client: str, target_days: int | None = None, session_days: int | None = None):
    production = make_production(lectures=2, team=team, client=client)
    production.course.title = title
    production.course.save()
    if target_days is not None:
        production.target_launch_on = timezone.localdate() + timedelta(days=target_days)
        production.save()
    if session_days is not None:
        make_session(production, days=session_days)
    return production


@pytest.fixture
def world(producer):
    """Three productions of ours (one late, one on track, one without dates) and one of a rival team."""
    late = named("Beleid maken", team=[producer], client="Gemeente Alfa", target_days=20, session_days=30)
    on_track = named(
        "Agile overheid", team=[producer], client="Provincie Delta", target_days=200, session_days=10
    )
    undated = named("Cyberveiligheid", team=[producer], client="Waterschap Echo")
    rival = UserFactory(producer=True)
    theirs = named("Geheime cursus", team=[rival], client="Gemeente Bravo", target_days=5, session_days=40)
    return {"late": late, "on_track": on_track, "undated": undated, "theirs": theirs, "rival": rival}


def page(client, **params):
    response = client.get(reverse("production:portfolio"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def table_names(response) -> list[str]:
    body = response.content.decode()
    if 'data-testid="portfolio"' not in body:
        assert "No production matches these filters." in body
        return []
    table = body[body.index('data-testid="portfolio"') :]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', table)


def svg_of(response) -> ET.Element:
    body = response.content.decode()
    start = body.index("<svg")
    return ET.fromstring(body[start : body.index("</svg>", start) + len("</svg>")])  # noqa: S314 - our own page


def test_the_table_shows_only_the_teams_productions_sorted_as_asked(client, producer, world):
    client.force_login(producer)

    assert table_names(page(client, sort="name")) == ["Agile overheid", "Beleid maken", "Cyberveiligheid"]
    assert table_names(page(client, sort="client")) == ["Beleid maken", "Agile overheid", "Cyberveiligheid"]
    assert table_names(page(client, sort="late"))[0] == "Beleid maken"
    assert table_names(page(client, sort="projected")) == [
        "Agile overheid",
        "Beleid maken",
        "Cyberveiligheid",
    ]
    body = page(client).content.decode()
    assert "Geheime cursus" not in body and "Gemeente Bravo" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "late"}, ["Beleid maken"]),
        ({"status": "on_track"}, ["Agile overheid", "Cyberveiligheid"]),
        ({"q": "delta"}, ["Agile overheid"]),
        ({"q": "CYBER"}, ["Cyberveiligheid"]),
        ({"q": "Geheime"}, []),
    ],
)
def test_filters_narrow_the_table(client, producer, world, params, expected):
    client.force_login(producer)
    assert table_names(page(client, sort="name", **params)) == expected


def test_a_value_no_form_would_send_is_named_and_the_page_still_answers(client, producer, world):
    client.force_login(producer)
    body = page(client, sort="drop table", status="x" * 3000, q="\u202e" * 200).content.decode()
    assert "Select a valid choice" in body
    assert len(table_names(page(client, sort="drop table"))) == 3


def test_archiving_hides_a_production_records_who_and_is_idempotent(client, producer, world):
    client.force_login(producer)
    url = reverse("production:production_archive", kwargs={"pk": world["late"].pk})

    assert client.get(url).status_code == 405
    for _ in range(2):  # a double click
        assert client.post(url, {"archive": "1"}).status_code == 302

    assert "Beleid maken" not in table_names(page(client))
    assert table_names(page(client, status="archived")) == ["Beleid maken"]
    entries = HistoryEntry.objects.filter(production=world["late"], action="archived")
    assert [(e.by_id, e.action) for e in entries] == [(producer.pk, "archived")]

    client.post(url, {"archive": "0"})
    assert "Beleid maken" in table_names(page(client))
    assert HistoryEntry.objects.filter(production=world["late"], action="unarchived").get().by == producer


def test_another_teams_production_cannot_be_archived_and_other_roles_are_refused(client, producer, world):
    theirs = world["theirs"]
    url = reverse("production:production_archive", kwargs={"pk": theirs.pk})
    client.force_login(producer)
    assert client.post(url, {"archive": "1"}).status_code == 404
    client.force_login(UserFactory())  # a learner
    assert client.post(url, {"archive": "1"}).status_code == 403
    assert client.get(reverse("production:portfolio")).status_code == 403
    client.logout()
    assert client.post(url, {"archive": "1"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.archived_at is None


def test_the_timeline_draws_target_projection_and_holds_with_words_for_screen_readers(
    client, producer, world
):
    session = world["late"].sessions.get()
    scheduling.recording_session_hold(
        session=session, until=timezone.localdate() + timedelta(days=45), reason="lockdown", by=producer
    )
    client.force_login(producer)

    svg = svg_of(page(client, sort="name"))

    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Launch timeline"
    rows = svg.findall(f"{SVG}g")
    assert len(rows) == 3
    late = next(g for g in rows if g.find(f"{SVG}title").text.startswith("Beleid maken"))
    assert "late" in late.get("class")
    assert late.find(f"{SVG}polygon[@class='target']") is not None
    hold = late.find(f"{SVG}rect[@class='hold']")
    assert "lockdown" in hold.find(f"{SVG}title").text
    undated = next(g for g in rows if g.find(f"{SVG}title").text.startswith("Cyberveiligheid"))
    assert "no target date" in undated.find(f"{SVG}title").text
    assert undated.find(f"{SVG}polygon") is None


def test_a_hostile_course_title_stays_text_in_the_table_and_the_timeline(client, producer):
    named('<script>alert(1)</script>"&', team=[producer], client="<b>x</b>", target_days=10)
    client.force_login(producer)

    response = page(client)

    body = response.content.decode()
    assert "<script>alert(1)" not in body and "<b>x</b>" not in body
    svg = svg_of(response)  # still well-formed XML
    assert svg.find(f"{SVG}g/{SVG}text").text == '<script>alert(1)</script>"&'


def test_pages_of_productions(client, producer, world, monkeypatch):
    monkeypatch.setattr(portfolio_views, "PER_PAGE", 2)
    client.force_login(producer)
    first = page(client, sort="name")
    assert table_names(first) == ["Agile overheid", "Beleid maken"]
    assert "sort=name&amp;page=2" in first.content.decode()
    assert table_names(page(client, sort="name", page=2)) == ["Cyberveiligheid"]
    assert table_names(page(client, sort="name", page="9999")) == ["Cyberveiligheid"]


def test_the_portfolio_costs_the_same_queries_for_3_and_30_productions(client):
    counts = {}
    for n in (3, 30):
        producer = UserFactory(producer=True, language="en")
        for i in range(n):
            named(f"Cursus {i}", team=[producer], client=f"Klant {i}", target_days=20 + i, session_days=5 + i)
        client.force_login(producer)
        page(client)
        with CaptureQueriesContext(connection) as ctx:
            assert len(table_names(page(client, per_page=50))) == n
        counts[n] = len(ctx.captured_queries)
    assert counts[3] == counts[30], counts


def test_an_empty_portfolio_says_what_to_do(client):
    lonely = UserFactory(producer=True)
    client.force_login(lonely)
    assert "You are not on the team of any production yet." in page(client).content.decode()
    assert access.production_list(user=lonely) == []


def test_the_portfolio_speaks_dutch(client, world):
    dutch = UserFactory(producer=True, language="nl")
    world["late"].team.add(dutch)
    client.force_login(dutch)
    body = client.get(reverse("production:portfolio"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Tijdlijn van de lanceringen" in body and "Archiveren" in body
    assert "dagen te laat" in body


def test_holds_until_the_same_date_are_counted_not_repeated(client, producer, world):
    production = world["on_track"]
    make_session(production, days=12)
    until = timezone.localdate() + timedelta(days=60)
    scheduling.production_postpone_recordings(
        productions=[production], until=until, reason="lockdown", by=producer
    )
    client.force_login(producer)
    body = page(client, sort="name").content.decode()
    table = body[body.index('data-testid="portfolio"') :]
    assert f"2 recordings until at least {shown_date(until)}" in table
    assert table.count(f"until at least {shown_date(until)}") == 1
