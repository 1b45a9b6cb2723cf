"""Calendar messages are ordered and never stale: a speaker's mailbox, read in arrival order, ends
at the truth even when an early invitation waits for an SMTP retry while the session keeps changing.

The SMTP server is a real aiosmtpd server (``smtp_server``) that answers 451 to the first RCPT for
the speaker; the replay goes into a real CalDAV server (Radicale)."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import EmailLog, PreTalk, RecordingSession
from production.outbox.mailer import email_send, emails_send_due
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, at, make_pretalk, make_production, make_session

from .caldav import radicale  # noqa: F401 - the fixture
from .helpers import calendar_part, replay

pytestmark = pytest.mark.django_db


class OnceReplies(dict):
    """``smtp_server.replies`` that can also answer once: ``once("a@example.org", "451 ...")``
    makes the next RCPT for that address get the reply, and the following ones the default."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: dict[str, deque[str]] = defaultdict(deque)

    def once(self, address: str, reply: str) -> None:
        self.queue[address.lower()].append(reply)

    def get(self, key, default=None):
        pending = self.queue.get(key)
        if pending:
            return pending.popleft()
        return super().get(key, default)


def _retry_everything_now() -> None:
    """The backoff has passed for every message waiting to retry."""
    EmailLog.objects.filter(state=EmailLog.State.QUEUED).update(next_attempt_at=timezone.now())


def _event(message):
    return next(iter(calendar_part(message)[1].walk("VEVENT")))


def _refused_invitation_then_four_changes(smtp_server, send, speaker):
    """The first invitation is refused once (451); then reschedule, hold, reschedule, cancel, each
    delivered at once; then the retry of the first invitation comes due."""
    smtp_server.replies = OnceReplies()
    smtp_server.replies.once(speaker.email, "451 4.3.0 try again later")
    production = make_production(lectures=1)
    session = send(make_session, production=production, days=10, speakers=[speaker])
    first = EmailLog.objects.get(speaker=speaker)
    assert first.state == EmailLog.State.QUEUED and "451" in first.error and first.ics_sequence == 0
    assert smtp_server.messages == []
    send.reschedule(session, at(12, 14), at(12, 16))
    send.postpone(production, days=20)
    send.reschedule(session, at(30, 9), at(30, 11))
    send.transition(session, "cancelled", reason="budget")
    _retry_everything_now()
    emails_send_due()
    email_send(email_id=first.pk)  # a redelivered send task for the first invitation
    session.refresh_from_db()
    return session, first


def test_an_invitation_waiting_for_a_retry_is_superseded_and_never_arrives_after_the_cancellation(
    smtp_server, send
):
    speaker = SpeakerFactory(email="anna@example.org", language="en")
    session, first = _refused_invitation_then_four_changes(smtp_server, send, speaker)

    events = [_event(m) for m in smtp_server.messages]
    sequences = [int(e["sequence"]) for e in events]
    methods = [calendar_part(m)[0] for m in smtp_server.messages]
    assert sequences == sorted(sequences), f"SEQUENCE never goes down in arrival order: {sequences}"
    assert methods[-1] == "CANCEL" and sequences[-1] == session.ical_sequence
    assert session.state == RecordingSession.State.CANCELLED
    assert 0 not in sequences, "the stale SEQUENCE-0 invitation is never sent"
    assert replay(smtp_server.messages) == {str(events[0]["uid"]): "CANCELLED"}
    first.refresh_from_db()
    assert first.state == EmailLog.State.SUPERSEDED and first.sent_at is None
    # The speaker never received the refused invitation: the first message that did arrive is an
    # invitation (not an "update" of something they never saw).
    assert [m["X-OMOOC-Kind"] for m in smtp_server.messages] == [
        "invitation",
        "postponement",
        "invitation",
        "cancellation",
    ]


