"""The heartbeat buffer: the request path appends, a beat task flushes to the database in bulk.

A heartbeat carries a *playback token* (signed when the lecture page or the playback API answers:
enrollment, lecture, learner, duration), so accepting one needs no database query at all. It is
appended to Redis (``REDIS_URL``) with one round trip, together with the learner's latest position
for cross-device resume. Without Redis (the embedded default) it is appended to a local file under a
lock and the latest position goes to the default cache.

``drain(handle)`` moves the buffer aside atomically, hands the entries to ``handle`` (the
``progress_apply`` service) and only then deletes them; a crash in between leaves the moved batch
for the next flush, and applying a batch twice changes nothing (entries not newer than a row's last
heartbeat are ignored).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from redis.exceptions import RedisError

from omooc.exceptions import AccessDeniedError, ApplicationError

from ..media.access import seal, unseal

logger = logging.getLogger(__name__)

PLAYBACK_SALT = "courses.playback"
# Where a session is the second credential (the form beacon, the API): a day.
PLAYBACK_TOKEN_MAX_AGE = 24 * 60 * 60
# Where the token is the only credential (``POST /progress/beat/``, ADR 0009): short, and the player
# renews it with its media URLs, so logging out or losing the session stops the beats soon.
BEAT_TOKEN_MAX_AGE = 15 * 60
EVENTS = frozenset({"play", "tick", "pause", "seek", "end", "hide"})
BUFFER_KEY = "omooc:progress:buffer"
PROCESSING_KEY = "omooc:progress:processing"
LATEST_KEY = "omooc:progress:latest"
LOCK_KEY = "omooc:progress:flush-lock"


class BufferUnavailableError(ApplicationError):
    status_code = 503
    default_code = "unavailable"


@dataclass(frozen=True)
class PlaybackClaims:
    enrollment_id: int
    lecture_id: int
    user_id: int
    duration: float


def playback_token(*, enrollment_id: int, lecture_id: int, user_id: int, duration: float) -> str:
    """The heartbeat's credential, sealed with its time of issue (``media.access.seal``)."""
    duration = round(float(duration or 0), 3)
    return seal(
        f"{enrollment_id}:{lecture_id}:{user_id}:{duration!r}:{int(time.time())}", purpose=PLAYBACK_SALT
    )


def beat_token_max_age() -> int:
    """Age limit of a token that is the only credential: outlives a few renewals by the player
    (every ``MEDIA_URL_TTL / 2``), whatever the media TTL is set to."""
    return max(BEAT_TOKEN_MAX_AGE, 2 * int(settings.MEDIA_URL_TTL))


def read_playback_token(
    token: str, *, user_id: int | None, max_age: int = PLAYBACK_TOKEN_MAX_AGE
) -> PlaybackClaims:
    """The claims of a playback token; ``user_id=None`` when the token alone authorises (it names
    its learner itself)."""
    try:
        if ":" in token:  # signed by signing.dumps before ADR 0031's seal
            e, lecture, user, duration = signing.loads(token, salt=PLAYBACK_SALT, max_age=max_age)
        else:
            text = unseal(token, purpose=PLAYBACK_SALT)
            if text is None:
                raise signing.BadSignature
            e, lecture, user, duration, issued = text.split(":")
            if time.time() - int(issued) > max_age:
                raise signing.SignatureExpired
    except signing.SignatureExpired as exc:
        raise AccessDeniedError("The playback session expired; reload the page.", code="expired") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise AccessDeniedError("token: not a valid playback token.", code="bad_token") from exc
    if user_id is not None and int(user) != user_id:
        raise AccessDeniedError("This playback token belongs to someone else.", code="not_yours")
    return PlaybackClaims(int(e), int(lecture), int(user), float(duration))


