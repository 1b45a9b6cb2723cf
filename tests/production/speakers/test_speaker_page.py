"""The speaker's page at a personal link, and the studio's email pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from production.models import EmailLog, HistoryEntry, ScriptPart, SpeakerLink
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from production.speakers.links import LINK_VALID_AFTER_LAST_ITEM
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, issue_link, make_pretalk, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    lead = UserFactory(producer=True, email="lead@example.org", language="en")
    speaker = SpeakerFactory(name="Anna de Vries", language="en")
    production = make_production(lectures=2, team=[lead])
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(production, days=10, speakers=[speaker], state="scheduled")
    return {
        "lead": lead,
        "speaker": speaker,
        "production": production,
        "session": session,
        "token": issue_link(speaker),
    }


def _page(client, token, **kwargs):
    return client.get(reverse("speaker:page", args=[token]), HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def test_the_page_shows_the_speakers_sessions_with_what_to_prepare(client, world):
    response = _page(client, world["token"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Speaker page of Anna de Vries" in html
    assert world["production"].course.title in html
    assert "What to prepare" in html
    assert "Europe/Amsterdam" in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_revoked_or_expired_link_shows_no_data(client, world):
    assert _page(client, "not-a-token").status_code == 404
    speaker = world["speaker"]
    from production.speakers.links import speaker_links_revoke

    speaker_links_revoke(speaker=speaker, by=world["lead"])
    response = _page(client, world["token"])
    assert response.status_code == 404
    assert "withdrawn" in response.content.decode()
    assert "Anna de Vries" not in response.content.decode()

    fresh = issue_link(speaker)
    assert _page(client, fresh).status_code == 200
    session = world["session"]
    past = timezone.now() - LINK_VALID_AFTER_LAST_ITEM - timedelta(days=2)
    type(session).objects.filter(pk=session.pk).update(starts_at=past, ends_at=past + timedelta(hours=1))
    SpeakerLink.objects.update(created_at=past)
    response = _page(client, fresh)
    assert response.status_code == 404 and "expired" in response.content.decode()


def test_confirming_updates_the_studio_records_history_and_tells_the_team(
    client, world, django_capture_on_commit_callbacks
):
    session = world["session"]
    url = reverse("speaker:answer", args=[world["token"], "session", session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "confirm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert session.attendances.get().rsvp == "accepted"
    assert HistoryEntry.objects.filter(
        object_id=session.pk, action="rsvp", to_value__contains="accepted"
    ).exists()
    notice = EmailLog.objects.get(kind="speaker_answer")
    assert notice.recipient == "lead@example.org"
    assert "Anna de Vries: confirmed" in notice.subject


def test_declining_needs_a_reason(client, world, django_capture_on_commit_callbacks):
    session = world["session"]
    url = reverse("speaker:answer", args=[world["token"], "session", session.pk])
    response = client.post(url, {"action": "decline", "reason": " "}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Give a reason for declining" in response.content.decode()
    assert session.attendances.get().rsvp == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "decline", "reason": "On holiday"})
    attendance = session.attendances.get()
    assert attendance.rsvp == "declined" and attendance.decline_reason == "On holiday"
    assert "On holiday" in EmailLog.objects.get(kind="speaker_answer").body_text


def test_proposing_another_time_reads_it_in_the_speakers_time_zone(client, world):
    world["speaker"].time_zone = "America/New_York"
    world["speaker"].save()
    session = world["session"]
    url = reverse("speaker:answer", args=[world["token"], "session", session.pk])
    day = (timezone.now() + timedelta(days=20)).date()
    client.post(url, {"action": "propose", "proposed_starts_at": f"{day}T09:30", "note": "mornings are best"})
    attendance = session.attendances.get()
    local = attendance.proposed_starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert (local.date(), local.hour, local.minute) == (day, 9, 30)
    assert attendance.rsvp == "pending"


def test_a_speaker_cannot_answer_for_someone_elses_session(client, world):
    other = make_session(world["production"], days=12, speakers=[SpeakerFactory()])
    url = reverse("speaker:answer", args=[world["token"], "session", other.pk])
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert other.attendances.get().rsvp == "pending"


def test_the_speaker_reads_and_approves_their_script_part(client, world, django_capture_on_commit_callbacks):
    part = ScriptPart.objects.filter(production=world["production"]).order_by("id").first()
    scripts.script_version_add(part=part, text="Welkom bij deze les.", by=world["lead"])
    scripts.script_part_transition(part=part, to_state="in_review", by=world["lead"])
    url = reverse("speaker:script", args=[world["token"], part.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Welkom bij deze les." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve"})
    part.refresh_from_db()
    assert part.state == "approved"
    assert HistoryEntry.objects.filter(
        object_id=part.pk, to_value="approved", reason__contains="Anna"
    ).exists()
    assert "approved the script" in EmailLog.objects.get(kind="speaker_answer").subject


def test_a_comment_on_the_script_requests_changes(client, world):
    part = ScriptPart.objects.filter(production=world["production"]).order_by("id").first()
    scripts.script_version_add(part=part, text="Tekst", by=world["lead"])
    scripts.script_part_transition(part=part, to_state="in_review", by=world["lead"])
    url = reverse("speaker:script", args=[world["token"], part.pk])
    response = client.post(url, {"action": "comment", "comment": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Write your comment" in response.content.decode()
    client.post(url, {"action": "comment", "comment": "Paragraph 2 is outdated."})
    part.refresh_from_db()
    assert part.state == "changes_requested"


def test_each_session_downloads_as_ics_and_the_feed_lists_them(client, world):
    session = world["session"]
    response = client.get(reverse("speaker:ics", args=[world["token"], "session", session.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]).startswith(str(session.ical_uid))
    feed = client.get(reverse("speaker:feed", args=[world["token"]]))
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [str(event["uid"])]


def test_the_page_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert _page(client, world["token"]).status_code == 200
        return len(ctx.captured_queries)

    _page(client, world["token"])  # the first visit also records when the link was last used
    few = count()
    for days in range(11, 16):
        make_session(world["production"], days=days, speakers=[world["speaker"]])
    assert count() == few


def test_the_email_log_shows_every_message_to_the_team_only(client, world):
    from production.outbox.mailer import emails_send_due

    emails_send_due()
    client.force_login(world["lead"])
    response = client.get(reverse("production:email_log"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    email = EmailLog.objects.get(kind="invitation")
    assert email.recipient in html and email.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
    outsider = UserFactory(producer=True)
    client.force_login(outsider)
    assert email.recipient not in client.get(reverse("production:email_log")).content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("production:email_log")).status_code == 403


def test_the_studio_speaker_page_shows_delivery_and_rsvp_and_can_revoke_links(client, world):
    client.force_login(world["lead"])
    url = reverse("production:email_speaker", args=[world["speaker"].pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pending" in html and "Invitation" in html and "Waiting to be sent" in html
    client.post(reverse("production:speaker_links_revoke", args=[world["speaker"].pk]))
    assert not SpeakerLink.objects.filter(revoked_at__isnull=True).exists()
    client.post(reverse("production:speaker_link_send", args=[world["speaker"].pk]))
    assert EmailLog.objects.filter(kind="link", speaker=world["speaker"]).exists()


def test_email_log_query_count_is_constant(client, world, django_assert_num_queries):
    from production.outbox.queue import Content, email_queue

    client.force_login(world["lead"])
    url = reverse("production:email_log")
    client.get(url)

    def pin():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    few = pin()
    for n in range(30):
        email_queue(
            idempotency_key=f"x{n}",
            kind="reminder",
            recipient=f"r{n}@example.org",
            content=Content(subject="s", text="t"),
            production=world["production"],
            speaker=world["speaker"],
        )
    assert pin() == few


def test_the_studio_speaker_page_links_to_delivery_status(client, world):
    client.force_login(world["lead"])
    html = client.get(reverse("production:speaker", args=[world["speaker"].pk])).content.decode()
    assert reverse("production:email_speaker", args=[world["speaker"].pk]) in html


def test_delivery_page_query_count_is_constant(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["lead"])
    url = reverse("production:email_speaker", args=[world["speaker"].pk])
    client.get(url)

    def pin():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = pin()
    for days in range(11, 21):
        make_session(world["production"], days=days, speakers=[world["speaker"]])
    assert pin() == few


def test_a_producer_outside_the_team_sees_no_delivery_rows(client, world):
    client.force_login(UserFactory(producer=True))
    html = client.get(
        reverse("production:email_speaker", args=[world["speaker"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "This speaker is on no session or pre-talk of your productions." in html
    assert world["production"].course.title not in html


# --- held and cancelled items; no account links (issue 11) ------------------------------------


def _card(html: str, anchor: str) -> str:
    """The card of one session or pre-talk on the speaker page."""
    start = html.index(f'id="{anchor}"')
    ends = [i for i in (html.find('class="card"', start), html.find("</section>", start)) if i != -1]
    return html[start : min(ends)]


def test_a_held_session_says_on_hold_until_at_least_its_date_and_asks_nothing(client, world):
    session = world["session"]
    until = timezone.localdate() + timedelta(days=40)
    scheduling.recording_session_hold(session=session, until=until, reason="Lockdown", by=world["lead"])
    html = _page(client, world["token"]).content.decode()
    card = _card(html, f"session-{session.pk}")
    assert f"On hold until at least {until.day} {until:%B} {until.year}" in card
    assert "What to prepare" not in card and "arrive 30 minutes early" not in card
    assert reverse("speaker:answer", args=[world["token"], "session", session.pk]) not in card
    assert "Confirm" not in card and "Propose another time" not in card


def test_cancelled_sessions_and_pretalks_show_as_cancelled_and_ask_nothing(client, world):
    session = world["session"]
    scheduling.recording_session_transition(
        session=session, to_state="cancelled", reason="Studio dicht", by=world["lead"]
    )

    def pretalk_in(days, video_link):
        return make_pretalk(
            world["production"],
            speakers=[world["speaker"]],
            starts_at=timezone.now() + timedelta(days=days),
            video_link=video_link,
            by=world["lead"],
        )

    pretalk = pretalk_in(3, "https://meet.example.org/voorgesprek")
    scheduling.pretalk_cancel(pretalk=pretalk, reason="Niet meer nodig", by=world["lead"])
    done = pretalk_in(4, "https://meet.example.org/voorgesprek-2")
    type(done).objects.filter(pk=done.pk).update(starts_at=timezone.now() - timedelta(days=2))
    scheduling.pretalk_mark_held(pretalk=done, outcome_notes="Goed gesprek", by=world["lead"])
    html = _page(client, world["token"]).content.decode()
    for anchor, target, pk in (
        (f"session-{session.pk}", "session", session.pk),
        (f"pretalk-{pretalk.pk}", "pretalk", pretalk.pk),
    ):
        card = _card(html, anchor)
        assert "was cancelled" in card and "nothing to prepare" in card
        assert "What to prepare" not in card
        assert reverse("speaker:answer", args=[world["token"], target, pk]) not in card
    card = _card(html, f"pretalk-{done.pk}")
    assert "took place" in card and "What to prepare" not in card
    assert reverse("speaker:answer", args=[world["token"], "pretalk", done.pk]) not in card


def test_an_open_session_still_shows_what_to_prepare_and_the_answer_buttons(client, world):
    session = world["session"]
    card = _card(_page(client, world["token"]).content.decode(), f"session-{session.pk}")
    assert "What to prepare" in card and "arrive 30 minutes early" in card
    assert reverse("speaker:answer", args=[world["token"], "session", session.pk]) in card


ACCOUNT_LINKS = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/logout/",
    "/studio/",
    "Log in",
    "Sign up",
)


@pytest.mark.parametrize("logged_in", [False, True], ids=["no session", "a producer's browser"])
def test_the_speaker_pages_offer_no_account_links(client, world, logged_in):
    """Speakers have no account: no log in / sign up (nor log out or the studio, when a producer
    opens a speaker's link in their own browser)."""
    if logged_in:
        client.force_login(world["lead"])
    part = ScriptPart.objects.filter(production=world["production"]).order_by("id").first()
    pages = [
        _page(client, world["token"]),
        client.get(reverse("speaker:script", args=[world["token"], part.pk]), HTTP_ACCEPT_LANGUAGE="en"),
        _page(client, "not-a-valid-token"),
    ]
    for response in pages:
        html = response.content.decode()
        found = [marker for marker in ACCOUNT_LINKS if marker in html]
        assert not found, (response.status_code, found)
    # the rest of the site keeps them
    client.logout()
    assert "/accounts/login/" in client.get(reverse("home")).content.decode()
