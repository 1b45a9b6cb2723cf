"""Helpers for the speaker email tests: parse what the SMTP server received."""

from __future__ import annotations

import re

from icalendar import Calendar


def calendar_part(message):
    """(method from the MIME part, parsed VCALENDAR) of the text/calendar alternative."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), Calendar.from_ical(part.get_content())
    return None, None


def text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def speaker_link(message) -> str:
    match = re.search(r"https?://[^\s\"<>]+/s/([A-Za-z0-9_\-]+)/", text_body(message))
    assert match, "the email carries the speaker's personal link"
    return match.group(0)


def replay(messages) -> dict:
    """Apply every invite in arrival order like a calendar client does: per UID, a REQUEST with a
    higher SEQUENCE replaces the event, a CANCEL removes it. Returns UID -> event (or 'CANCELLED')."""
    state: dict[str, tuple[int, object]] = {}
    for message in messages:
        method, cal = calendar_part(message)
        if cal is None:
            continue
        assert cal.get("method") == method, "the MIME method matches METHOD in the body"
        for event in cal.walk("VEVENT"):
            uid, seq = str(event["uid"]), int(event["sequence"])
            previous = state.get(uid)
            if previous is not None and seq < previous[0]:
                continue
            state[uid] = (seq, "CANCELLED" if method == "CANCEL" else event)
    return {uid: value for uid, (seq, value) in state.items()}