def _number(value, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(f"{field}: give a number of seconds.", code="invalid") from exc
    if number != number or number < 0 or number > 7 * 24 * 3600:  # NaN, negative, absurd
        raise ApplicationError(f"{field}: give a number of seconds of at least 0.", code="invalid")
    return number


def parse_beat(*, position, played_from, event) -> tuple[float, float | None, str]:
    """Check a heartbeat's fields; errors name the field."""
    if not isinstance(event, str) or event not in EVENTS:  # a JSON list or object is not an event
        raise ApplicationError(f"event: use one of {', '.join(sorted(EVENTS))}.", code="invalid")
    position = _number(position, "position")
    start = None if played_from in (None, "") else _number(played_from, "played_from")
    return position, start, event


@dataclass(frozen=True)
class Beat:
    """One buffered heartbeat: the enrollment and lecture its token names, the lecture's duration as
    signed, the position reached, where the stretch played since the previous beat started
    (``None``: not playing), when it arrived (unix time) and the player's event.

    The buffer stores it as compact JSON with one-letter keys (``to_entry``); ``from_entry`` is the
    one place that reads that format back."""

    enrollment_id: int
    lecture_id: int
    duration: float
    position: float
    played_from: float | None
    at: float
    event: str = "tick"

    def to_entry(self) -> dict:
        return {
            "e": self.enrollment_id,
            "l": self.lecture_id,
            "d": self.duration,
            "p": self.position,
            "f": self.played_from,
            "t": self.at,
            "ev": self.event,
        }

    @classmethod
    def from_entry(cls, entry: Mapping | Beat) -> Beat:
        if isinstance(entry, Beat):
            return entry
        start = entry.get("f")
        return cls(
            enrollment_id=int(entry["e"]),
            lecture_id=int(entry["l"]),
            duration=float(entry.get("d") or 0),
            position=float(entry["p"]),
            played_from=None if start is None else float(start),
            at=float(entry["t"]),
            event=entry.get("ev", "tick"),
        )

    @property
    def key(self) -> tuple[int, int]:
        return (self.enrollment_id, self.lecture_id)


def make_entry(*, claims: PlaybackClaims, position, played_from, event: str, at: float | None = None) -> dict:
    """Validate one heartbeat and turn it into a buffer entry (no database access)."""
    position, start, event = parse_beat(position=position, played_from=played_from, event=event)
    if claims.duration:
        position = min(position, claims.duration)
    if start is not None:
        start = min(start, position)
    beat = Beat(
        enrollment_id=claims.enrollment_id,
        lecture_id=claims.lecture_id,
        duration=claims.duration,
        position=round(position, 3),
        played_from=None if start is None else round(start, 3),
        at=round(time.time() if at is None else at, 3),
        event=event,
    )
    return beat.to_entry()


# --- Buffers -------------------------------------------------------------------------------------


_redis_clients: dict[str, object] = {}


def _redis(url: str):
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        _redis_clients[url] = client
    return client


class RedisBuffer:
    def __init__(self, url: str) -> None:
        self.client = _redis(url)

    def append(self, entry: dict) -> None:
        beat = Beat.from_entry(entry)
        pipe = self.client.pipeline(transaction=False)
        pipe.rpush(BUFFER_KEY, json.dumps(entry, separators=(",", ":")))
        pipe.hset(LATEST_KEY, f"{beat.enrollment_id}:{beat.lecture_id}", f"{beat.position} {beat.at}")
        pipe.execute()

    def latest(self, enrollment_id: int, lecture_id: int) -> tuple[float, float] | None:
        raw = self.client.hget(LATEST_KEY, f"{enrollment_id}:{lecture_id}")
        if not raw:
            return None
        position, at = raw.decode().split()
        return float(position), float(at)

    def pending(self) -> int:
        return int(self.client.llen(BUFFER_KEY)) + int(self.client.llen(PROCESSING_KEY))

    def drain(self, handle: Callable[[list[dict]], None]) -> int:
        lock = str(uuid.uuid4())
        if not self.client.set(LOCK_KEY, lock, nx=True, ex=300):
            return 0  # another flush runs
        total = 0
        try:
            for _ in range(20):  # a leftover batch first, then what arrived meanwhile
                if not self.client.exists(PROCESSING_KEY):
                    if not self.client.exists(BUFFER_KEY):
                        break
                    self.client.renamenx(BUFFER_KEY, PROCESSING_KEY)
                entries = [json.loads(raw) for raw in self.client.lrange(PROCESSING_KEY, 0, -1)]
                handle(entries)
                self.client.delete(PROCESSING_KEY)
                total += len(entries)
        finally:
            if self.client.get(LOCK_KEY) == lock.encode():
                self.client.delete(LOCK_KEY)
        return total


class FileBuffer:
    """The embedded default: JSON lines appended under an exclusive lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "buffer.jsonl"
        self.processing = self.folder / "processing.jsonl"

    def append(self, entry: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)
        beat = Beat.from_entry(entry)
        cache.set(self._latest_key(*beat.key), (beat.position, beat.at), 30 * 24 * 3600)

    @staticmethod
    def _latest_key(enrollment_id: int, lecture_id: int) -> str:
        return f"progress-latest:{enrollment_id}:{lecture_id}"

    def latest(self, enrollment_id: int, lecture_id: int) -> tuple[float, float] | None:
        value = cache.get(self._latest_key(enrollment_id, lecture_id))
        return tuple(value) if value else None

    def pending(self) -> int:
        return sum(_count_lines(p) for p in (self.path, self.processing))

    def drain(self, handle: Callable[[list[dict]], None]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(self.folder / "flush.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0
            if not self.processing.exists():
                self._move_aside()
            if not self.processing.exists():
                return 0
            entries = [json.loads(line) for line in _lines(self.processing)]
            handle(entries)
            self.processing.unlink()
            return len(entries)
        finally:
            os.close(lock_fd)

    def _move_aside(self) -> None:
        if not self.path.exists():
            return
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = os.read(fd, os.fstat(fd).st_size)
            if data:
                tmp = self.processing.with_suffix(".tmp")
                tmp.write_bytes(data)
                tmp.replace(self.processing)
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)


def _lines(path: Path) -> Iterable[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def _count_lines(path: Path) -> int:
    return sum(1 for _ in _lines(path)) if path.exists() else 0


def buffer() -> RedisBuffer | FileBuffer:
    url = getattr(settings, "REDIS_URL", "")
    if url:
        return RedisBuffer(url)
    folder = getattr(settings, "PROGRESS_BUFFER_DIR", None) or Path(settings.VAR_DIR) / "progress"
    return FileBuffer(Path(folder))


def record(*, claims: PlaybackClaims, position, played_from, event: str) -> dict:
    """The whole request path of a heartbeat: validate, append. No database."""
    entry = make_entry(claims=claims, position=position, played_from=played_from, event=event)
    try:
        buffer().append(entry)
    except (RedisError, OSError) as exc:
        logger.warning("progress buffer unavailable: %r", exc)
        raise BufferUnavailableError(
            "Progress cannot be saved right now; the next heartbeat tries again.", code="unavailable"
        ) from exc
    return entry


def latest_position(*, enrollment_id: int, lecture_id: int) -> tuple[float, float] | None:
    """(position, unix time) of the newest heartbeat still known to the buffer, if any."""
    try:
        return buffer().latest(enrollment_id, lecture_id)
    except Exception:  # noqa: BLE001 - resume falls back to the database
        return None
