"""Invitations, updates, postponements and cancellations, sent through a real SMTP server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from production.addresses import SpeakerNotInvitableError
from production.models import EmailLog, SpeakerLink
from production.outbox.mailer import emails_send_due
from production.scheduling import services as scheduling
from tests.production import factories
from tests.production.factories import LocationFactory, SpeakerFactory, at, make_production, make_session

from .helpers import calendar_part, html_body, replay, speaker_link, text_body

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def test_a_speaker_put_on_a_session_gets_an_invitation_with_an_ics_and_a_personal_link(smtp_server, send):
    speaker = SpeakerFactory(name="Anna de Vries", email="anna@example.org", language="en")
    production = make_production(lectures=2)
    session = send(
        make_session, production=production, days=10, speakers=[speaker], location=LocationFactory()
    )

    (message,) = smtp_server.messages
    assert message["To"] == "Anna de Vries <anna@example.org>"
    assert message["Subject"].startswith("Invitation: recording session on ")
    method, cal = calendar_part(message)
    assert method == "REQUEST" and cal["method"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    session.refresh_from_db()
    assert str(event["uid"]).startswith(str(session.ical_uid))
    assert int(event["sequence"]) == session.ical_sequence
    assert event["dtstart"].dt == session.starts_at
    assert any(part.get_filename() == "invite.ics" for part in message.walk())
    assert "Please confirm, decline or propose another time" in text_body(message)
    assert speaker_link(message) in html_body(message)
    log = EmailLog.objects.get()
    assert log.state == EmailLog.State.SENT and log.message_id == message["Message-ID"]
    assert log.kind == EmailLog.Kind.INVITATION
    # Only a hash of the link is stored, never the token itself.
    token = speaker_link(message).rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22
    assert SpeakerLink.objects.filter(token_hash=SpeakerLink.hash_token(token), speaker=speaker).exists()
    assert token not in log.body_text and token not in log.body_html


def test_replaying_schedule_reschedule_hold_reschedule_cancel_ends_at_the_truth(smtp_server, send):
    speaker = SpeakerFactory(email="bram@example.org", language="nl")
    production = make_production(lectures=1)
    session = send(make_session, production=production, days=10, speakers=[speaker])
    send.reschedule(session, at(12, hour=14), at(12, hour=16))
    send.postpone(production, days=20)
    send.reschedule(session, at(30, hour=9), at(30, hour=11))
    # Between the steps the calendar shows the truth too: after the second reschedule, the new time.
    state = replay(smtp_server.messages)
    (event,) = state.values()
    assert not isinstance(event, str) and event["dtstart"].dt == at(30, hour=9)
    send.transition(session, "cancelled", reason="budget")

    kinds = [m["X-OMOOC-Kind"] for m in smtp_server.messages]
    assert kinds == ["invitation", "update", "postponement", "invitation", "cancellation"]
    events = [next(iter(calendar_part(m)[1].walk("VEVENT"))) for m in smtp_server.messages]
    assert len({str(e["uid"]) for e in events}) == 1, "one permanent UID"
    sequences = [int(e["sequence"]) for e in events]
    assert sequences == sorted(set(sequences)), f"SEQUENCE strictly increasing: {sequences}"
    methods = [calendar_part(m)[0] for m in smtp_server.messages]
    assert methods == ["REQUEST", "REQUEST", "CANCEL", "REQUEST", "CANCEL"]
    assert replay(smtp_server.messages) == {str(events[0]["uid"]): "CANCELLED"}
    hold = smtp_server.messages[2]
    assert "lockdown" in text_body(hold)
    assert "Een nieuwe uitnodiging volgt" in text_body(hold) or "new invitation follows" in text_body(hold)
    assert "budget" in text_body(smtp_server.messages[4])


def test_replay_is_idempotent_a_second_sync_sends_nothing(smtp_server, send):
    from production.models import Target
    from production.outbox.calendar_messages import calendar_sync

    speaker = SpeakerFactory()
    session = send(make_session, production=make_production(lectures=1), speakers=[speaker])
    calendar_sync(target_type=Target.SESSION, target_id=session.pk)
    emails_send_due()
    assert len(smtp_server.messages) == 1


def _session_at(send, starts, *, hours, speaker):
    """A session of a new one-lecture production at an exact instant, its invitation delivered."""
    production = make_production(lectures=1)
    return send(
        scheduling.recording_session_create,
        production=production,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        lectures=list(production.course.lectures.all()),
        speakers=[speaker],
        by=None,
    )


def test_a_session_on_29_march_in_amsterdam_shows_local_and_utc_times(smtp_server, send, settings):
    speaker = SpeakerFactory(language="en", time_zone="Europe/Amsterdam")
    starts = datetime(2026, 3, 29, 10, 0, tzinfo=AMS)  # the night the clocks went forward
    if starts <= timezone.now():
        starts = datetime(timezone.now().year + 1, 3, 28, 10, 0, tzinfo=AMS)  # DST night next year
    session = _session_at(send, starts, hours=2, speaker=speaker)
    (message,) = smtp_server.messages
    body = text_body(message)
    assert "10:00–12:00 (Europe/Amsterdam, CEST; 08:00–10:00 UTC)" in body
    event = next(iter(calendar_part(message)[1].walk("VEVENT")))
    assert event["dtstart"].to_ical().decode() == starts.astimezone(ZoneInfo("UTC")).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert session.starts_at.astimezone(ZoneInfo("UTC")).hour == 8


def test_a_speaker_in_another_time_zone_reads_their_own_time_in_their_language(smtp_server, send):
    speaker = SpeakerFactory(language="nl", time_zone="America/New_York")
    starts = timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=9)
    _session_at(send, starts, hours=1, speaker=speaker)
    (message,) = smtp_server.messages
    local = starts.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}–" in text_body(message)
    assert "America/New_York" in text_body(message)
    assert "Uitnodiging" in message["Subject"]


def test_control_characters_in_names_and_titles_never_break_the_headers(smtp_server, send):
    speaker = SpeakerFactory(name="Eve\r\nBcc: victim@example.org", email="eve@example.org")
    production = make_production(lectures=1)
    production.course.title = "Course\r\nX-Injected: yes"
    production.course.save()
    location = LocationFactory(name="Room\nSubject: hacked")
    send(make_session, production=production, speakers=[speaker], location=location)
    (message,) = smtp_server.messages
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\n" not in message["Subject"] and "\n" not in message["To"]
    assert message["To"].endswith("<eve@example.org>")
    _method, cal = calendar_part(message)
    (event,) = cal.walk("VEVENT")
    assert "\n" not in str(event["location"]) and "\n" not in str(event["summary"])


def test_a_speaker_without_a_valid_email_cannot_be_invited(send):
    speaker = SpeakerFactory()
    type(speaker).objects.filter(pk=speaker.pk).update(email="not an address")
    speaker.refresh_from_db()
    production = make_production(lectures=1)
    with pytest.raises(SpeakerNotInvitableError, match="cannot be invited") as caught:
        make_session(production, speakers=[speaker])
    assert caught.value.extra["field"] == "speakers"
    assert not production.sessions.exists()


def test_removing_a_speaker_sends_them_a_cancellation_and_the_others_nothing(smtp_server, send):
    anna, bram = SpeakerFactory(email="anna@example.org"), SpeakerFactory(email="bram@example.org")
    session = send(make_session, production=make_production(lectures=1), speakers=[anna, bram])
    send(scheduling.recording_session_remove_speaker, session=session, speaker=bram, reason="ill", by=None)
    assert [(m["To"].split("<")[-1], calendar_part(m)[0]) for m in smtp_server.messages[2:]] == [
        ("bram@example.org>", "CANCEL")
    ]


def test_a_pre_talk_gets_an_invitation_and_its_cancellation(smtp_server, send):
    speaker = SpeakerFactory()
    production = make_production(lectures=1)
    pretalk = send(
        factories.make_pretalk,
        production=production,
        speakers=[speaker],
        starts_at=at(5),
        duration_minutes=45,
        mode="online",
        video_link="https://meet.example.org/abc",
    )
    send(scheduling.pretalk_cancel, pretalk=pretalk, reason="speaker abroad", by=None)
    methods = [calendar_part(m)[0] for m in smtp_server.messages]
    assert methods == ["REQUEST", "CANCEL"]
    assert "https://meet.example.org/abc" in text_body(smtp_server.messages[0])


def test_ampersands_and_quotes_read_naturally_in_subject_and_text(smtp_server, send):
    speaker = SpeakerFactory(name="Rosa O'Neill & Co", language="en")
    production = make_production(lectures=1)
    production.course.title = "Risk & Reward"
    production.course.save()
    send(make_session, production=production, speakers=[speaker])
    (message,) = smtp_server.messages
    assert "&amp;" not in message["Subject"] and "&amp;" not in text_body(message)
    assert "Risk & Reward" in text_body(message)
    assert "Rosa O'Neill & Co" in text_body(message)
    assert "Risk &amp; Reward" in html_body(message)
