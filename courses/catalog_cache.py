"""Cache of the public catalog (the anonymous catalog page's course list and the catalog API's
pages): the same for every visitor, so it is built once per catalog version instead of per request.

Correctness: every cache key carries the catalog *version*; saving or deleting a course, lecture or
theme (or the producers' publish/archive services, which save) moves the version at once and again
after the transaction commits, so no page computed from the old rows is served after the change.
Scheduled publication (``published_at`` in the future) needs no write, so entries also expire after
``TTL_SECONDS``: a scheduled course appears within a minute of its time. Caching never changes what a
page shows: a cache outage only costs the queries (Django's cache errors propagate, so the version
lookup falls back to building the page).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
TTL_SECONDS = 60
T = TypeVar("T")


def version() -> str:
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        current = cache.get(VERSION_KEY) or "none"
    return current


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached(name: str, parts: tuple, build: Callable[[], T]) -> T:
    """``build()``'s result for this catalog version and these parts (filters, page, language...)."""
    try:
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        key = f"catalog:{version()}:{name}:{digest}"
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the database has the truth
        logger.warning("catalog cache unavailable", exc_info=True)
        return build()
    if value is None:
        value = build()
        cache.set(key, value, timeout=TTL_SECONDS)
    return value


def _changed(**kwargs) -> None:
    invalidate()
    # A request that read the old rows between the save and the commit may have cached them under
    # the new version: move it again once the change is visible to everyone.
    transaction.on_commit(invalidate)


def connect() -> None:
    from .models import Course, Lecture, Theme

    for model in (Course, Lecture, Theme):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-cache-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-cache-delete-{model.__name__}")
