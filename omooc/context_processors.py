from __future__ import annotations

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"is_producer": bool(user and user.is_authenticated and user.is_producer)}
