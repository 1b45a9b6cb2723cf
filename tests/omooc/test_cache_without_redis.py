"""The cache while Redis is out of reach: reads miss, writes are dropped, counters start again, quickly
(no hung thread). The stack test stops a real Redis under the running topology for 30 s."""

from __future__ import annotations

import logging
import time

import pytest

from omooc.cache import RedisCache
from tests.support.mailbox import free_port


@pytest.fixture
def cache_without_redis():
    return RedisCache(f"redis://127.0.0.1:{free_port()}/0", {})  # nothing listens there


def test_reads_miss_and_writes_are_dropped_while_redis_is_unreachable(cache_without_redis, caplog):
    cache = cache_without_redis
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="omooc.cache"):
        assert cache.get("catalog-version", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        cache.set("a", 1)
        assert cache.add("a", 1) is False
        assert cache.delete("a") is False
        cache.delete_many(["a", "b"])
        with pytest.raises(ValueError):  # a rate-limit counter: omooc.ratelimit starts it again
            cache.incr("attempts")
    assert time.monotonic() - started < 5
    assert len([r for r in caplog.records if "Redis unreachable" in r.message]) <= 1


def test_other_redis_errors_are_not_hidden():
    from redis.exceptions import ResponseError

    from omooc import cache as module

    assert ResponseError not in module.UNREACHABLE
