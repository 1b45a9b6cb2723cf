"""Reading the speakers' mailboxes as their calendar apps do (the .ics parsed with ``icalendar``
through the speaker tests' helpers), strictly: per UID, a message with a lower SEQUENCE than one
already applied, or a REQUEST that does not go above a CANCEL, is stale and fails the test."""

from __future__ import annotations

import email
from collections import defaultdict
from email import policy

from tests.production.speakers.helpers import calendar_part


def _parsed(raw: bytes):
    message = email.message_from_bytes(raw, policy=policy.default)
    method, cal = calendar_part(message)
    if cal is None:
        return None
    assert cal.get("method") == method, "the MIME method matches METHOD in the body"
    (vevent,) = cal.walk("VEVENT")
    recipient = message["To"].addresses[0].addr_spec
    return recipient, str(vevent["uid"]).split("@")[0], method, int(vevent["sequence"]), vevent


def calendar_messages(box) -> list[tuple[str, str, str, int, object]]:
    """(recipient, UID, METHOD, SEQUENCE, VEVENT) of every delivered calendar message, in arrival
    order (each message parsed once: the box keeps what was parsed, in step with ``box.raw``)."""
    cache = getattr(box, "parsed", None)
    if cache is None or len(cache) > len(box.raw):
        cache = box.parsed = []
    for raw in box.raw[len(cache) :]:
        cache.append(_parsed(raw))
    return [entry for entry in cache if entry is not None]


def calendars(box) -> dict[tuple[str, str], tuple[str, int, object]]:
    """Per (recipient, UID): the (METHOD, SEQUENCE, VEVENT) their calendar ends at. Asserts that no
    message arrived stale (it would be ignored by a calendar app: the mailbox would lie)."""
    state: dict[tuple[str, str], tuple[str, int, object]] = {}
    for recipient, uid, method, sequence, vevent in calendar_messages(box):
        previous = state.get((recipient, uid))
        if previous is not None:
            assert sequence >= previous[1], f"SEQUENCE went down for {recipient} {uid}"
            if previous[0] == "CANCEL" and method == "REQUEST":
                assert sequence > previous[1], f"a REQUEST at the SEQUENCE of a CANCEL for {recipient} {uid}"
        state[(recipient, uid)] = (method, sequence, vevent)
    return state


def duplicates(box) -> list:
    """Calendar messages delivered twice to one speaker (same UID, METHOD and SEQUENCE)."""
    seen = defaultdict(int)
    for recipient, uid, method, sequence, _vevent in calendar_messages(box):
        seen[(recipient, uid, method, sequence)] += 1
    return [key for key, count in seen.items() if count > 1]
