from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from production.models import PreTalk, RecordingSession, ScriptPart, Speaker
from tests.factories import UserFactory
from tests.production import factories
from tests.production.factories import LocationFactory, SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db

BASE = "/api/v1/production"


@pytest.fixture
def api(member):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(member)
    return client


def _as(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_permission_matrix_on_the_production_api(production):
    session = make_session(production)
    urls = [
        f"{BASE}/productions/",
        f"{BASE}/productions/{production.pk}/",
        f"{BASE}/productions/{production.pk}/board/",
        f"{BASE}/sessions/{session.pk}/",
        f"{BASE}/speakers/",
    ]
    for url in urls:
        assert _as(None).get(url).status_code == 401, url
        assert _as(UserFactory()).get(url).status_code == 403, url
    outsider = _as(UserFactory(producer=True))
    assert outsider.get(f"{BASE}/productions/").json()["results"] == []
    assert outsider.get(f"{BASE}/sessions/").json()["results"] == []
    for url in urls[1:4]:
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    postpone = outsider.post(
        f"{BASE}/productions/{production.pk}/postpone/",
        {"until": timezone.localdate().isoformat(), "reason": "x"},
        format="json",
    )
    assert postpone.status_code == 404
    for user in (production.team.get(), UserFactory(is_superuser=True)):
        client = _as(user)
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert [p["id"] for p in client.get(f"{BASE}/productions/").json()["results"]] == [production.pk]


def test_the_board_api_gives_the_cells_dates_in_iso_whatever_the_language(member, production):
    speaker = SpeakerFactory()
    make_session(production, days=9, speakers=[speaker])
    factories.make_phone_pretalk(production, speakers=[speaker], starts_at=at(4))
    client = APIClient(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_authenticate(member)
    board = client.get(f"{BASE}/productions/{production.pk}/board/").json()
    cells = {cell["column"]: cell for cell in board["rows"][0]["cells"]}
    assert cells["pretalk"]["detail"] == at(4).date().isoformat()
    assert cells["recording"]["detail"] == at(9).date().isoformat()


def test_a_producer_plans_holds_and_reschedules_a_session_through_the_api(api, production):
    speaker = SpeakerFactory()
    lecture_ids = list(production.course.lectures.values_list("pk", flat=True))
    response = api.post(
        f"{BASE}/sessions/",
        {
            "production": production.pk,
            "starts_at": at(5).isoformat(),
            "ends_at": (at(5) + timedelta(hours=3)).isoformat(),
            "lectures": lecture_ids,
            "speakers": [speaker.pk],
            "state": "scheduled",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "scheduled" and body["ical_sequence"] == 0
    assert body["speakers"][0]["rsvp"] == "pending"
    session_id = body["id"]

    until = timezone.localdate() + timedelta(days=14)
    held = api.post(
        f"{BASE}/productions/{production.pk}/postpone/",
        {"until": until.isoformat(), "reason": "lockdown"},
        format="json",
    )
    assert held.json() == {"changed": [session_id]}
    board = api.get(f"{BASE}/productions/{production.pk}/board/").json()
    assert board["readiness"]["projected_launch_on"] == (until + timedelta(days=21)).isoformat()
    assert {r["cells"][2]["state"] for r in board["rows"]} == {"on_hold"}

    moved = api.patch(
        f"{BASE}/sessions/{session_id}/",
        {"starts_at": at(20).isoformat(), "ends_at": (at(20) + timedelta(hours=2)).isoformat()},
        format="json",
    ).json()
    assert (moved["state"], moved["hold_until"], moved["ical_sequence"]) == ("scheduled", None, 2)
    history = api.get(f"{BASE}/productions/{production.pk}/history/").json()["results"]
    assert [h["action"] for h in history[:3]] == ["state", "rescheduled", "postponed"]


def test_api_errors_name_the_field_and_the_fix(api, production):
    lecture_ids = list(production.course.lectures.values_list("pk", flat=True))
    response = api.post(
        f"{BASE}/sessions/",
        {
            "production": production.pk,
            "starts_at": at(5).isoformat(),
            "ends_at": at(4).isoformat(),
            "lectures": lecture_ids,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "ends_at"
    assert "must be after the start" in response.json()["message"]
    session = make_session(production, days=1, state="scheduled")
    response = api.post(f"{BASE}/sessions/{session.pk}/transition/", {"to_state": "recorded"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "recorded_in_future"
    studio = LocationFactory(name="Studio Zuid")
    make_session(make_production(lectures=1), days=6, location=studio)
    response = api.post(
        f"{BASE}/sessions/",
        {
            "production": production.pk,
            "starts_at": at(6).isoformat(),
            "ends_at": (at(6) + timedelta(hours=1)).isoformat(),
            "lectures": lecture_ids[:1],
            "location": studio.pk,
        },
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "location_double_booked"
    assert "Studio Zuid is already booked" in response.json()["message"]
    assert RecordingSession.objects.filter(production=production).count() == 1


def test_script_parts_pretalks_speakers_and_post_production_through_the_api(api, production):
    speaker = api.post(
        f"{BASE}/speakers/",
        {"name": "Femke Bos", "email": "femke@example.org", "time_zone": "Europe/Amsterdam"},
        format="json",
    )
    assert speaker.status_code == 201
    dup = api.post(f"{BASE}/speakers/", {"name": "F", "email": "FEMKE@example.org"}, format="json")
    assert dup.status_code == 400 and dup.json()["extra"]["field"] == "email"

    part = ScriptPart.objects.filter(production=production).first()
    assert (
        api.post(f"{BASE}/script-parts/{part.pk}/versions/", {"text": "v1"}, format="json").status_code == 201
    )
    api.post(f"{BASE}/script-parts/{part.pk}/transition/", {"to_state": "in_review"}, format="json")
    approved = api.post(
        f"{BASE}/script-parts/{part.pk}/transition/", {"to_state": "approved"}, format="json"
    ).json()
    assert approved["state"] == "approved" and approved["versions"][0]["number"] == 1
    illegal = api.post(f"{BASE}/script-parts/{part.pk}/transition/", {"to_state": "in_review"}, format="json")
    assert illegal.status_code == 400 and illegal.json()["code"] == "illegal_transition"

    pretalk = api.post(
        f"{BASE}/pretalks/",
        {
            "production": production.pk,
            "speakers": [speaker.json()["id"]],
            "lectures": [part.lecture_id],
            "starts_at": at(-1).isoformat(),
            "mode": "phone",
        },
        format="json",
    ).json()
    held = api.post(f"{BASE}/pretalks/{pretalk['id']}/held/", {"outcome_notes": "ok"}, format="json").json()
    assert held["state"] == "held"

    post = production.post_production.first()
    done = api.patch(
        f"{BASE}/post-production/{post.pk}/", {"step": "edit", "state": "done"}, format="json"
    ).json()
    assert done["edit"] == "done"
    assert PreTalk.objects.get().state == "held"
    assert Speaker.objects.filter(email="femke@example.org").exists()


@pytest.mark.parametrize("count", [1, 8])
def test_list_endpoints_use_a_constant_number_of_queries(django_assert_num_queries, member, count):
    api = _as(member)
    for _ in range(count):
        production = make_production(lectures=3, team=[member])
        make_session(production, speakers=[SpeakerFactory()])
        factories.make_pretalk(
            production,
            speakers=[SpeakerFactory()],
            lectures=[production.course.lectures.first()],
            starts_at=at(1),
            mode="phone",
        )
    with django_assert_num_queries(11):
        assert len(api.get(f"{BASE}/productions/").json()["results"]) == count
    with django_assert_num_queries(5):
        assert len(api.get(f"{BASE}/sessions/").json()["results"]) == count
    with django_assert_num_queries(4):
        assert len(api.get(f"{BASE}/pretalks/").json()["results"]) == count
