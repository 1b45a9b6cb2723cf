"""Cache of what every visitor of the public catalog sees alike: the catalog page's course list and the
catalog API's pages, a published course's outline (lectures, durations, presenters) and a published
lecture's media (current video, captions, neighbours). Built once per catalog version instead of per
request; what is personal (enrollment, progress, signed URLs) is never cached here.

Correctness: every cache key carries the catalog *version*; saving or deleting a course, lecture,
theme, video, caption, presenter, speaker profile or module (or the services, which save;
``changed()`` for bulk writes that send no signals) moves the version at once and again after the
transaction commits, so no page computed from the old rows is served after the change.
Scheduled publication (``published_at`` in the future) needs no write, so entries also expire after
``TTL_SECONDS``: a scheduled course appears within a minute of its time. Caching never changes what a
page shows: a cache outage only costs the queries (Django's cache errors propagate, so the version
lookup falls back to building the page).

Each process also keeps its own copies of the current version's entries (``_Memo``), so a warm page
costs one cache round trip (the version) instead of one per entry plus unpickling. They expire with
the shared entry, and a new version drops them.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
TTL_SECONDS = 60
T = TypeVar("T")


# The version a request reads, read once per request: every entry it uses then comes from the same
# version, and a page that uses several costs one round trip. Kept only between Django's
# request_started and request_finished (``connect``); outside a request it is read every time.
_request = Local()


def version() -> str:
    current = getattr(_request, "version", None)
    if current is not None:
        return current
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        current = cache.get(VERSION_KEY) or "none"
    if getattr(_request, "active", False):
        _request.version = current
    return current


def request_version(found: str | None) -> str:
    """The version for this request, given the one just read from the cache along with something
    else (one round trip for both: ``courses.learning.state``): the request keeps the first version
    it saw; a missing version is made as ``version()`` makes it."""
    current = getattr(_request, "version", None)
    if current is not None:
        return current
    if found is None:
        return version()
    if getattr(_request, "active", False):
        _request.version = found
    return found


def invalidate() -> None:
    new = uuid.uuid4().hex
    cache.set(VERSION_KEY, new, timeout=None)
    if getattr(_request, "active", False):
        _request.version = new


def _request_started(**kwargs) -> None:
    _request.active, _request.version = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.version = False, None


class _Memo:
    """This process's copies of entries of the current catalog version: a hit costs no cache round
    trip and no unpickling. Entries keep the shared entry's expiry; a new version empties the memo
    (the old keys can never be asked for again). Values are shared by every request of the process,
    so callers treat them as read-only."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.version = ""
        self.entries: dict[str, tuple[float, object]] = {}

    def get(self, current: str, key: str, now: float):
        if current != self.version:
            self.version, self.entries = current, {}
            return None
        hit = self.entries.get(key)
        if hit is None or hit[0] <= now:
            return None
        return hit[1]

    def put(self, current: str, key: str, expires: float, value: object) -> None:
        if current != self.version:
            self.version, self.entries = current, {}
        if len(self.entries) >= self.size:
            self.entries.clear()  # a bounded memo: pages, languages and filters beyond it are rebuilt
        self.entries[key] = (expires, value)


MEMO_SIZE = 512
_memo = _Memo(MEMO_SIZE)


def cached(name: str, parts: tuple, build: Callable[[], T]) -> T:
    """``build()``'s result for this catalog version and these parts (filters, page, language...)."""
    try:
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        current = version()
        key = f"catalog:{current}:{name}:{digest}"
        now = time.time()
        remembered = current != "none"  # "none": a cache that keeps nothing (no version to trust)
        value = _memo.get(current, key, now) if remembered else None
        if value is not None:
            return value
        stored = cache.get(key)  # (expires at, value): a process's copy expires with the shared one
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the database has the truth
        logger.warning("catalog cache unavailable", exc_info=True)
        return build()
    if stored is None:
        value = build()
        if value is None:
            return value  # nothing published there (a draft, a typo): asked again next time
        stored = (now + TTL_SECONDS, value)
        cache.set(key, stored, timeout=TTL_SECONDS)
    if remembered:
        _memo.put(current, key, *stored)
    return stored[1]


def changed(**kwargs) -> None:
    """Call after a write the signals do not see (``bulk_create``, ``QuerySet.update``)."""
    invalidate()
    # A request that read the old rows between the save and the commit may have cached them under
    # the new version: move it again once the change is visible to everyone.
    transaction.on_commit(invalidate)


def connect() -> None:
    from ..models import Caption, Course, Lecture, LecturePresenter, Module, PresenterProfile, Theme, Video

    request_started.connect(_request_started, dispatch_uid="catalog-cache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="catalog-cache-request-finished")
    for model in (Course, Lecture, Theme, Video, Caption, LecturePresenter, PresenterProfile, Module):
        post_save.connect(changed, sender=model, dispatch_uid=f"catalog-cache-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"catalog-cache-delete-{model.__name__}")
