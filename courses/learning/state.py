"""A learner's enrollment and progress rows in a course, kept in Redis between page views (ADR 0031).

The course page, course API, lecture page and playback API each need the catalog version, the
learner's enrollment with its progress rows and (for a lecture) the newest buffered position. Warm,
these come from Redis in *one* round trip (a Lua script, ``read``): the catalog version, the learner's
*generation*, the stored rows and the position the stored enrollment points at. No query.

Correctness: every write of an enrollment or a progress row gives the learner a new generation
(``touch``: a fresh random value, at once and again after the commit). Stored rows carry the
generation read *before* the query that made them and the catalog version of that request, and are
used only while both are still current. A reader whose query ran before a write committed stored
them under a generation that the write's ``touch`` after the commit has replaced, so they are never
used. A catalog change (a lecture deleted with its progress, a course moved) moves the catalog
version, which the rows carry too. Generations are never reused (random), a missing one is created
before the query, and rows expire after ``STATE_TTL`` seconds whatever happens.

Writers (each proved by a test in ``tests/courses/learning/test_learner_state.py``): the
``Enrollment`` and ``LectureProgress`` signals (enroll, leave, nudge, admin or shell saves, cascading
deletes of a user or course), the progress flush's bulk upsert (``progress_apply``) and the course
completion's ``QuerySet.update`` (``certificate_issue``). A new writer that bypasses the signals
(``bulk_create``, ``update``) calls ``touch`` for the learners it changes.

Only with Redis as both ``REDIS_URL`` and the default cache (production); elsewhere every request
queries, as before.
"""

from __future__ import annotations

import logging
import pickle
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..catalog import cache as catalog_cache
from . import progress

logger = logging.getLogger(__name__)

STATE_TTL = 300
GENERATION_TTL = 3600  # longer than STATE_TTL: rows never outlive the generation they were read under
PREFIX = "omooc:learner"

# KEYS: catalog version, generation, stored rows, the progress buffer's latest positions.
# The stored value starts with "<enrollment id>:<lecture id>|": the position of that pair comes along.
_READ = """
local version = redis.call('GET', KEYS[1])
local generation = redis.call('GET', KEYS[2])
local stored = redis.call('GET', KEYS[3])
local latest = false
if stored then
  local e, l = string.match(stored, '^(%d+):(%d+)|')
  if e and e ~= '0' and l ~= '0' then latest = redis.call('HGET', KEYS[4], e .. ':' .. l) end
end
return {version, generation, stored, latest}
"""
_scripts: dict[str, object] = {}


@dataclass
class Read:
    """What one round trip found: ``rows`` (``None``: not stored or no longer valid) and, with them,
    the newest buffered position of the stored enrollment and lecture (``latest``, as
    ``progress.latest_position`` gives it)."""

    key: str
    generation: str
    version: str
    rows: list | None = None
    latest: tuple[float, float] | None = None


def _fast_path() -> str | None:
    """The catalog version's key as stored in Redis, when Redis is both ``REDIS_URL`` and the default
    cache (one script can then read both); else ``None``. Worked out once per cache object."""
    url = getattr(settings, "REDIS_URL", "")
    default = caches["default"]
    known = _version_keys.get(url)
    if known is not None and known[0] is default:
        return known[1]
    key = None
    if url and isinstance(default, RedisCache) and url in getattr(default, "_servers", ()):
        key = default.make_and_validate_key(catalog_cache.VERSION_KEY)
    _version_keys[url] = (default, key)
    return key


_version_keys: dict[str, tuple[object, str | None]] = {}


def enabled() -> bool:
    return _fast_path() is not None


def _client():
    return progress._redis(settings.REDIS_URL)


def _generation_key(user_id: int) -> str:
    return f"{PREFIX}:generation:{user_id}"


def read(user, ident: str) -> Read | None:
    """The stored rows of ``user`` under ``ident`` (what the page is found by: ``c:<course slug>``,
    ``l:<course slug>/<lecture slug>``, ``i:<lecture id>``), with the catalog version set for the
    request. ``None`` without the fast path (no Redis, anonymous, Redis unreachable)."""
    version_key = _fast_path() if user.is_authenticated else None
    if version_key is None:
        return None
    client = _client()
    key = f"{PREFIX}:rows:{user.pk}:{ident}"
    generation_key = _generation_key(user.pk)
    try:
        script = _scripts.get(settings.REDIS_URL)
        if script is None:
            script = _scripts.setdefault(settings.REDIS_URL, client.register_script(_READ))
        raw_version, generation, stored, latest = _run(
            script, client, [version_key, generation_key, key, progress.LATEST_KEY]
        )
        if generation is None:  # first visit, or expired: made before the query it will guard
            pipe = client.pipeline(transaction=False)
            pipe.set(generation_key, uuid.uuid4().hex, nx=True, ex=GENERATION_TTL)
            pipe.get(generation_key)
            generation = pipe.execute()[1]
    except Exception:  # noqa: BLE001 - Redis is an optimisation here; the database has the truth
        logger.warning("learner state unavailable", exc_info=True)
        return None
    version = catalog_cache.request_version(
        cache._cache._serializer.loads(raw_version) if raw_version is not None else None
    )
    found = Read(key=key, generation=(generation or b"").decode(), version=version)
    if stored is not None and generation:
        try:
            tag, _, blob = stored.split(b"|", 1)[1].partition(b"\n")
            if tag == f"{found.generation}|{version}".encode():
                rows = pickle.loads(blob)  # noqa: S301 - our own value, like Django's cache
                found.latest = _position(latest)
                found.rows = rows
        except Exception:  # noqa: BLE001 - an unreadable entry is a miss (and is overwritten)
            logger.warning("learner state: unreadable entry %s", key, exc_info=True)
            found.rows, found.latest = None, None
    return found


