"""The lean heartbeat ingest (``POST /progress/beat/``, ADR 0009): the WSGI app that ``omooc.wsgi``
mounts in front of Django, and its twin in Django's URLconf, answer alike; the playback token in the
body is the whole credential; a beat lands in the Redis buffer."""

from __future__ import annotations

import io
import json
import time
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core import signing
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from courses.learning import beacon, progress
from courses.learning.tasks import progress_flush
from courses.models import LectureProgress
from omooc.wsgi import application
from tests.factories import LectureFactory

from .factories import EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

FORM = "application/x-www-form-urlencoded;charset=UTF-8"  # what sendBeacon(URLSearchParams) sends


@pytest.fixture
def redis_buffer(settings, redis_url):
    settings.REDIS_URL = redis_url
    client = progress.buffer().client
    client.delete(progress.BUFFER_KEY, progress.PROCESSING_KEY, progress.LATEST_KEY)
    yield client
    client.delete(progress.BUFFER_KEY, progress.PROCESSING_KEY, progress.LATEST_KEY)


@pytest.fixture
def enrollment():
    lecture = LectureFactory(duration_seconds=120)
    return EnrollmentFactory(course=lecture.course), lecture


def token_for(enrollment, lecture, duration=120.0):
    return progress.playback_token(
        enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=enrollment.user_id, duration=duration
    )


def call_wsgi(method="POST", body=b"", content_type=FORM, path=beacon.BEAT_PATH, **environ):
    """One request straight into ``omooc.wsgi.application``: (status, headers, body)."""
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_TYPE": content_type}
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
    env["wsgi.input"] = io.BytesIO(body)
    env.update(environ)
    setup_testing_defaults(env)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, dict(headers)

    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(env, start_response)
        try:
            out = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(started["status"].split()[0]), started["headers"], out


def buffered(client) -> list[dict]:
    return [json.loads(raw) for raw in client.lrange(progress.BUFFER_KEY, 0, -1)]


def test_a_form_encoded_beat_with_its_token_lands_in_the_buffer_without_a_session(
    redis_buffer, enrollment, django_assert_num_queries
):
    enrollment, lecture = enrollment
    body = urlencode(
        {"token": token_for(enrollment, lecture), "position": "42.5", "played_from": "32", "event": "tick"}
    ).encode()
    with django_assert_num_queries(0):
        status, headers, out = call_wsgi(body=body)
    assert (status, out) == (204, b"")
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    (entry,) = buffered(redis_buffer)
    assert (entry["e"], entry["l"], entry["p"], entry["f"], entry["ev"]) == (
        enrollment.pk,
        lecture.pk,
        42.5,
        32.0,
        "tick",
    )
    assert abs(entry["t"] - time.time()) < 5
    assert progress.latest_position(enrollment_id=enrollment.pk, lecture_id=lecture.pk)[0] == 42.5
    assert progress_flush() == 1
    assert LectureProgress.objects.get(enrollment=enrollment, lecture=lecture).position_seconds == 42.5


def test_a_json_beat_is_accepted_too_and_positions_are_capped_at_the_duration(redis_buffer, enrollment):
    enrollment, lecture = enrollment
    body = json.dumps({"token": token_for(enrollment, lecture), "position": 500, "event": "end"}).encode()
    status, _headers, _out = call_wsgi(body=body, content_type="application/json")
    assert status == 204
    (entry,) = buffered(redis_buffer)
    assert (entry["p"], entry["f"], entry["ev"]) == (120.0, None, "end")


def _expired_token(enrollment, lecture, monkeypatch, age):
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: now - age)
        return token_for(enrollment, lecture)


def _error(status, headers, out):
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert int(headers["Content-Length"]) == len(out)
    data = json.loads(out)
    assert set(data) == {"message", "code", "extra"}
    return status, data["code"], data["message"]


