from __future__ import annotations

from celery import shared_task


@shared_task(name="omooc.ping")
def ping(*, payload: str = "pong") -> str:
    """Round-trip probe used by the health check tooling and the worker test."""
    return payload