def test_the_replayed_mailbox_in_a_caldav_server_matches_the_database(smtp_server, send, radicale):  # noqa: F811
    speaker = SpeakerFactory(email="bram@example.org", language="nl")
    session, _first = _refused_invitation_then_four_changes(smtp_server, send, speaker)
    # A second, live item for the same speaker: the replay must show it exactly as planned.
    pretalk = send(
        make_pretalk,
        production=session.production,
        starts_at=at(5, 15),
        duration_minutes=45,
        mode=PreTalk.Mode.ONLINE,
        video_link="https://meet.example.org/omooc-pretalk",
        speakers=[speaker],
    )
    send(scheduling.pretalk_update, pretalk=pretalk, starts_at=at(6, 10), by=None)
    pretalk.refresh_from_db()

    calendar = radicale.calendar("bram")
    for message in smtp_server.messages:  # arrival order
        calendar.apply(message)
    stored = calendar.events()

    live = {uid: e for uid, e in stored.items() if str(e.get("status", "")).upper() != "CANCELLED"}
    assert not [uid for uid in live if str(session.ical_uid) in uid], "the cancelled session is not live"
    (uid,) = [uid for uid in live if str(pretalk.ical_uid) in uid]
    event = live[uid]
    assert int(event["sequence"]) == pretalk.ical_sequence
    assert event["dtstart"].dt == pretalk.starts_at
    assert event["dtend"].dt == pretalk.ends_at
    assert len(live) == 1


def test_the_email_log_shows_a_superseded_message_as_replaced_in_english_and_dutch(smtp_server, send, client):
    from tests.factories import UserFactory

    producer = UserFactory(producer=True)
    speaker = SpeakerFactory(email="cato@example.org")
    smtp_server.replies = OnceReplies()
    smtp_server.replies.once(speaker.email, "451 4.3.0 try again later")
    production = make_production(lectures=1, team=[producer])
    session = send(make_session, production=production, days=10, speakers=[speaker])
    send.reschedule(session, at(12, 14), at(12, 16))
    first, second = EmailLog.objects.filter(speaker=speaker).order_by("id")
    assert first.state == EmailLog.State.SUPERSEDED and first.superseded_by_id == second.pk
    assert second.state == EmailLog.State.SENT

    client.force_login(producer)
    english = client.get("/studio/emails/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not sent: replaced by a newer message" in english
    filtered = client.get("/studio/emails/?state=superseded", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.message_id.strip("<>") in filtered and second.message_id.strip("<>") not in filtered
    dutch = client.get(f"/studio/emails/speaker/{speaker.pk}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Niet verzonden: vervangen door een nieuwer bericht" in dutch  # the state, in words


def test_at_send_time_a_calendar_message_with_a_newer_one_for_the_same_speaker_and_item_is_not_sent(
    smtp_server,
):
    """The last guard, for rows that reached the queue without the sync superseding them."""
    from production.outbox.queue import Content, email_queue

    speaker = SpeakerFactory(email="dirk@example.org")
    common = {
        "kind": EmailLog.Kind.INVITATION,
        "recipient": speaker.email,
        "content": Content(subject="Invitation", text="Hello"),
        "speaker": speaker,
        "target_type": "session",
        "target_id": 41,
    }
    ics = "BEGIN:VCALENDAR"
    older = email_queue(idempotency_key="old", ics=ics, ics_method="REQUEST", ics_sequence=0, **common)
    newer = email_queue(idempotency_key="new", ics=ics, ics_method="CANCEL", ics_sequence=1, **common)
    common["target_id"] = 42
    other_item = email_queue(idempotency_key="other", ics=ics, ics_method="REQUEST", ics_sequence=0, **common)
    assert email_send(email_id=older.pk) == EmailLog.State.SUPERSEDED
    emails_send_due()
    older.refresh_from_db()
    assert older.superseded_by_id == newer.pk and older.attempts == 0
    assert [m["Message-ID"] for m in smtp_server.messages] == [newer.message_id, other_item.message_id]


def test_a_speaker_reminder_waiting_for_a_retry_is_not_sent_after_the_session_is_held(smtp_server, send):
    from production.outbox.reminders.scanning import reminders_claim_due

    speaker = SpeakerFactory(email="eva@example.org")
    production = make_production(lectures=1)
    session = send(make_session, production=production, days=3, speakers=[speaker])
    smtp_server.replies = OnceReplies()
    smtp_server.replies.once(speaker.email, "451 4.3.0 try again later")
    reminders_claim_due(now=session.starts_at - timedelta(hours=23))
    emails_send_due()
    reminder = EmailLog.objects.get(kind=EmailLog.Kind.REMINDER, speaker=speaker)
    assert reminder.state == EmailLog.State.QUEUED and "451" in reminder.error
    send.postpone(production, days=20)
    _retry_everything_now()
    emails_send_due()
    reminder.refresh_from_db()
    assert reminder.state == EmailLog.State.SUPERSEDED
    to_speaker = [m["X-OMOOC-Kind"] for m in smtp_server.messages if speaker.email in m["To"]]
    assert to_speaker == ["invitation", "postponement"]