def test_every_refusal_is_the_products_json_error_and_buffers_nothing(redis_buffer, enrollment, monkeypatch):
    enrollment, lecture = enrollment
    token = token_for(enrollment, lecture)
    good = urlencode({"token": token, "position": "3"}).encode()

    status, headers, out = call_wsgi("GET")
    assert _error(status, headers, out)[:2] == (405, "method_not_allowed")
    assert headers["Allow"] == "POST"
    assert call_wsgi("PUT", body=good)[0] == 405

    big = urlencode({"token": token, "position": "3", "pad": "x" * 5000}).encode()
    assert _error(*call_wsgi(body=big))[:2] == (413, "too_large")
    chunked = call_wsgi(body=b"", **{"wsgi.input": io.BytesIO(big), "wsgi.input_terminated": True})
    assert chunked[0] == 413  # no Content-Length (chunked): still read no more than the cap

    for content_type in ("text/plain;charset=UTF-8", "multipart/form-data; boundary=x", ""):
        assert _error(*call_wsgi(body=good, content_type=content_type))[:2] == (415, "unsupported_media_type")
    assert call_wsgi(body=good, content_type="application/x-www-form-urlencoded; charset=latin-1")[0] == 415

    for body in (
        urlencode({"token": "forged", "position": "3"}).encode(),
        urlencode({"position": "3"}).encode(),
        json.dumps({"token": 12, "position": 3}).encode(),
    ):
        kind = "application/json" if body.startswith(b"{") else FORM
        assert _error(*call_wsgi(body=body, content_type=kind))[:2] == (403, "bad_token")
    stale = urlencode({"token": _expired_token(enrollment, lecture, monkeypatch, 16 * 60), "position": "3"})
    status, code, message = _error(*call_wsgi(body=stale.encode()))
    assert (status, code) == (403, "expired")
    assert "reload the page" in message

    for body, kind, field in (
        (urlencode({"token": token, "position": "soon"}), FORM, "position:"),
        (urlencode({"token": token, "position": "3", "event": "skip"}), FORM, "event:"),
        (urlencode({"token": token, "position": "-1"}), FORM, "position:"),
        (urlencode({"token": token, "position": "9", "played_from": "x"}), FORM, "played_from:"),
        (json.dumps({"token": token, "position": [3]}), "application/json", "position:"),
        (json.dumps([token, 3]), "application/json", "body:"),
        ("{not json", "application/json", "body:"),
    ):
        status, code, message = _error(*call_wsgi(body=body.encode(), content_type=kind))
        assert (status, code) == (400, "invalid"), body
        assert message.startswith(field), (body, message)
    assert _error(*call_wsgi(body=b"\xff\xfe=1"))[0] == 400
    assert _error(*call_wsgi(body=good, CONTENT_LENGTH="lots"))[:2] == (400, "invalid")

    assert buffered(redis_buffer) == []


def test_a_token_too_old_for_the_lean_path_still_works_where_a_session_vouches_for_it(
    redis_buffer, enrollment, monkeypatch
):
    enrollment, lecture = enrollment
    token = _expired_token(enrollment, lecture, monkeypatch, 60 * 60)
    assert call_wsgi(body=urlencode({"token": token, "position": "3"}).encode())[0] == 403
    client = Client()
    client.force_login(enrollment.user)
    assert client.post("/progress/heartbeat/", {"token": token, "position": "3"}).status_code == 204


def test_a_buffer_that_cannot_be_reached_is_a_503_with_a_message(settings, enrollment):
    enrollment, lecture = enrollment
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    body = urlencode({"token": token_for(enrollment, lecture), "position": "3"}).encode()
    status, code, message = _error(*call_wsgi(body=body))
    assert (status, code) == (503, "unavailable")
    assert "next heartbeat" in message
    response = Client().post(beacon.BEAT_PATH, body, content_type=FORM)
    assert (response.status_code, response.json()["code"]) == (503, "unavailable")


def test_only_the_exact_path_skips_django(redis_buffer, enrollment):
    assert reverse("courses:beat") == beacon.BEAT_PATH  # the URLconf twin serves the same URL
    status, headers, _out = call_wsgi("GET", path="/healthz")
    assert status == 200 and headers.get("Allow") is None
    status, headers, _out = call_wsgi("GET", path="/progress/beat")
    assert status in (301, 404) and "application/json" not in headers.get("Content-Type", "")


REQUESTS = [  # method, content type, fields (+ the token unless "no_token")
    ("GET", "", None),
    ("POST", FORM, {"position": "3", "no_token": True}),
    ("POST", "text/plain", {"position": "3"}),
    ("POST", FORM, {"position": "soon"}),
    ("POST", "application/json", {"position": 3, "event": "pause"}),
    ("POST", FORM, {"position": "7", "played_from": "2", "event": "tick"}),
]


