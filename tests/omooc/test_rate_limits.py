from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_login_attempts_are_limited_per_address_and_say_when_to_retry(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/m"}
    UserFactory(email="ada@example.org")
    url = reverse("accounts:login")
    statuses = [
        client.post(url, {"username": "ada@example.org", "password": "wrong"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    blocked = client.post(
        url, {"username": "ada@example.org", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Reading the page stays possible.
    assert client.get(url).status_code == 200


def test_another_address_is_not_blocked(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/m"}
    url = reverse("accounts:login")
    client.post(url, {"username": "a@example.org", "password": "x"}, REMOTE_ADDR="10.0.0.1")
    assert (
        client.post(url, {"username": "a@example.org", "password": "x"}, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    assert (
        client.post(url, {"username": "a@example.org", "password": "x"}, REMOTE_ADDR="10.0.0.2").status_code
        == 200
    )


def test_password_reset_requests_are_limited(client, settings, mailoutbox):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/m"}
    UserFactory(email="reset@example.org")
    url = reverse("accounts:password_reset")
    codes = [client.post(url, {"email": "reset@example.org"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_speaker_links_are_limited_per_address_even_for_unknown_tokens(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "speaker_link": "3/m"}
    codes = [client.get(f"/s/guess-{n}/").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
