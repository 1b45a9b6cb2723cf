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


# --- One client address rule (TRUSTED_PROXY_COUNT) for pages and the API --------------------------

TOKEN_URL = "/api/v1/auth/token/"


def _token_attempt(client, *, forwarded: str, remote: str = "198.51.100.20"):
    return client.post(
        TOKEN_URL,
        {"email": "ada@example.org", "password": "guess"},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=remote,
    )


def test_a_new_fake_forwarded_address_per_token_request_does_not_escape_the_throttle(client, settings):
    """Behind one trusted proxy (nginx appends the real address), what the client itself puts in
    X-Forwarded-For must not change who it is to the throttle."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ada@example.org")
    statuses = [_token_attempt(client, forwarded=f"10.9.{n}.{n}, 203.0.113.7").status_code for n in range(30)]
    assert statuses[:20] == [400] * 20
    assert set(statuses[20:]) == {429}
    blocked = _token_attempt(client, forwarded="10.99.99.99, 203.0.113.7")
    body = blocked.json()
    assert blocked.status_code == 429
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == "throttled"
    assert body["extra"]["retry_after_seconds"] > 0


def test_the_token_throttle_and_the_login_limiter_see_the_same_client(client, settings):
    """Another real client behind the same proxy is not blocked by the first one's guesses."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(21):
        _token_attempt(client, forwarded=f"10.0.0.{n}, 203.0.113.7")
    assert _token_attempt(client, forwarded="10.0.0.1, 203.0.113.7").status_code == 429
    assert _token_attempt(client, forwarded="10.0.0.1, 203.0.113.8").status_code == 400
    # The login form's limiter picks the same address from the same header.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/m"}
    url = reverse("accounts:login")
    codes = [
        client.post(
            url,
            {"username": "a@example.org", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.1.{n}, 203.0.113.9",
            REMOTE_ADDR="198.51.100.20",
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [_token_attempt(client, forwarded=f"203.0.113.{n}").status_code for n in range(21)]
    assert statuses[-1] == 429
    assert _token_attempt(client, forwarded="203.0.113.99", remote="198.51.100.21").status_code == 400


def test_the_shipped_nginx_config_and_the_production_proxy_count_agree(settings):
    """deploy/nginx.conf decides what X-Forwarded-For Django sees; the production default of
    TRUSTED_PROXY_COUNT must then pick the address nginx saw, whatever the client sent."""
    import re
    from pathlib import Path

    from django.test import RequestFactory

    from omooc.ratelimit import client_ip

    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    proxied = re.findall(r"location\s+(\S+)\s*\{([^}]*proxy_pass\s+http://omooc_web[^}]*)\}", conf)
    assert proxied, "nginx.conf proxies nothing to the web service"
    settings_source = (Path(settings.BASE_DIR) / "omooc" / "settings.py").read_text()
    default = re.search(
        r'TRUSTED_PROXY_COUNT = env\.int\("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else (\d+)\)',
        settings_source,
    )
    assert default, "TRUSTED_PROXY_COUNT's production default moved; update this test"
    compose = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    assert "TRUSTED_PROXY_COUNT" not in compose or "TRUSTED_PROXY_COUNT: 1" in compose
    settings.TRUSTED_PROXY_COUNT = 1  # production default, nginx the only proxy (docker-compose.yml)
    real, spoofed = "203.0.113.7", "10.1.2.3, 10.4.5.6"
    for location, block in proxied:
        header = re.search(r"proxy_set_header\s+X-Forwarded-For\s+(\S+?);", block)
        assert header, f"nginx location {location} passes on X-Forwarded-For unset"
        value = header.group(1)
        # What gunicorn receives, as nginx builds it from the client's own header.
        forwarded = {
            "$remote_addr": real,
            "$proxy_add_x_forwarded_for": f"{spoofed}, {real}",
        }.get(value)
        assert forwarded is not None, f"nginx location {location}: unknown X-Forwarded-For {value}"
        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="172.18.0.5")
        assert client_ip(request) == real, (location, value)
        # nginx as the edge: the client's own header never reaches Django.
        assert value == "$remote_addr", f"nginx location {location} passes on the client's X-Forwarded-For"
