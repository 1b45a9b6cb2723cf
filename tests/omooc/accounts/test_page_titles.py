"""The simple pages (templates/layouts/page.html, layouts/form.html) are titled and headed by the view's
`title`: one <h1>, and the <title> says the same (the sign-up page heads itself otherwise), in both
languages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    # (url, status, <title> and <h1> in English)
    (reverse("accounts:login"), 200, "Log in", "Log in"),
    (reverse("accounts:signup"), 200, "Sign up", "Create your account"),
    (reverse("accounts:signup_sent"), 200, "Check your email", "Check your email"),
    (reverse("accounts:password_reset"), 200, "Reset your password", "Reset your password"),
    (reverse("accounts:password_reset_done"), 200, "Check your email", "Check your email"),
    (reverse("accounts:password_reset_complete"), 200, "Password changed", "Password changed"),
    (
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "no-token"}),
        200,
        "This link no longer works",
        "This link no longer works",
    ),
    (
        reverse("accounts:signup_confirm", kwargs={"uidb64": "MQ", "token": "no-token"}),
        400,
        "This link no longer works",
        "This link no longer works",
    ),
    ("/no-such-page/", 404, "Page not found", "Page not found"),
]


def _title_and_headings(html: str) -> tuple[str, list[str]]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    return title, [h.strip() for h in re.findall(r"<h1>(.*?)</h1>", html, re.S)]


@pytest.mark.parametrize(("url", "status", "title", "heading"), PAGES)
def test_a_simple_page_has_its_title_and_one_heading(client, url, status, title, heading):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert _title_and_headings(response.content.decode()) == (f"{title} · OMOOC", [heading])


@pytest.mark.parametrize(("url", "status", "title", "heading"), PAGES)
def test_the_title_is_translated(client, url, status, title, heading):
    english = _title_and_headings(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    dutch = _title_and_headings(client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode())
    assert dutch[0] != english[0] and len(dutch[1]) == 1 and dutch[1] != english[1]
