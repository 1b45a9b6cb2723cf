"""Human words in the studio: translated states in the history, and an email log that says
"Invitation" and "Sent" with the iTIP details on demand."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from production.models import EmailLog, RecordingSession
from production.outbox.queue import Content, email_queue
from production.scheduling import services as scheduling

from .factories import SpeakerFactory, make_session

pytestmark = pytest.mark.django_db


def _held_session(production, member):
    session = make_session(production, state=RecordingSession.State.SCHEDULED)
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    scheduling.recording_session_hold(
        session=session, until=timezone.localdate() + timedelta(days=30), reason="lockdown", by=member
    )
    return session, until


@pytest.mark.parametrize(
    ("language", "scheduled", "on_hold"), [("en", "Scheduled", "On hold"), ("nl", "Ingepland", "Aangehouden")]
)
def test_a_session_put_on_hold_shows_human_states_in_its_history(
    client, member, production, language, scheduled, on_hold
):
    session, until = _held_session(production, member)
    with translation.override(language):
        expected_on_hold = str(RecordingSession.State.ON_HOLD.label)
        expected_scheduled = str(RecordingSession.State.SCHEDULED.label)
    client.force_login(member)
    client.cookies["django_language"] = language
    html = client.get(
        reverse("production:session", args=[session.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert expected_scheduled == scheduled
    assert f"{expected_scheduled} → {expected_on_hold} ≥ {until}" in html
    assert "on_hold" not in html.split('id="history-title"')[1]
    history = client.get(reverse("production:history", args=[production.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert expected_on_hold in history.content.decode() and "on_hold" not in history.content.decode()
    from production.models import HistoryEntry

    assert HistoryEntry.objects.filter(action="held", from_value="scheduled").exists()


def test_the_dutch_label_of_on_hold_is_dutch(member, production):
    with translation.override("nl"):
        assert str(RecordingSession.State.ON_HOLD.label) != "on_hold"


LONG_ADDRESS = "a.very.long.address.of.a.speaker.with.a.long.name@ministerie-van-voorbeeldzaken.example.org"


def _calendar_row(production, **kwargs):
    speaker = kwargs.pop("speaker", None) or SpeakerFactory(email=LONG_ADDRESS)
    defaults = dict(
        idempotency_key="k-invite",
        kind=EmailLog.Kind.INVITATION,
        recipient=speaker.email,
        content=Content(subject="Uitnodiging: opname " + "heel lang onderwerp " * 10, text="Hallo"),
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        ics_method="REQUEST",
        ics_sequence=0,
        speaker=speaker,
        production=production,
        related_label="Recording 1",
        send=False,
    )
    defaults.update(kwargs)
    return email_queue(**defaults)


def test_the_email_log_shows_human_kinds_and_states_and_the_details_on_demand(client, member, production):
    sent = _calendar_row(production)
    EmailLog.objects.filter(pk=sent.pk).update(state=EmailLog.State.SENT, sent_at=timezone.now(), attempts=1)
    retry_at = timezone.now() + timedelta(minutes=4)
    waiting = _calendar_row(
        production,
        idempotency_key="k-update",
        kind=EmailLog.Kind.UPDATE,
        ics_sequence=1,
        speaker=sent.speaker,
    )
    EmailLog.objects.filter(pk=waiting.pk).update(attempts=1, next_attempt_at=retry_at, error="451 try later")
    client.force_login(member)
    html = client.get(reverse("production:email_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Invitation<" in html and ">Update<" in html
    assert ">Sent<" in html
    local = timezone.localtime(retry_at)
    assert f"Waiting to retry at {local:%H:%M} (attempt 2)" in html
    # iTIP and Message-ID only inside <details>
    visible = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "REQUEST" not in visible and escape(sent.message_id) not in visible and "#0" not in visible
    details = "".join(re.findall(r"<details.*?</details>", html, flags=re.S))
    assert "REQUEST" in details and "SEQUENCE 1" in details and escape(sent.message_id) in details
    assert "451 try later" in details


def test_the_email_log_speaks_dutch(client, member, production):
    _calendar_row(production, kind=EmailLog.Kind.CANCELLATION)
    client.force_login(member)
    html = client.get(reverse("production:email_log"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    with translation.override("nl"):
        label = str(EmailLog.Kind.CANCELLATION.label)
    assert label in html and label != "cancellation"


def test_the_email_log_table_wraps_long_addresses_and_subjects(client, member, production):
    """The table fits 1366 px: a fixed layout whose cells wrap (studio.css), no Message-ID column."""
    _calendar_row(production)
    client.force_login(member)
    html = client.get(reverse("production:email_log")).content.decode()
    assert 'class="email-log"' in html
    assert '<th scope="col">Message-ID</th>' not in html
    from pathlib import Path

    css = Path("static/css/studio.css").read_text()
    rule = re.search(r"\.email-log\s*\{[^}]*\}", css)
    assert rule and "table-layout: fixed" in rule.group(0)
    assert re.search(r"\.email-log (td|th)[^{]*\{[^}]*overflow-wrap: anywhere", css)


@pytest.mark.parametrize("count", [3, 30])
def test_the_email_log_costs_the_same_queries_for_3_and_30_messages(
    client, member, production, count, django_assert_num_queries
):
    speaker = SpeakerFactory(email="speaker@example.org")
    for n in range(count):
        row = _calendar_row(production, idempotency_key=f"k{n}", speaker=speaker)
        if n % 3 == 0:
            EmailLog.objects.filter(pk=row.pk).update(state=EmailLog.State.FAILED, attempts=5)
    client.force_login(member)
    client.get(reverse("production:email_log"))  # warm the session and content types
    with django_assert_num_queries(QUERIES_EMAIL_LOG):
        response = client.get(reverse("production:email_log"))
    assert response.content.decode().count('class="email-details"') == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_speaker_email_page_costs_the_same_queries_for_3_and_30_messages(
    client, member, production, count, django_assert_num_queries
):
    speaker = SpeakerFactory(email="speaker@example.org")
    make_session(production, speakers=[speaker])
    for n in range(count):
        _calendar_row(production, idempotency_key=f"k{n}", speaker=speaker)
    client.force_login(member)
    url = reverse("production:email_speaker", args=[speaker.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_SPEAKER_EMAILS):
        client.get(url)


QUERIES_EMAIL_LOG = 5  # however many rows are listed
QUERIES_SPEAKER_EMAILS = 10  # however many emails the speaker got


@pytest.mark.parametrize(
    ("action", "raw", "human"),
    [
        ("state", "in_review", "In review"),
        ("state", "planned", "Planned"),
        ("created", "tentative", "Tentative"),
        ("held", "on_hold ≥ 2026-04-06", "On hold ≥ 2026-04-06"),
        ("rsvp", "Ada Lovelace: declined (ill)", "Ada Lovelace: Declined (ill)"),
        ("answer_reset", "Ada: Lovelace: accepted", "Ada: Lovelace: Accepted"),
        ("captions", "in_progress", "In progress"),
        ("moved", "done", "done"),  # a place called "done" is a place, not a state
        ("version_added", "v3", "v3"),
        ("postponed", "2026-04-06", "2026-04-06"),
    ],
)
def test_history_values_read_as_the_choices_labels(action, raw, human):
    from production.models import HistoryEntry

    entry = HistoryEntry(action=action, from_value=raw, to_value=raw)
    with translation.override("en"):
        assert entry.from_label == entry.to_label == human
