from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from production.models import CalendarFeed, PreTalk, RecordingSession, Speaker
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from tests.factories import UserFactory
from tests.support.dates import shown_date

from . import factories
from .factories import LocationFactory, SpeakerFactory, at, make_pretalk, make_production, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(production):
    speaker = SpeakerFactory()
    session = make_session(production, speakers=[speaker])
    pretalk = factories.make_phone_pretalk(production, speakers=[speaker])
    return {"session": session, "pretalk": pretalk, "speaker": speaker}


def _pages(production, items):
    part = production.script_parts.first()
    post = production.post_production.first()
    return [
        reverse("production:board", args=[production.pk]),
        reverse("production:production_edit", args=[production.pk]),
        reverse("production:postpone", args=[production.pk]),
        reverse("production:history", args=[production.pk]),
        reverse("production:session_create", args=[production.pk]),
        reverse("production:pretalk_create", args=[production.pk]),
        reverse("production:session", args=[items["session"].pk]),
        reverse("production:session_edit", args=[items["session"].pk]),
        reverse("production:session_state", args=[items["session"].pk]),
        reverse("production:session_hold", args=[items["session"].pk]),
        reverse("production:pretalk", args=[items["pretalk"].pk]),
        reverse("production:pretalk_edit", args=[items["pretalk"].pk]),
        reverse("production:script", args=[part.pk]),
        reverse("production:post_production", args=[post.pk]),
    ]


GENERAL = [
    "production:home",
    "production:calendar",
    "production:speakers",
    "production:locations",
    "production:feed_settings",
]


def test_anonymous_visitors_are_sent_to_the_login_page(client, production, items):
    for url in _pages(production, items) + [reverse(n) for n in GENERAL]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_learners_get_403_everywhere_in_the_studio(client, production, items):
    client.force_login(UserFactory())
    for url in _pages(production, items) + [reverse(n) for n in GENERAL]:
        assert client.get(url).status_code == 403, url


