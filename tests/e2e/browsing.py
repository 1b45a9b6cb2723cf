"""Helpers for browser tests: log in (through the form or with a session cookie), poll the page."""

from __future__ import annotations

import time
from urllib.parse import urlparse

from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD


def log_in(page, base: str, email: str, *, password: str = PASSWORD, language: str = "en") -> None:
    """Log in through the login form (English or Dutch labels)."""
    labels = {
        "en": ("Email address", "Password", "Log in", "Log out"),
        "nl": ("E-mailadres", "Wachtwoord", "Inloggen", "Uitloggen"),
    }[language]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(labels[0]).fill(email)
    page.get_by_label(labels[1]).fill(password)
    page.get_by_role("main").get_by_role("button", name=labels[2]).click()
    # Logged in: the log-out button exists (on a phone it sits in the closed header menu).
    page.get_by_role("button", name=labels[3], include_hidden=True).wait_for(state="attached")


def log_in_by_cookie(context, base: str, user) -> None:
    """Give a browser context a logged-in session for ``user`` without going through the form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "domain": urlparse(base).hostname, "path": "/"}]
    )


def wait_for(page, expression: str, timeout: float = 20.0):
    """Poll a JS expression from Python (wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {expression}")


def player_ready(page) -> None:
    wait_for(page, "document.getElementById('player').dataset.ready === 'true'")
