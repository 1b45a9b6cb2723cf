from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


def test_a_token_from_email_and_password_authenticates_later_requests():
    user = UserFactory(email="api@example.org")
    client = APIClient()
    response = client.post(TOKEN_URL, {"email": "API@example.org", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["is_producer"] is False


def test_wrong_credentials_get_the_error_envelope():
    UserFactory(email="api@example.org")
    response = APIClient().post(TOKEN_URL, {"email": "api@example.org", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Email address or password is wrong.",
        "code": "invalid_credentials",
        "extra": {},
    }


def test_invalid_input_names_the_field_in_the_envelope():
    response = APIClient().post(TOKEN_URL, {"email": "not-an-email"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert set(body["extra"]["fields"]) == {"email", "password"}
    assert body["message"].startswith("email:")


def test_unauthenticated_requests_get_401_in_the_envelope():
    response = APIClient().get(ME_URL)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"]


def test_a_bad_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_requests_are_rate_limited(settings):
    client = APIClient()
    statuses = [
        client.post(TOKEN_URL, {"email": "x@example.org", "password": "x"}, format="json").status_code
        for _ in range(25)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[-1] == 429
    assert (
        client.post(TOKEN_URL, {"email": "x@example.org", "password": "x"}, format="json").json()["extra"][
            "retry_after_seconds"
        ]
        > 0
    )