def test_a_producer_outside_the_team_cannot_see_the_production_or_its_items(client, production, items):
    client.force_login(UserFactory(producer=True))
    for url in _pages(production, items):
        assert client.get(url).status_code == 404, url
    home = client.get(reverse("production:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert str(production) not in home.content.decode()
    response = client.post(
        reverse("production:postpone", args=[production.pk]),
        {"until": (timezone.localdate() + timedelta(days=3)).isoformat(), "reason": "x"},
    )
    assert response.status_code == 404
    assert RecordingSession.objects.get().state == "tentative"


@pytest.mark.parametrize("who", ["member", "superuser"])
def test_team_members_and_superusers_open_every_page(client, production, items, member, who):
    user = member if who == "member" else UserFactory(is_superuser=True)
    client.force_login(user)
    for url in _pages(production, items) + [reverse(n) for n in GENERAL]:
        assert client.get(url).status_code == 200, url
    assert str(production) in client.get(reverse("production:home")).content.decode()


def _lectures(n):
    return make_production(lectures=n)


@pytest.mark.parametrize("size", [3, 30])
def test_the_board_uses_the_same_number_of_queries_for_3_and_30_lectures(
    client, django_assert_num_queries, size
):
    user = UserFactory(producer=True)
    production = make_production(lectures=size, team=[user])
    lectures = list(production.course.lectures.all())
    speaker = SpeakerFactory()
    for i in range(0, size, 3):
        make_session(production, days=i + 1, lectures=lectures[i : i + 3], speakers=[speaker])
        make_pretalk(
            production, speakers=[speaker], lectures=lectures[i : i + 3], starts_at=at(-i - 1), mode="phone"
        )
    scheduling.production_postpone_recordings(
        productions=[production], until=timezone.localdate() + timedelta(days=3), reason="lockdown", by=None
    )
    client.force_login(user)
    url = reverse("production:board", args=[production.pk])
    client.get(url)
    with django_assert_num_queries(12):  # 11, and the undo offer of the hold just made (ADR 0024)
        response = client.get(url)
    assert response.content.decode().count("<tr data-lecture=") == size


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_board_shows_the_pretalk_and_recording_dates_in_the_readers_language(
    client, production, member, language
):
    speaker = SpeakerFactory()
    make_session(production, days=9, speakers=[speaker])
    factories.make_phone_pretalk(production, speakers=[speaker], starts_at=at(4))
    client.force_login(member)
    html = client.get(
        reverse("production:board", args=[production.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    first_row = html[html.index("<tr data-lecture=") :]
    first_row = first_row[: first_row.index("</tr>")]
    details = re.findall(r"<small>([^<]*)</small>", first_row)
    pretalk_day, recording_day = at(4).date(), at(9).date()
    assert details == [shown_date(day, language=language) for day in (pretalk_day, recording_day)]
    assert pretalk_day.isoformat() not in first_row and recording_day.isoformat() not in first_row


@pytest.mark.parametrize("view", ["week", "month"])
@pytest.mark.parametrize("size", [3, 30])
def test_the_calendar_uses_the_same_number_of_queries_for_3_and_30_lectures(
    client, django_assert_num_queries, size, view
):
    user = UserFactory(producer=True)
    production = make_production(lectures=size, team=[user])
    factories.fill_the_calendar(production)
    client.force_login(user)
    url = reverse("production:calendar") + f"?view={view}"
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('class="cal-item') >= 2


def test_the_production_list_shows_readiness_and_uses_constant_queries(
    client, django_assert_num_queries, member
):
    for _ in range(3):
        make_production(team=[member])
    client.force_login(member)
    client.get(reverse("production:home"))
    with django_assert_num_queries(10):
        response = client.get(reverse("production:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.content.decode().count("<meter") == 3


def test_holding_all_recordings_from_the_board_changes_blockers_and_projected_launch(
    client, production, items, member
):
    client.force_login(member)
    until = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("production:postpone", args=[production.pk]),
        {"until": until.isoformat(), "reason": "lockdown", "step": "confirm"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "1 recording session put on hold" in response.content.decode()
    board = client.get(reverse("production:board", args=[production.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = board.content.decode()
    assert f"until at least {shown_date(until)} (lockdown)" in page
    assert shown_date(until + timedelta(days=production.post_production_days)) in page


def test_a_form_shows_the_service_error_on_the_field_and_saves_nothing(client, production, member):
    client.force_login(member)
    lecture = production.course.lectures.first()
    response = client.post(
        reverse("production:session_create", args=[production.pk]),
        {
            "starts_at": at(3, 14).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(3, 12).strftime("%Y-%m-%dT%H:%M"),
            "lectures": [lecture.pk],
            "state": "tentative",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "must be after the start" in response.context["form"].errors["ends_at"][0]
    assert not RecordingSession.objects.exists()


def test_double_booking_a_location_asks_for_confirmation_in_the_form(client, production, member):
    studio = LocationFactory(name="Studio Noord")
    make_session(make_production(lectures=1), days=3, location=studio)
    client.force_login(member)
    data = {
        "starts_at": at(3).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": at(3, 11).strftime("%Y-%m-%dT%H:%M"),
        "lectures": [production.course.lectures.first().pk],
        "location": studio.pk,
        "state": "scheduled",
    }
    url = reverse("production:session_create", args=[production.pk])
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Studio Noord is already booked" in response.context["form"].errors["location"][0]
    response = client.post(
        url, {**data, "confirm_double_booking": "on"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "Studio Noord is also booked" in response.content.decode()
    assert RecordingSession.objects.filter(production=production).count() == 1


def test_a_producer_plans_a_pretalk_marks_it_held_and_the_board_shows_it(client, production, member):
    speaker = SpeakerFactory()
    client.force_login(member)
    lecture = production.course.lectures.first()
    response = client.post(
        reverse("production:pretalk_create", args=[production.pk]),
        {
            "speakers": [speaker.pk],
            "lectures": [lecture.pk],
            "starts_at": at(-1).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 30,
            "mode": "phone",
        },
    )
    pretalk = PreTalk.objects.get()
    assert response["Location"] == reverse("production:pretalk", args=[pretalk.pk])
    client.post(reverse("production:pretalk_held", args=[pretalk.pk]), {"outcome_notes": "Fine"})
    board = client.get(reverse("production:board", args=[production.pk]))
    assert f'data-lecture="{lecture.pk}"' in board.content.decode()
    row = board.context["board"].rows[0]
    assert row.cell("pretalk").state == "held"


def test_script_page_adds_a_version_and_moves_the_state(client, production, member):
    part = production.script_parts.first()
    client.force_login(member)
    url = reverse("production:script", args=[part.pk])
    client.post(url, {"action": "version", "text": "Eerste versie"})
    client.post(url, {"action": "state", "to_state": "in_review"})
    response = client.post(
        url, {"action": "state", "to_state": "approved"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    part.refresh_from_db()
    assert part.state == "approved"
    assert "Eerste versie" in response.content.decode()


def test_the_board_filter_shows_only_matching_lectures(client, production, member):
    client.force_login(member)
    first = production.script_parts.order_by("lecture__position").first()
    scripts.script_version_add(part=first, text="x", by=None)
    scripts.script_part_transition(part=first, to_state="in_review", by=None)
    response = client.get(
        reverse("production:board", args=[production.pk]), {"column": "script", "tone": "warn"}
    )
    assert [r.lecture.pk for r in response.context["rows"]] == [first.lecture_id]


def test_speakers_are_created_listed_and_show_all_their_items(client, production, items, member):
    client.force_login(member)
    response = client.post(
        reverse("production:speaker_create"),
        {
            "name": "Noor Visser",
            "email": "NOOR@example.org",
            "language": "nl",
            "time_zone": "Europe/Amsterdam",
        },
    )
    noor = Speaker.objects.get(name="Noor Visser")
    assert noor.email == "noor@example.org"
    assert response["Location"] == reverse("production:speaker", args=[noor.pk])
    duplicate = client.post(
        reverse("production:speaker_create"),
        {"name": "Noor 2", "email": "noor@example.org", "language": "nl", "time_zone": "Europe/Amsterdam"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already exists" in duplicate.context["form"].errors["email"][0]
    listing = client.get(reverse("production:speakers"), {"q": "noor"})
    assert "Noor Visser" in listing.content.decode()
    page = client.get(reverse("production:speaker", args=[items["speaker"].pk]))
    assert reverse("production:session", args=[items["session"].pk]) in page.content.decode()
    assert reverse("production:pretalk", args=[items["pretalk"].pk]) in page.content.decode()


def test_the_calendar_marks_conflicts_between_overlapping_items_of_a_speaker(client, production, member):
    ada = SpeakerFactory(name="Ada Lovelace")
    make_session(production, days=1, speakers=[ada])
    make_pretalk(
        production,
        speakers=[ada],
        lectures=[production.course.lectures.first()],
        starts_at=at(1, 11),
        mode="phone",
    )
    client.force_login(member)
    response = client.get(
        reverse("production:calendar"),
        {"view": "week", "date": (timezone.localdate() + timedelta(days=1)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "2 items have a conflict" in page
    assert "Ada Lovelace is also at" in page


def test_the_calendar_feed_lists_the_producers_schedule_with_uid_and_sequence(
    client, production, items, member
):
    other = make_production(lectures=1)
    hidden = make_session(other, days=2)
    client.force_login(member)
    client.get(reverse("production:feed_settings"))
    feed = CalendarFeed.objects.get(user=member)
    client.logout()
    response = client.get(reverse("production:feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    cal = Calendar.from_ical(response.content)
    uids = {str(e["uid"]): int(e["sequence"]) for e in cal.walk("VEVENT")}
    assert uids == {f"{items['session'].ical_uid}@omooc": 0, f"{items['pretalk'].ical_uid}@omooc": 0}
    assert f"{hidden.ical_uid}@omooc" not in uids
    assert client.get(reverse("production:feed", args=["wrong-token"])).status_code == 404
    client.force_login(member)
    client.post(reverse("production:feed_settings"))
    assert client.get(reverse("production:feed", args=[feed.token])).status_code == 404


def test_a_script_file_downloads_for_the_team_only(client, production, member, django_user_model):
    from django.core.files.base import ContentFile

    from tests.factories import UserFactory

    part = production.script_parts.order_by("id").first()
    scripts.script_version_add(
        part=part, text="", file=ContentFile(b"%PDF-1.4 script", name="script.pdf"), by=member
    )
    version = part.versions.get()
    url = f"/studio/scripts/{part.pk}/versions/{version.pk}/file/"

    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 script"
    assert "attachment" in response["Content-Disposition"]

    client.force_login(UserFactory(producer=True))  # a producer outside the team
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())  # a learner
    assert client.get(url).status_code == 403


def test_media_files_are_not_served_unsigned(client, member, settings, tmp_path):
    from django.core.files.storage import default_storage

    default_storage.save("scripts/secret.txt", __import__("io").BytesIO(b"secret"))
    client.force_login(member)
    assert client.get("/media/scripts/secret.txt").status_code == 404
