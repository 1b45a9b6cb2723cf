"""The one ``ApplicationError`` hierarchy, and the error envelope outside the API.

Services raise subclasses next to themselves; every error answer in JSON is
``{"message", "code", "extra"}`` with the subclass's status: the API's through its DRF handler
(``api/exceptions.py``), pages' JSON endpoints and middleware through ``json_error``; forms show the
same message. Nothing here depends on DRF, so domain code imports it freely.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = "not_found"


class AccessDeniedError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class ConflictError(ApplicationError):
    status_code = 409
    default_code = "conflict"


def error_envelope(message: str, *, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of every error answer in JSON."""
    return {"message": str(message), "code": code, "extra": extra or {}}


def json_error(
    error: ApplicationError | str,
    *,
    status: int | None = None,
    code: str | None = None,
    extra: dict[str, Any] | None = None,
) -> JsonResponse:
    """A JSON error answer outside DRF: an ``ApplicationError`` (its message, code, extra and status,
    each of which may be overridden) or a message with ``code`` and ``status``."""
    if isinstance(error, ApplicationError):
        body = error_envelope(
            error.message, code=code or error.code, extra=error.extra if extra is None else extra
        )
        return JsonResponse(body, status=status or error.status_code)
    return JsonResponse(error_envelope(error, code=code or "invalid", extra=extra), status=status or 400)
