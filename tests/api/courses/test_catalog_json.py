"""The catalog API answers plain JSON as text written once per catalog version (ADR 0031)."""

from __future__ import annotations

import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_the_catalog_api_writes_the_same_json_as_drfs_renderer_and_a_change_shows_at_once():
    CourseFactory(title="Data “quoted” \u2028 line", language="en")
    CourseFactory(title="Leiderschap", language="nl")
    api = APIClient()
    url = "/api/v1/courses/"
    cold, warm = api.get(url), api.get(url)
    rendered = api.get(url, HTTP_ACCEPT="application/json; indent=2")  # through JSONRenderer
    assert cold["Content-Type"] == warm["Content-Type"] == "application/json"
    assert cold.content == warm.content
    assert warm.content == JSONRenderer().render(json.loads(rendered.content))
    assert b"\\u2028" in warm.content
    assert api.get(url + "?language=en").json()["count"] == 1
    CourseFactory(title="Nieuw", language="nl")  # a save moves the catalog version
    assert api.get(url).json()["count"] == 3
