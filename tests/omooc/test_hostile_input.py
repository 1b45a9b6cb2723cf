"""No input gives a 500: NUL bytes, undecodable bytes, non-integer ids and wrong JSON types answer
400/404 with the error envelope on API paths and a plain 400 page on HTML pages."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENVELOPE = {"message", "code", "extra"}


@pytest.fixture
def api():
    """A client that answers with the 500 instead of raising the view's exception."""
    return APIClient(raise_request_exception=False)


def _as(client, user):
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _envelope(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ENVELOPE and body["message"], body
    return body


def _friendly_400(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in response.content.decode()
    assert b"request" in response.content.lower()


# --- ids in API routes are digits only --------------------------------------------------------


def _operations_with_an_id(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return [
        (method, path)
        for path, item in schema["paths"].items()
        if "{id}" in path or "{pk}" in path
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    ]


@pytest.mark.parametrize("bad_id", ["null", "1.5", "-1", "%C2%B2", "1e3", "%00", "0x1"])
def test_every_api_operation_with_a_non_integer_id_is_a_404(api, bad_id):
    _as(api, UserFactory(producer=True))
    operations = _operations_with_an_id(api)
    assert len([op for op in operations if "/production/" in op[1]]) >= 22, operations
    for method, path in operations:
        url = path.replace("{id}", bad_id).replace("{pk}", bad_id)
        response = getattr(api, method)(url, {}, format="json")
        _envelope(response, 404)


def test_the_reported_null_session_is_a_404_in_the_envelope(api):
    _as(api, UserFactory(producer=True))
    body = _envelope(api.get("/api/v1/production/sessions/null/"), 404)
    assert body["code"] == "not_found"


def test_an_id_beyond_the_database_integer_range_is_a_404(api):
    _as(api, UserFactory(producer=True))
    _envelope(api.get("/api/v1/production/sessions/99999999999999999999999/"), 404)
    _envelope(api.get("/api/v1/lectures/99999999999999999999999/playback/"), 404)


def test_a_unicode_digit_production_filter_is_not_a_500(api):
    _as(api, UserFactory(producer=True))
    for path in ("/api/v1/production/sessions/", "/api/v1/production/pretalks/"):
        response = api.get(path, {"production": "²"})
        assert response.status_code == 200, response.content[:300]


# --- NUL and undecodable bytes ------------------------------------------------------------------


def test_a_nul_byte_in_the_anonymous_catalog_search_is_a_400_in_the_envelope(api):
    body = _envelope(api.get("/api/v1/courses/?q=%00"), 400)
    assert "q" in body["message"] or "query" in body["message"].lower()


# %ED%A0%80: a UTF-16 surrogate encoded as UTF-8, which is not valid UTF-8.
@pytest.mark.parametrize("query", ["q=%FF", "q=a%C3", "q=%00", "language=%00", "%00=1", "q=%ED%A0%80"])
def test_nul_or_undecodable_bytes_in_an_api_query_are_a_400(api, query):
    _envelope(api.get(f"/api/v1/courses/?{query}"), 400)


def test_nul_or_undecodable_bytes_in_a_page_query_get_a_plain_400_page(client):
    _friendly_400(client.get("/?q=%00", HTTP_ACCEPT_LANGUAGE="en"))
    _friendly_400(client.get("/?q=%FF%FE", HTTP_ACCEPT_LANGUAGE="en"))


def test_a_nul_byte_in_an_api_path_is_a_404_in_the_envelope(api):
    _envelope(api.get("/api/v1/courses/a%00b/"), 404)
    _envelope(api.get("/api/v1/courses/%FF/"), 404)


def test_a_nul_byte_in_a_signed_media_path_is_not_a_500(client, settings, tmp_path):
    from courses.media import access as media_access
    from tests.production.factories import make_production

    producer = UserFactory(producer=True)
    production = make_production(lectures=1, team=[producer])
    lecture = production.course.lectures.get()
    grant = media_access.MediaGrant(
        enrollment_id=0,
        lecture_id=lecture.pk,
        user_id=producer.pk,
        root="videos/x/",
        single_file=False,
        bearer=True,
    )
    token = media_access.sign(grant)
    client.raise_request_exception = False
    for path in ("master%00.m3u8", "a%00/b.ts", "%FF.ts"):
        response = client.get(f"/media/s/{token}/{path}")
        assert response.status_code in (400, 404), (path, response.status_code)


def test_a_nul_byte_in_a_header_is_a_400(api):
    body = _envelope(api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token abc\x00def"), 400)
    assert "header" in body["message"].lower()
    _envelope(api.get("/api/v1/courses/", HTTP_ACCEPT_LANGUAGE="nl\x00"), 400)


def test_undecodable_bytes_in_a_header_are_a_400(api):
    # WSGI hands headers over as latin-1 text; "\xff" is a byte that starts no UTF-8 character.
    _envelope(api.get("/api/v1/courses/", HTTP_X_CLIENT="caf\xe9"), 400)


def test_a_nul_byte_in_a_page_form_field_gets_a_plain_400_page(client):
    response = client.post(
        "/accounts/login/", {"username": "ada\x00@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    _friendly_400(response)


def test_undecodable_bytes_in_an_api_form_body_are_a_400(api):
    response = api.post(
        "/api/v1/auth/token/",
        data=b"email=%FF%FE&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    _envelope(response, 400)


# --- wrong JSON types ------------------------------------------------------------------------


def test_a_progress_beat_with_a_list_as_event_is_a_400(api):
    _as(api, UserFactory())
    body = _envelope(
        api.post("/api/v1/progress/", {"token": "x", "position": 1, "event": [None]}, format="json"), 400
    )
    assert body["message"].startswith("event:")


@pytest.mark.parametrize(
    "payload",
    [
        {"token": ["x"], "position": 1},
        {"token": "x", "position": [1]},
        {"token": "x", "position": {"a": 1}},
        {"token": "x", "position": 1, "played_from": [0]},
        {"token": "x", "position": 1, "event": {"a": 1}},
        [1, 2],
        "tick",
        None,
    ],
)
def test_wrong_json_types_in_a_progress_beat_are_a_400(api, payload):
    _as(api, UserFactory())
    _envelope(api.post("/api/v1/progress/", payload, format="json"), 400)


@pytest.mark.parametrize(
    "path,payload",
    [
        ("/api/v1/auth/token/", {"email": ["a@example.org"], "password": {"x": 1}}),
        ("/api/v1/auth/token/", [{"email": "a@example.org"}]),
        ("/api/v1/enrollments/", {"course": ["x"]}),
        ("/api/v1/enrollments/", {"course": "x\x00y"}),
    ],
)
def test_wrong_json_types_elsewhere_are_a_400(api, path, payload):
    _as(api, UserFactory())
    _envelope(api.post(path, payload, format="json"), 400)


@pytest.mark.parametrize(
    "path,payload",
    [
        (
            "/api/v1/production/sessions/",
            {"production": [1], "starts_at": 1, "ends_at": None, "lectures": "1"},
        ),
        (
            "/api/v1/production/sessions/",
            {
                "production": 10**30,
                "starts_at": "2030-01-01T10:00:00Z",
                "ends_at": "2030-01-01T11:00:00Z",
                "lectures": [],
            },
        ),
        (
            "/api/v1/production/pretalks/",
            {"production": 1, "speakers": [10**30], "lectures": [None], "starts_at": "x"},
        ),
        ("/api/v1/production/productions/", {"course": 10**30, "client": "x", "team": [10**30]}),
        (
            "/api/v1/production/productions/postpone-all/",
            {"until": "2030-01-01", "reason": "x", "productions": [10**30]},
        ),
        ("/api/v1/production/speakers/", {"name": "a\x00b", "email": "s@example.org"}),
        ("/api/v1/production/locations/", {"name": "Studio\x00", "capacity": 10**30}),
    ],
)
def test_wrong_json_types_and_out_of_range_ids_in_production_input_are_a_400_or_404(api, path, payload):
    _as(api, UserFactory(producer=True))
    response = api.post(path, payload, format="json")
    assert response.status_code in (400, 404), (response.status_code, response.content[:300])
    assert set(response.json()) == ENVELOPE


def test_an_unsupported_body_type_is_a_documented_415(api):
    _as(api, UserFactory())
    response = api.post("/api/v1/progress/", data="position=1", content_type="text/plain")
    _envelope(response, 415)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "415" in schema["paths"]["/api/v1/progress/"]["post"]["responses"]
