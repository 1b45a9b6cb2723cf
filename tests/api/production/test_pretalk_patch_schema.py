"""A pre-talk's video link as the schema documents it: a URI (RFC 3986, `format: uri`) or "".

Django's URLValidator also takes IRIs and unescaped characters (``http://exämple.com``,
``http://example.com/a|b``); saved as sent, a PATCH answered 200 with a ``video_link`` outside its
own response schema (found by tests/api/test_schemathesis.py). Such a link is now a 400."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.production.factories import SpeakerFactory, make_phone_pretalk

pytestmark = pytest.mark.django_db

CHECKS = [status_code_conformance, response_schema_conformance]
NOT_URIS = [
    "http://exämple.com",
    "http://example.com/ä",
    "http://example.com/%zz",
    "http://example.com/a|b",
    "http://example.com/{x}",
    "http://example.com/a^b",
    "http://example.com/a\\b",
    "http://example.com/`",
    'http://example.com/"',
]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from omooc.wsgi import application

    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def wsgi(settings):
    """Calls through the real WSGI handler, which must not close the test's connection."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _patch(schema, pretalk, member, body):
    operation = schema["/api/v1/production/pretalks/{id}/"]["PATCH"]
    case = operation.Case(path_parameters={"id": str(pretalk.pk)}, body=body, media_type="application/json")
    token = Token.objects.get_or_create(user=member)[0].key
    return case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@pytest.mark.parametrize("link", NOT_URIS)
def test_a_link_that_is_no_uri_is_refused_and_every_answer_holds_the_schema(
    link, schema, wsgi, production, member
):
    pretalk = make_phone_pretalk(production, speakers=[SpeakerFactory()])

    response = _patch(schema, pretalk, member, {"video_link": link})

    assert response.status_code == 400
    assert "video_link" in response.json()["extra"]["fields"]
    pretalk.refresh_from_db()
    assert pretalk.video_link == ""


@pytest.mark.parametrize("link", ["https://meet.example.com/room-1?pwd=a%20b#x", ""])
def test_a_uri_or_nothing_is_saved_and_answered_in_the_schema(link, schema, wsgi, production, member):
    pretalk = make_phone_pretalk(production, speakers=[SpeakerFactory()], video_link="https://x.example")

    response = _patch(schema, pretalk, member, {"video_link": link})

    assert response.status_code == 200
    assert response.json()["video_link"] == link
    pretalk.refresh_from_db()
    assert pretalk.video_link == link
