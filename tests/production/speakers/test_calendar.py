from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from production import ical

AMS = ZoneInfo("Europe/Amsterdam")


def _item(**overrides):
    values = {
        "uid": "session-1@example.org",
        "sequence": 3,
        "starts_at": datetime(2026, 3, 29, 10, 0, tzinfo=AMS),
        "ends_at": datetime(2026, 3, 29, 12, 0, tzinfo=AMS),
        "summary": "Recording session: Samenwerken met startups",
        "location": "Studio Utrecht, Voorbeeldstraat 1",
        "description": "Lectures:\n- Intro",
        "attendees": (ical.Attendee(email="anna@example.org", name="Anna de Vries"),),
    }
    values.update(overrides)
    return ical.CalendarItem(**values)


def test_an_invitation_is_a_request_with_uid_sequence_utc_times_and_an_rsvp_attendee(settings):
    settings.STUDIO_MAILBOX = "studio@example.org"
    cal = Calendar.from_ical(ical.build_invitation(_item()))
    assert cal["method"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == "session-1@example.org"
    assert int(event["sequence"]) == 3
    # 29 March 2026 is the night clocks go forward: 10:00 in Amsterdam is 08:00 UTC (CEST, +2).
    assert event["dtstart"].dt == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert event["dtend"].dt == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    assert event["dtstart"].to_ical() == b"20260329T080000Z"
    assert str(event["organizer"]) == "mailto:studio@example.org"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:anna@example.org"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert str(event["status"]) == "CONFIRMED"


def test_a_cancellation_says_cancel_and_cancelled():
    cal = Calendar.from_ical(ical.build_invitation(_item(sequence=4), method=ical.CANCEL))
    assert cal["method"] == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 4


@pytest.mark.parametrize(
    "evil",
    [
        "Studio\r\nATTENDEE:mailto:evil@example.org",
        "Studio\nEND:VEVENT\nBEGIN:VEVENT",
        "Studio\x00\x1b\x7f\u2028X-EVIL:1",
    ],
)
def test_control_characters_in_names_titles_and_places_never_start_a_new_line(evil):
    body = ical.build_invitation(
        _item(
            summary=evil,
            location=evil,
            description=evil,
            attendees=(ical.Attendee(email="anna@example.org", name=evil + ' "quoted"'),),
        )
    )
    lines = body.decode().split("\r\n")
    # Every physical line is a property, a folded continuation (leading space) or empty at the end.
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines if line and not line.startswith(" ")]
    assert "END" in names and names.count("BEGIN") == 2
    assert not any(name.startswith("X-EVIL") for name in names)
    assert names.count("ATTENDEE") == 1
    assert all("\n" not in line and "\r" not in line for line in lines)
    for char in "\x00\x1b\x7f\u2028":
        assert char not in body.decode()
    cal = Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    assert "\n" not in str(event["summary"])
    assert str(event["attendee"]) == "mailto:anna@example.org"


def test_an_item_that_ends_before_it_starts_is_refused():
    start = datetime(2026, 5, 1, 10, tzinfo=AMS)
    with pytest.raises(ValueError, match="end after it starts"):
        ical.build_invitation(_item(starts_at=start, ends_at=start - timedelta(hours=1)))


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        ical.build_invitation(_item(starts_at=datetime(2026, 5, 1, 10), ends_at=datetime(2026, 5, 1, 11)))
