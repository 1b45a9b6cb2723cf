"""Exports (issue 14): the board and the schedule as CSV for spreadsheets, the schedule as .ics.

Written as the producer's spreadsheet, a hostile lecture title and another team would meet them:
the file opens with the right accents (BOM), no cell runs as a formula, another team's production
is a 404 and its items never appear, bad dates get a 400 naming the field, and the number of queries
does not grow with the number of lectures or sessions.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from production import productions
from production.scheduling import feeds
from production.scheduling import services as scheduling
from tests.factories import LectureFactory, UserFactory
from tests.support.producer import english_producer, producers_production  # noqa: F401 - fixtures

from .factories import LocationFactory, SpeakerFactory, make_pretalk, make_production

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
DAY = date(2027, 6, 14)
FALL_BACK = date(2027, 10, 31)  # 03:00 CEST becomes 02:00 CET


def local(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS, fold=fold)


def plan(production, starts_at, *, hours=1.0, speakers=(), location=None):
    return scheduling.recording_session_create(
        production=production,
        starts_at=starts_at,
        ends_at=starts_at.astimezone(UTC) + timedelta(hours=hours),
        lectures=list(production.course.lectures.all()[:2]),
        location=location,
        speakers=list(speakers),
        confirm_double_booking=True,
        by=None,
    )


def rows_of(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for spreadsheet programs"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def theirs():
    """A second team with data, so ids resolve and leaks show."""
    rival = UserFactory(producer=True, language="en")
    production = make_production(lectures=2, team=[rival], client="Gemeente Bravo")
    production.course.title = "Geheime cursus"
    production.course.save()
    plan(production, local(DAY, 11), speakers=[SpeakerFactory(name="Hun Spreker")])
    return rival, production


def board(client, production, **extra):
    return client.get(
        reverse("production:board_csv", kwargs={"pk": production.pk}), HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def schedule(client, *, ics=False, **params):
    name = "production:schedule_ics" if ics else "production:schedule_csv"
    return client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")


# --- the board -------------------------------------------------------------------------------


def test_the_board_downloads_as_a_spreadsheet_with_one_row_per_lecture_in_words(client, producer, production):
    lecture = production.course.lectures.order_by("position").first()
    lecture.title = "Zoë en de Ångström-begroting"
    lecture.save()
    client.force_login(producer)

    response = board(client, production)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.csv"')
    rows = rows_of(response)
    assert rows[0] == [
        "#",
        "Lecture",
        "Script",
        "Pre-talk",
        "Recording",
        "Edit",
        "Captions",
        "Published",
        "Details",
        "Done",
    ]
    assert len(rows) == 1 + 3
    assert rows[1][:3] == ["1", "Zoë en de Ångström-begroting", "Draft"]
    assert {r[-1] for r in rows[1:]} == {"no"}
    assert "draft" not in {r[2] for r in rows[1:]}, "states in words, never raw values"


def test_a_lecture_title_that_is_a_formula_never_runs_in_the_spreadsheet(client, producer, production):
    hostile = ['=HYPERLINK("http://evil.example.org","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"]
    for lecture, title in zip(production.course.lectures.order_by("position"), hostile, strict=False):
        lecture.title = title
        lecture.save()
    extra = LectureFactory(course=production.course, title="\r=1+1", position=9, status="draft")
    productions.production_sync_lectures(production=production, by=None)
    client.force_login(producer)

    titles = [r[1] for r in rows_of(board(client, production))[1:]]

    assert titles[:3] == ["'" + t for t in hostile[:3]]
    assert "'\r=1+1" in titles, extra
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in titles)


def test_another_teams_board_is_a_404_and_other_roles_never_download(client, producer, production, theirs):
    rival, their_production = theirs
    client.force_login(producer)
    assert board(client, their_production).status_code == 404
    assert client.get("/studio/productions/99999999999999999999/board.csv").status_code == 404

    client.force_login(UserFactory(language="en"))  # a learner
    assert board(client, production).status_code == 403
    client.logout()
    response = board(client, production)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_board_export_costs_the_same_queries_for_3_and_30_lectures(client, producer):
    counts = {}
    for lectures in (3, 30):
        production = make_production(lectures=lectures, team=[producer])
        plan(production, local(DAY + timedelta(days=lectures), 9), speakers=[SpeakerFactory()])
        client.force_login(producer)
        board(client, production)  # warm the session and content types
        with CaptureQueriesContext(connection) as ctx:
            response = board(client, production)
        assert response.status_code == 200 and len(rows_of(response)) == 1 + lectures
        counts[lectures] = len(ctx.captured_queries)
    assert counts[3] == counts[30], counts


# --- the schedule ----------------------------------------------------------------------------


def test_the_schedule_lists_the_teams_items_in_instant_order_across_the_night_the_clocks_go_back(
    client, producer, production, theirs
):
    studio = LocationFactory(name="Studio Noord", address="Noorderweg 5, Utrecht")
    ada = SpeakerFactory(name="Ada Örnberg")
    late_wall_clock = plan(
        production, local(FALL_BACK, 2, 30, fold=0), hours=0.5, speakers=[ada], location=studio
    )
    early_wall_clock = plan(production, local(FALL_BACK, 2, 15, fold=1), hours=0.5)
    make_pretalk(
        production,
        speakers=[ada],
        lectures=[production.course.lectures.first()],
        starts_at=local(FALL_BACK, 9),
        mode="online",
        video_link="https://meet.example.org/abc",
    )
    cancelled = plan(production, local(FALL_BACK, 12))
    scheduling.recording_session_transition(
        session=cancelled, to_state="cancelled", reason="no studio", by=None
    )
    client.force_login(producer)

    rows = rows_of(schedule(client, **{"from": FALL_BACK.isoformat(), "to": FALL_BACK.isoformat()}))

    assert rows[0][:5] == ["Date", "Start", "End", "Time zone", "Type"]
    body = rows[1:]
    assert [(r[1], r[3]) for r in body] == [
        ("02:30", "UTC+02:00"),
        ("02:15", "UTC+01:00"),
        ("09:00", "UTC+01:00"),
    ]
    assert body[0][4] == "Recording" and body[2][4] == "Pre-talk"
    assert body[0][7] == "Studio Noord, Noorderweg 5, Utrecht"
    assert body[0][8] == "Ada Örnberg (Pending)"
    assert body[2][7] == "https://meet.example.org/abc"
    assert all("Geheime cursus" not in cell and "Hun Spreker" not in cell for row in rows for cell in row)
    assert early_wall_clock.pk != late_wall_clock.pk


def test_the_schedule_as_ics_carries_the_invitations_uids_and_nothing_of_the_other_team(
    client, producer, production, theirs
):
    mine = plan(production, local(DAY, 9))
    client.force_login(producer)

    response = schedule(client, ics=True, **{"from": DAY.isoformat(), "to": DAY.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [feeds.item_uid(mine)]
    assert int(events[0]["SEQUENCE"]) == mine.ical_sequence


def test_the_schedule_of_another_teams_production_is_a_404(client, producer, production, theirs):
    rival, their_production = theirs
    client.force_login(producer)
    assert schedule(client, production=their_production.pk).status_code == 404
    assert schedule(client, production="1; DROP TABLE").status_code == 404
    assert schedule(client, production=production.pk).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "from: Use a date like 2026-04-06."),
        ({"from": "6 april"}, "from: Use a date like 2026-04-06."),
        ({"to": "x" * 5000}, "to: Use a date like 2026-04-06."),
        ({"from": "2027-06-14", "to": "2027-06-13"}, "to: The end date must be on or after the start date."),
        ({"from": "2027-01-01", "to": "2028-01-02"}, "to: Export at most 366 days at a time."),
    ],
)
def test_bad_dates_get_a_400_naming_the_field(client, producer, params, message):
    client.force_login(producer)
    for ics in (False, True):
        response = schedule(client, ics=ics, **params)
        assert response.status_code == 400
        assert response.content.decode() == message


def test_the_schedule_export_costs_the_same_queries_for_3_and_30_sessions(client, producer):
    speakers = [SpeakerFactory() for _ in range(2)]
    client.force_login(producer)
    counts = {}
    for count, first in ((3, DAY), (30, DAY + timedelta(days=10))):
        production = make_production(lectures=3, team=[producer])
        for n in range(count):
            plan(production, local(first, 0) + timedelta(hours=n * 2), hours=1, speakers=speakers)
        params = {"from": first.isoformat(), "to": (first + timedelta(days=4)).isoformat()}
        schedule(client, **params)
        with CaptureQueriesContext(connection) as ctx:
            response = schedule(client, **params)
        assert len(rows_of(response)) == 1 + count
        counts[count] = len(ctx.captured_queries)
    assert counts[3] == counts[30], counts


def test_the_export_speaks_dutch_to_a_dutch_producer(client, production):
    dutch = UserFactory(producer=True, language="nl")
    production.team.add(dutch)
    plan(production, local(DAY, 9))
    client.force_login(dutch)

    rows = rows_of(
        client.get(reverse("production:schedule_csv"), {"from": DAY.isoformat(), "to": DAY.isoformat()})
    )

    assert rows[0][:5] == ["Datum", "Begin", "Einde", "Tijdzone", "Soort"]
    assert rows[1][4] == "Opname"
