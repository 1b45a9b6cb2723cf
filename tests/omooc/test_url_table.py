"""Every URL name and the path it stands for, pinned: a reorganised URL conf (helpers, ``include()``)
must leave each name, namespace and path as it was, so every ``reverse`` gives the same address and
every address reaches the same view.

``url_table.json`` is the table as it was written down; a route added, renamed or moved on purpose
updates it in the same change."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from tests.support.authz import walk_patterns

TABLE = Path(__file__).with_name("url_table.json")

# A value per path converter, to reverse every name whose route has only converters (no regex).
SAMPLES = {"int": 7, "slug": "a-slug", "str": "a-key", "uuid": uuid.UUID(int=7), "path": "a/b.m3u8"}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _named_routes() -> list[tuple[str, str]]:
    return sorted((name, route) for name, route, _view in walk_patterns() if "<unnamed" not in name)


def test_every_url_name_stands_for_the_path_it_always_had():
    assert _named_routes() == sorted(json.loads(TABLE.read_text()).items())


@pytest.mark.parametrize(
    ("name", "route"), [(n, r) for n, r in json.loads(TABLE.read_text()).items() if "^" not in r]
)
def test_a_name_reverses_to_its_pinned_path_and_the_path_resolves_to_the_name(name, route):
    kwargs = {m["name"]: SAMPLES[m["converter"] or "str"] for m in CONVERTER.finditer(route)}
    path = "/" + CONVERTER.sub(lambda m: str(SAMPLES[m["converter"] or "str"]), route)
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name