@pytest.mark.parametrize(("method", "content_type", "fields"), REQUESTS)
def test_the_django_view_answers_exactly_like_the_wsgi_app(
    redis_buffer, enrollment, method, content_type, fields
):
    enrollment, lecture = enrollment
    body = b""
    if fields is not None:
        fields = dict(fields)
        if not fields.pop("no_token", False):
            fields["token"] = token_for(enrollment, lecture)
        body = json.dumps(fields) if content_type == "application/json" else urlencode(fields)
        body = body.encode()
    status, headers, out = call_wsgi(method, body=body, content_type=content_type)
    client = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the body is the credential
    response = client.generic(method, beacon.BEAT_PATH, body, content_type=content_type)
    assert response.status_code == status
    assert response.content == out
    for name in ("Allow", "Cache-Control", "X-Content-Type-Options"):
        assert response.get(name) == headers.get(name)
    assert len(buffered(redis_buffer)) == (2 if status == 204 else 0)
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


# --- Host and HTTPS: the same rules as Django's pages ----------------------------------------------


def _beat_body(enrollment, lecture) -> bytes:
    return urlencode({"token": token_for(enrollment, lecture), "position": "5"}).encode()


def test_a_host_outside_allowed_hosts_is_a_400_like_djangos_and_buffers_nothing(
    redis_buffer, enrollment, settings
):
    enrollment, lecture = enrollment
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["omooc.example.org"]
    body = _beat_body(enrollment, lecture)
    for host in ("evil.example", "omooc.example.org.evil.example", "omooc.example.org:80@evil", ""):
        status, code, message = _error(*call_wsgi(body=body, HTTP_HOST=host, SERVER_NAME="evil.example"))
        assert (status, code) == (400, "bad_host"), host
        assert "Host" in message and "ALLOWED_HOSTS" in message
        assert Client().post(beacon.BEAT_PATH, body, content_type=FORM, HTTP_HOST=host).status_code == 400
    # Behind a proxy the forwarded host counts only where Django would read it.
    forwarded = {"HTTP_HOST": "evil.example", "HTTP_X_FORWARDED_HOST": "omooc.example.org"}
    assert call_wsgi(body=body, **forwarded)[0] == 400
    assert buffered(redis_buffer) == []
    settings.USE_X_FORWARDED_HOST = True
    assert call_wsgi(body=body, **forwarded)[0] == 204
    assert call_wsgi(body=body, HTTP_HOST="omooc.example.org")[0] == 204
    assert call_wsgi(body=body, HTTP_HOST="OMOOC.example.org:443")[0] == 204
    assert len(buffered(redis_buffer)) == 3


@pytest.fixture
def production_https(settings):
    """The production rules (omooc/settings.py): TLS ends at the proxy, which sets X-Forwarded-Proto."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["omooc.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


def test_in_production_a_plain_http_beat_is_redirected_to_https_as_django_would(
    redis_buffer, enrollment, production_https
):
    enrollment, lecture = enrollment
    body = _beat_body(enrollment, lecture)
    for plain in ({"HTTP_X_FORWARDED_PROTO": "http"}, {}):  # said by the proxy, or no proxy at all
        status, headers, out = call_wsgi(body=body, HTTP_HOST="omooc.example.org", **plain)
        response = Client().post(
            beacon.BEAT_PATH, body, content_type=FORM, HTTP_HOST="omooc.example.org", **plain
        )
        assert (status, headers["Location"]) == (301, "https://omooc.example.org/progress/beat/")
        assert (response.status_code, response["Location"]) == (status, headers["Location"])
    # the Host rule still comes first, as in Django: no redirect to a foreign host
    assert call_wsgi(body=body, HTTP_HOST="evil.example")[0] == 400
    assert buffered(redis_buffer) == []

    status, headers, _out = call_wsgi(
        body=body, HTTP_HOST="omooc.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert status == 204
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")
    assert len(buffered(redis_buffer)) == 1


def test_with_the_redirect_off_a_plain_http_beat_is_still_taken(
    redis_buffer, enrollment, production_https, settings
):
    settings.SECURE_SSL_REDIRECT = False
    enrollment, lecture = enrollment
    status, headers, _out = call_wsgi(body=_beat_body(enrollment, lecture), HTTP_HOST="omooc.example.org")
    assert status == 204 and "Strict-Transport-Security" not in headers
