"""Cache of what every visitor of the public catalog sees alike: the catalog page's course list and the
catalog API's pages, a published course's outline (lectures, durations, presenters) and a published
lecture's media (current video, captions, neighbours). Built once per catalog version instead of per
request; what is personal (enrollment, progress, signed URLs) is never cached here.

Correctness: every cache key carries the catalog *version*; saving or deleting a course, lecture,
theme, video, caption or presenter (or the services, which save; ``changed()`` for bulk writes that
send no signals) moves the version at once and again after the transaction commits, so no page
computed from the old rows is served after the change.
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


def changed(**kwargs) -> None:
    """Call after a write the signals do not see (``bulk_create``, ``QuerySet.update``)."""
    invalidate()
    # A request that read the old rows between the save and the commit may have cached them under
    # the new version: move it again once the change is visible to everyone.
    transaction.on_commit(invalidate)


def connect() -> None:
    from ..models import Caption, Course, Lecture, LecturePresenter, Theme, Video

    for model in (Course, Lecture, Theme, Video, Caption, LecturePresenter):
        post_save.connect(changed, sender=model, dispatch_uid=f"catalog-cache-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"catalog-cache-delete-{model.__name__}")
