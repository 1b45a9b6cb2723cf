"""Every studio page, whatever layout it extends (production/_page.html, production/_item.html, the
studio layout): one <h1>, its own <title>, one <main>, the studio menu."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from . import factories
from .factories import SpeakerFactory, make_session
from .test_pages import GENERAL, _pages

pytestmark = pytest.mark.django_db


def _landmarks(html: str) -> dict:
    return {
        "h1": len(re.findall(r"<h1[ >]", html)),
        "title": bool(re.search(r"<title>\s*\S.* · OMOOC</title>", html)),
        "main": len(re.findall(r"<main[ >]", html)),
        "studio menu": len(re.findall(r'<nav class="studio-nav"', html)),
    }


def test_every_studio_page_has_one_heading_its_title_one_main_and_the_menu(client, production, member):
    speaker = SpeakerFactory()
    items = {
        "session": make_session(production, speakers=[speaker]),
        "pretalk": factories.make_phone_pretalk(production, speakers=[speaker]),
    }
    client.force_login(member)
    urls = _pages(production, items) + [reverse(name) for name in GENERAL]
    urls += [
        reverse("production:email_log"),
        reverse("production:portfolio"),
        reverse("production:email_speaker", args=[speaker.pk]),
        reverse("production:speaker", args=[speaker.pk]),
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        expected = {"h1": 1, "title": True, "main": 1, "studio menu": 1}
        assert _landmarks(response.content.decode()) == expected, url
