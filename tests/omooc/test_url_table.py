"""Every URL name and the path it stands for, pinned: a reorganised URL conf (helpers, ``include()``)
must leave each name, namespace and path as it was, so every ``reverse`` gives the same address.

``url_table.json`` is the table as it was written down; a route added, renamed or moved on purpose
updates it in the same change."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

TABLE = Path(__file__).with_name("url_table.json")

# A value per path converter, to reverse every name that has only converters in its route.
SAMPLES = {"int": 7, "slug": "a-slug", "str": "a-key", "uuid": uuid.UUID(int=7), "path": "a/b.m3u8"}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(resolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            only_routes = isinstance(pattern.pattern, RoutePattern)
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), only_routes


def test_every_url_name_stands_for_the_path_it_always_had():
    names = sorted((name, route) for name, route, _routes in _walk(get_resolver()))
    assert names == sorted(json.loads(TABLE.read_text()).items())


def _sample_kwargs(route: str) -> dict:
    return {m["name"]: SAMPLES[m["converter"] or "str"] for m in CONVERTER.finditer(route)}


def _filled(route: str) -> str:
    return "/" + CONVERTER.sub(lambda m: str(SAMPLES[m["converter"] or "str"]), route)


@pytest.mark.parametrize(
    ("name", "route"),
    sorted((name, route) for name, route, routes in _walk(get_resolver()) if routes and "^" not in route),
)
def test_reversing_a_name_gives_its_pinned_path(name, route):
    assert reverse(name, kwargs=_sample_kwargs(route)) == _filled(route)
