"""``pages.never_cached`` answers with the headers of Django's ``never_cache`` (written at once)."""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.decorators.cache import never_cache

from courses.learning import pages


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Cache-Control": "public, max-age=60"},
        {"Expires": "Thu, 01 Jan 2099 00:00:00 GMT"},
        {"Vary": "Cookie"},
    ],
)
def test_never_cached_answers_as_never_cache(headers, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.5)

    def view(request):
        return HttpResponse("x", headers=headers)

    request = RequestFactory().get("/")
    ours, django = pages.never_cached(view)(request), never_cache(view)(request)
    assert ours.headers == django.headers
    assert "no-store" in ours["Cache-Control"]
    assert pages.never_cached(view).__name__ == "view"
