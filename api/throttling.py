"""DRF throttles that identify the client by the project's one rule (``omooc.ratelimit.client_ip``:
``TRUSTED_PROXY_COUNT`` hops from the right of X-Forwarded-For), the same as the page limiters.

DRF's own ``get_ident`` keys on the whole X-Forwarded-For header unless ``NUM_PROXIES`` is set, so a
client that writes a new fake address in front of it each time gets a new bucket each time."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle

from omooc.ratelimit import client_ip


class ClientAddressThrottleMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)


class ScopedClientThrottle(ClientAddressThrottleMixin, ScopedRateThrottle):
    """``ScopedRateThrottle`` per client address (``throttle_scope`` on the view)."""
