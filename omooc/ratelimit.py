"""Fixed-window rate limits for pages (login, password reset, speaker links), kept in the cache
(Redis in production). The API uses DRF throttles with the same cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' -> (10, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit[:1]]


def client_ip(request: HttpRequest) -> str:
    """The client address; behind `TRUSTED_PROXY_COUNT` proxies, read it from X-Forwarded-For."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(*, scope: str, key: str, rate: str) -> int | None:
    """Count one hit; return the seconds to wait when over the limit, else None."""
    limit, window = parse_rate(rate)
    now = int(time.time())
    bucket = now // window
    cache_key = f"rl:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return (bucket + 1) * window - now or 1
    return None


def rate_limit(*, scope: str, rate_setting: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Limit a view per client address; answers 429 with a page that says when to try again."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                rate = settings.RATE_LIMITS[rate_setting]
                wait = hit(scope=scope, key=client_ip(request), rate=rate)
                if wait is not None:
                    response = render(
                        request,
                        "429.html",
                        {
                            "title": _("Too many attempts"),
                            "message": _("Too many attempts. Try again in %(seconds)s seconds.")
                            % {"seconds": wait},
                        },
                        status=429,
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
