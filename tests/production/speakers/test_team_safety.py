"""Speaker contact details and personal links are team-safe (issue 11, ADR 0013).

The attack: a producer of team A changed the address of a speaker who only works with team B,
pressed "send link" and received the speaker's personal link (B's pre-talk video link, course,
lectures and the power to answer for the speaker); A could also withdraw B's speakers' links
without B being told. The rule: contact details may be changed, and links withdrawn, only by the
producers of every production the speaker works with (a speaker on nothing yet: whoever added
them); superusers always. Every interface (studio pages, API, admin) applies the one rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from production.models import EmailLog, Speaker, SpeakerLink
from production.outbox.mailer import emails_send_due
from production.scheduling import services as scheduling
from production.speakers import services as speakers
from production.speakers.links import speaker_link_send
from tests.factories import UserFactory
from tests.production import factories
from tests.production.factories import SpeakerFactory, at, make_production, make_session
from tests.production.speakers.helpers import speaker_link

pytestmark = pytest.mark.django_db

ATTACKER = "producent-a-prive@example.org"


@pytest.fixture
def teams(django_capture_on_commit_callbacks):
    lead_a = UserFactory(producer=True, email="lead-a@example.org", language="en")
    lead_b = UserFactory(producer=True, email="lead-b@example.org", language="en")
    production_a = make_production(lectures=1, team=[lead_a], client="Klant Alfa")
    production_b = make_production(lectures=1, team=[lead_b], client="Klant Bravo")
    b_only = SpeakerFactory(name="Bea Bravo", email="bea@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        session_b = make_session(production_b, days=9, speakers=[b_only], state="scheduled")
        pretalk_b = factories.make_pretalk(
            production_b,
            speakers=[b_only],
            starts_at=at(4),
            video_link="https://meet.example.org/bravo-geheim",
            by=lead_b,
        )
    EmailLog.objects.all().delete()  # the invitations; each test counts its own emails
    return {
        "lead_a": lead_a,
        "lead_b": lead_b,
        "a": production_a,
        "b": production_b,
        "b_only": b_only,
        "session_b": session_b,
        "pretalk_b": pretalk_b,
        "token": factories.issue_link(b_only),
    }


def _edit(client, speaker, **changes):
    data = {f: getattr(speaker, f) for f in speakers.SPEAKER_FIELDS} | changes
    return client.post(reverse("production:speaker_edit", args=[speaker.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_producer_cannot_take_over_another_teams_speaker(client, teams, smtp_server):
    """The reported sequence, step by step: every step is refused and nothing reaches A."""
    speaker = teams["b_only"]
    client.force_login(teams["lead_a"])

    assert client.get(reverse("production:speaker_edit", args=[speaker.pk])).status_code == 403
    assert _edit(client, speaker, email=ATTACKER).status_code == 403
    send = client.post(reverse("production:speaker_link_send", args=[speaker.pk]))
    assert send.status_code == 403
    revoke = client.post(reverse("production:speaker_links_revoke", args=[speaker.pk]))
    assert revoke.status_code == 403
    emails_send_due()

    speaker.refresh_from_db()
    assert speaker.email == "bea@example.org"
    assert not EmailLog.objects.filter(kind="link").exists()
    assert not [m for m in smtp_server.messages if ATTACKER in m["To"]]
    assert SpeakerLink.objects.filter(speaker=speaker, revoked_at__isnull=True).count() == 1
    assert client.get(reverse("speaker:page", args=[teams["token"]])).status_code == 200


def test_the_api_refuses_the_same_change_with_a_message_that_says_why(teams):
    api = APIClient()
    api.force_authenticate(teams["lead_a"])
    speaker = teams["b_only"]
    url = f"/api/v1/production/speakers/{speaker.pk}/"
    response = api.patch(url, {"email": ATTACKER}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "speaker_not_yours"
    assert "another team" in body["message"] and "studio administrator" in body["message"]
    assert Speaker.objects.get(pk=speaker.pk).email == "bea@example.org"
    # Reading stays open to every producer (the directory is shared), without B's items.
    assert api.get(url).json()["email"] == "bea@example.org"

    api.force_authenticate(teams["lead_b"])
    assert api.patch(url, {"phone": "+31 6 1234 5678"}, format="json").status_code == 200


def test_the_admin_applies_the_same_rule(client, teams):
    from omooc.accounts.services import producer_grant

    for lead in (teams["lead_a"], teams["lead_b"]):
        producer_grant(user=lead)  # the admin's model permissions, as in production
    speaker = teams["b_only"]
    url = reverse("admin:production_speaker_change", args=[speaker.pk])
    client.force_login(teams["lead_a"])
    data = {f: getattr(speaker, f) for f in speakers.SPEAKER_FIELDS} | {"email": ATTACKER}
    response = client.post(url, data)
    assert response.status_code == 403
    assert Speaker.objects.get(pk=speaker.pk).email == "bea@example.org"
    delete = client.post(reverse("admin:production_speaker_delete", args=[speaker.pk]), {"post": "yes"})
    assert delete.status_code == 403

    client.force_login(teams["lead_b"])
    response = client.post(url, data | {"email": "bea.nieuw@example.org"})
    assert response.status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).email == "bea.nieuw@example.org"


def test_a_shared_speakers_address_is_changed_only_by_someone_on_every_team_and_every_team_is_told(
    client, teams, django_capture_on_commit_callbacks
):
    speaker = teams["b_only"]
    make_session(teams["a"], days=11, speakers=[speaker])  # now A works with Bea too
    old_token = teams["token"]
    EmailLog.objects.all().delete()

    for lead in (teams["lead_a"], teams["lead_b"]):
        client.force_login(lead)
        assert _edit(client, speaker, email="bea.nieuw@example.org").status_code == 403
    assert Speaker.objects.get(pk=speaker.pk).email == "bea@example.org"

    admin = UserFactory(is_superuser=True, is_staff=True, email="beheer@example.org", language="en")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(client, speaker, email="Bea.Nieuw@example.org")
    assert response.status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).email == "bea.nieuw@example.org"

    notices = EmailLog.objects.filter(kind="team_notice").order_by("recipient")
    assert [n.recipient for n in notices] == ["lead-a@example.org", "lead-b@example.org"]
    for notice in notices:
        assert "Bea Bravo" in notice.subject
        assert "bea@example.org" in notice.body_text and "bea.nieuw@example.org" in notice.body_text
    # The links went to the old address: they are withdrawn; new emails carry new links.
    assert client.get(reverse("speaker:page", args=[old_token])).status_code == 404


def test_a_producer_on_every_team_of_the_speaker_may_change_them(client, teams):
    speaker = teams["b_only"]
    both = UserFactory(producer=True, language="en")
    teams["a"].team.add(both)
    teams["b"].team.add(both)
    make_session(teams["a"], days=11, speakers=[speaker])
    client.force_login(both)
    assert _edit(client, speaker, phone="020 123 4567").status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).phone == "020 123 4567"


def test_emails_still_queued_for_the_old_address_go_to_the_new_one(teams, smtp_server):
    speaker = teams["b_only"]
    speaker_link_send(speaker=speaker, by=teams["lead_b"])  # queued, not yet sent
    speakers.speaker_update(speaker=speaker, email="bea.nieuw@example.org", by=teams["lead_b"])
    emails_send_due()
    (message,) = smtp_server.messages
    assert "bea.nieuw@example.org" in message["To"] and "bea@example.org" not in message["To"]
    assert speaker_link(message)


def test_a_speaker_on_nothing_yet_belongs_to_whoever_added_them(client, teams):
    client.force_login(teams["lead_a"])
    response = client.post(
        reverse("production:speaker_create"),
        {
            "name": "Nina Nieuw",
            "email": "nina@example.org",
            "language": "en",
            "time_zone": "Europe/Amsterdam",
        },
    )
    nina = Speaker.objects.get(email="nina@example.org")
    assert response.status_code == 302 and nina.created_by == teams["lead_a"]
    assert _edit(client, nina, phone="06 1").status_code == 302

    client.force_login(teams["lead_b"])
    assert _edit(client, nina, email=ATTACKER).status_code == 403
    assert client.post(reverse("production:speaker_link_send", args=[nina.pk])).status_code == 403

    # Once B puts Nina on a session (and A does not), she is B's speaker.
    make_session(teams["b"], days=12, speakers=[nina])
    assert _edit(client, nina, phone="06 2").status_code == 302
    client.force_login(teams["lead_a"])
    assert _edit(client, nina, email=ATTACKER).status_code == 403
    assert Speaker.objects.get(pk=nina.pk).email == "nina@example.org"


def test_a_speaker_nobody_added_through_the_studio_and_on_nothing_is_open_to_every_producer(client, teams):
    loose = SpeakerFactory()  # e.g. from before ADR 0013: no creator recorded, on no item
    client.force_login(teams["lead_b"])
    assert _edit(client, loose, phone="06 3").status_code == 302


def test_either_team_of_a_shared_speaker_may_email_a_new_link_to_the_stored_address(client, teams):
    speaker = teams["b_only"]
    make_session(teams["a"], days=11, speakers=[speaker])
    client.force_login(teams["lead_a"])
    assert client.post(reverse("production:speaker_link_send", args=[speaker.pk])).status_code == 302
    assert EmailLog.objects.get(kind="link").recipient == "bea@example.org"
    # ... but not withdraw B's links
    assert client.post(reverse("production:speaker_links_revoke", args=[speaker.pk])).status_code == 403


def test_the_studio_pages_of_another_teams_speaker_show_none_of_their_items_or_link_emails(client, teams):
    speaker = teams["b_only"]
    speaker_link_send(speaker=speaker, by=teams["lead_b"])
    client.force_login(teams["lead_a"])
    course_b = teams["b"].course.title
    for name in ("production:speaker", "production:email_speaker"):
        html = client.get(reverse(name, args=[speaker.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Bea Bravo" in html  # the directory is shared
        assert course_b not in html
        assert reverse("production:session", args=[teams["session_b"].pk]) not in html
        assert "meet.example.org/bravo-geheim" not in html
        assert reverse("production:speaker_edit", args=[speaker.pk]) not in html
        assert reverse("production:speaker_links_revoke", args=[speaker.pk]) not in html
        assert reverse("production:speaker_link_send", args=[speaker.pk]) not in html
    html = client.get(reverse("production:speaker", args=[speaker.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"bea@example.org" in html and b"works with another team" in html
    emails = client.get(reverse("production:email_speaker", args=[speaker.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "personal link" not in emails.content.decode().lower()  # neither B's link emails nor links
    listing = client.get(reverse("production:email_log"), {"q": "bea"}).content.decode()
    assert "bea@example.org" not in listing

    client.force_login(teams["lead_b"])
    html = client.get(reverse("production:email_speaker", args=[speaker.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert reverse("production:speaker_links_revoke", args=[speaker.pk]) in html
    assert "personal link" in html.lower()


def test_a_conflict_with_another_teams_item_is_flagged_without_naming_it(client, teams):
    speaker = teams["b_only"]
    session_b = teams["session_b"]
    session_a = scheduling.recording_session_create(
        production=teams["a"],
        starts_at=session_b.starts_at + timedelta(minutes=30),
        ends_at=session_b.ends_at + timedelta(minutes=30),
        lectures=list(teams["a"].course.lectures.all()),
        speakers=[speaker],
        by=teams["lead_a"],
    )
    client.force_login(teams["lead_a"])
    course_b = teams["b"].course.title
    page = client.get(reverse("production:session", args=[session_a.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Bea Bravo is also booked at that time (another team" in html
    assert course_b not in html
    day = session_a.starts_at.date().isoformat()
    calendar = client.get(reverse("production:calendar"), {"date": day}, HTTP_ACCEPT_LANGUAGE="en")
    assert "another team" in calendar.content.decode() and course_b not in calendar.content.decode()

    client.force_login(teams["lead_b"])  # B sees A's item just as anonymously
    html = client.get(reverse("production:session", args=[session_b.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert teams["a"].course.title not in html.content.decode()
    assert "another team" in html.content.decode()


def test_a_personal_link_shows_every_item_of_its_speaker_and_nothing_of_anyone_else(client, teams):
    """The link is the speaker's: it shows their items of every team (they work on them all), and
    none of another speaker."""
    shared = teams["b_only"]
    session_a = make_session(teams["a"], days=11, speakers=[shared])
    other = SpeakerFactory(name="Olga Ander")
    session_other = make_session(teams["a"], days=13, speakers=[other])
    html = client.get(reverse("speaker:page", args=[teams["token"]]), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert teams["a"].course.title in html and teams["b"].course.title in html
    assert f'id="session-{session_a.pk}"' in html and f'id="session-{teams["session_b"].pk}"' in html
    assert f'id="session-{session_other.pk}"' not in html and "Olga Ander" not in html
    other_page = client.get(reverse("speaker:page", args=[factories.issue_link(other)])).content.decode()
    assert teams["b"].course.title not in other_page and "meet.example.org/bravo-geheim" not in other_page


def test_sending_a_link_by_service_applies_the_rule_too(teams):
    from omooc.exceptions import AccessDeniedError
    from production.speakers.links import speaker_links_revoke

    with pytest.raises(AccessDeniedError):
        speaker_link_send(speaker=teams["b_only"], by=teams["lead_a"])
    with pytest.raises(AccessDeniedError):
        speaker_links_revoke(speaker=teams["b_only"], by=teams["lead_a"])
    with pytest.raises(AccessDeniedError):
        speakers.speaker_update(speaker=teams["b_only"], email=ATTACKER, by=teams["lead_a"])