def _run(script, client, keys: list[str]) -> list:
    """``script(keys=keys, client=client)``, the EVALSHA written here and sent on a pooled connection
    (redis-py's packing of the command was a fifth of ``read``'s CPU). A script Redis no longer has
    (a restart, ``SCRIPT FLUSH``) or a broken connection goes through redis-py after all, which loads
    the script or connects again; an error the script answers is raised as redis-py raises it."""
    parts = [b"EVALSHA", script.sha.encode(), b"%d" % len(keys), *(key.encode() for key in keys)]
    packed = b"".join([b"*%d\r\n" % len(parts), *(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)])
    pool = client.connection_pool
    connection = pool.get_connection("EVALSHA")
    lost_script = False
    try:
        connection.send_packed_command([packed])
        return connection.read_response()
    except NoScriptError:  # the answer was read whole: the connection is fine; redis-py loads the script
        lost_script = True
    except ResponseError:
        raise  # the script's own error, read whole like any answer
    except (RedisConnectionError, RedisTimeoutError, OSError):
        connection.disconnect()  # whatever was half sent or half read goes with it
    except BaseException:
        connection.disconnect()
        raise
    finally:
        pool.release(connection)
    logger.info("learner state through redis-py: %s", "script reloaded" if lost_script else "reconnected")
    return script(keys=keys, client=client)


def _position(raw: bytes | None) -> tuple[float, float] | None:
    """A buffered position as ``progress.RedisBuffer.latest`` reads it."""
    if not raw:
        return None
    position, at = raw.decode().split()
    return float(position), float(at)


def store(found: Read | None, *, rows: list, enrollment_id: int, lecture_id: int) -> None:
    """Keep ``rows`` (as the query returned them) under the generation and version ``found`` read."""
    if found is None or not found.generation or found.version == "none":
        return
    head = f"{enrollment_id}:{lecture_id}|{found.generation}|{found.version}\n".encode()
    try:
        _client().set(found.key, head + pickle.dumps(rows, pickle.HIGHEST_PROTOCOL), ex=STATE_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("learner state not stored", exc_info=True)


def _renew(user_ids: frozenset[int]) -> None:
    try:
        pipe = _client().pipeline(transaction=False)
        for user_id in user_ids:
            pipe.set(_generation_key(user_id), uuid.uuid4().hex, ex=GENERATION_TTL)
        pipe.execute()
    except Exception:  # noqa: BLE001
        logger.warning("learner state: generation not renewed for users %s", sorted(user_ids), exc_info=True)


def touch(*user_ids: int) -> None:
    """After a write of these learners' enrollments or progress: stored rows are not used again."""
    ids = frozenset(user_id for user_id in user_ids if user_id)
    if not ids or not getattr(settings, "REDIS_URL", ""):
        return
    _renew(ids)
    transaction.on_commit(lambda: _renew(ids))


def _enrollment_changed(sender, instance, **kwargs) -> None:
    touch(instance.user_id)


def _progress_changed(sender, instance, origin=None, **kwargs) -> None:
    from ..models import Enrollment, LectureProgress

    if not getattr(settings, "REDIS_URL", ""):
        return  # nothing stored anywhere: no learner to look up
    if sender is LectureProgress and kwargs.get("signal") is post_delete and origin is not None:
        started = origin.model if hasattr(origin, "model") else type(origin)
        if started is not LectureProgress:
            return  # a cascade: the enrollment's own signal or the catalog version covers it
    if LectureProgress.enrollment.is_cached(instance):
        touch(instance.enrollment.user_id)
    else:
        touch(*Enrollment.objects.filter(pk=instance.enrollment_id).values_list("user_id", flat=True))


def connect() -> None:
    from ..models import Enrollment, LectureProgress

    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(
            _enrollment_changed, sender=Enrollment, dispatch_uid=f"learner-state-enrollment-{name}"
        )
        signal.connect(
            _progress_changed, sender=LectureProgress, dispatch_uid=f"learner-state-progress-{name}"
        )
