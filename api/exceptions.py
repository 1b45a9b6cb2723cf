"""The DRF exception handler: every API error answers ``{"message", "code", "extra"}``.

``ApplicationError`` (``omooc.exceptions``) keeps its status; DRF's own errors (validation,
authentication, throttling, 404, 403) and Django's ``ValidationError``, ``Http404`` and
``PermissionDenied`` are turned into the same envelope. Unexpected exceptions stay logged 500s.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from omooc.exceptions import ApplicationError, error_envelope


def _envelope(message: str, code: str, extra: dict | None, status_code: int) -> Response:
    return Response(error_envelope(message, code=code, extra=extra), status=status_code)


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        inner = _first_message(value)
        return inner if key in ("non_field_errors", "__all__") else f"{key}: {inner}"
    return str(detail)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return _envelope(exc.message, exc.code, exc.extra, exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = drf_exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_default_handler(exc, context)
    if response is None:
        return None  # unexpected: a logged 500
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_envelope(_first_message(exc.detail), code="invalid", extra={"fields": fields})
    elif isinstance(exc, drf_exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        extra = {}
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            extra["retry_after_seconds"] = int(exc.wait)
        response.data = error_envelope(_first_message(exc.detail), code=code, extra=extra)
    return response
