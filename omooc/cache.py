"""Django's Redis cache backend, reusing one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache call;
its constructor registers ~160 response callbacks, which cost more CPU than the round trip itself
on a page that reads the cache a few times (session, catalog version, cached outline). A client is
thread-safe (each command takes a connection from the pool), and the pool resets itself after a
fork, so one client per pool is safe in gunicorn's threads and forked workers.

The cache is a cache: while Redis is out of reach (restart, failover) reads miss and writes are
dropped, with a warning, so pages that need no Redis keep working (sessions fall back to the
database, ``cached_db``). A counter that cannot be kept (rate limits, throttles) counts from one
again: limits are not enforced during an outage.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_warned_at = 0.0


def _degrade(answer):
    """Run the cache operation; while Redis is unreachable give ``answer(*args, **kwargs)`` instead."""

    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            global _warned_at
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                if time.monotonic() - _warned_at > 10:  # one line per 10 s, not one per request
                    _warned_at = time.monotonic()
                    logger.warning("cache: Redis unreachable, serving without it: %s", error)
                return answer(*args, **kwargs)

        return run

    return wrap


def _missing_counter(*args, **kwargs):
    raise ValueError("cache: Redis unreachable; the counter starts again")


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    get = _degrade(lambda key, default=None: default)(DjangoRedisCacheClient.get)
    get_many = _degrade(lambda keys: {})(DjangoRedisCacheClient.get_many)
    has_key = _degrade(lambda key: False)(DjangoRedisCacheClient.has_key)
    add = _degrade(lambda *args, **kwargs: False)(DjangoRedisCacheClient.add)
    set = _degrade(lambda *args, **kwargs: None)(DjangoRedisCacheClient.set)
    set_many = _degrade(lambda *args, **kwargs: [])(DjangoRedisCacheClient.set_many)
    touch = _degrade(lambda *args, **kwargs: False)(DjangoRedisCacheClient.touch)
    delete = _degrade(lambda *args, **kwargs: False)(DjangoRedisCacheClient.delete)
    delete_many = _degrade(lambda *args, **kwargs: None)(DjangoRedisCacheClient.delete_many)
    incr = _degrade(_missing_counter)(DjangoRedisCacheClient.incr)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        # An unreachable Redis must cost a page milliseconds, not a hung thread.
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 2)
        super().__init__(server, params)
        self._class = RedisCacheClient
