"""The lean heartbeat ingest: ``POST /progress/beat/`` as a plain WSGI app (ADR 0009).

The player posts a heartbeat every ~10 s per learner, so this path skips Django's handler and
middleware: ``omooc.wsgi`` sends exactly this path here, everything else to Django. The playback
token in the body is the whole credential (a capability bound to one enrollment, lecture and learner,
signed by the lecture page or its renewal endpoint, valid ``progress.beat_token_max_age()``); no
cookie is read, so there is nothing for a cross-site request to borrow. Validation and buffering are
``progress.read_playback_token`` and ``progress.record``, the same as the other heartbeat endpoints.

``handle`` is the whole endpoint, independent of the server: the WSGI ``application`` below and the
Django view ``courses.learning.views.beat`` (the same URL in the URLconf, for the test client, ``live_server``
and ASGI) only adapt its input and output. Answers: 204 on success; errors in the product's
``{"message", "code", "extra"}`` envelope: 405 (with ``Allow``), 413, 415, 400, 403, 503.

Before that, the WSGI app applies the two rules of Django's middleware that matter without a session,
with Django's own functions so they cannot drift: the ``Host`` must match ``ALLOWED_HOSTS`` (400
``bad_host``, as ``DisallowedHost``), and with ``SECURE_SSL_REDIRECT`` a request that is not secure
(``SECURE_PROXY_SSL_HEADER``, else the WSGI scheme) gets the same 301 to ``https://`` as
``SecurityMiddleware`` gives (HSTS on secure answers too). The Django twin gets both from the middleware.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, BinaryIO
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from omooc.exceptions import ApplicationError, error_envelope

from . import progress

logger = logging.getLogger(__name__)

BEAT_PATH = "/progress/beat/"
MAX_BODY_BYTES = 4096
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
FIELDS = ("token", "position", "played_from", "event")
HEADERS = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


class _Refused(ApplicationError):
    """A request refused before it reaches the heartbeat rules (method, size, type, syntax)."""

    def __init__(self, status: int, message: str, *, code: str, headers: Iterable[tuple[str, str]] = ()):
        super().__init__(message, code=code)
        self.status_code = status
        self.headers = list(headers)


def _error(status: int, message: str, code: str, extra: dict | None = None, headers=()) -> Reply:
    body = json.dumps(error_envelope(message, code=code, extra=extra)).encode()
    return Reply(status, [*HEADERS, *headers, ("Content-Type", JSON)], body)


def _body_length(content_length: str | None, *, terminated: bool) -> int | None:
    """The number of bytes to read; ``None``: a body without a length (chunked) to read to its end."""
    if not content_length:
        return None if terminated else 0
    try:
        length = int(content_length)
    except ValueError:
        length = -1
    if length < 0:
        raise _Refused(400, "Content-Length: give the size of the body in bytes.", code="invalid")
    if length > MAX_BODY_BYTES:
        raise _Refused(413, f"body: send at most {MAX_BODY_BYTES} bytes.", code="too_large")
    return length


def _media_type(content_type: str) -> str:
    kind, *params = (part.strip() for part in content_type.split(";"))
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if kind.lower() not in (FORM, JSON) or charset not in ("utf-8", "utf8"):
        raise _Refused(415, f"Content-Type: send {FORM} or {JSON} (UTF-8).", code="unsupported_media_type")
    return kind.lower()


def _fields(kind: str, body: bytes) -> dict[str, Any]:
    """The heartbeat's fields from a form or a JSON object; unknown fields are ignored."""
    try:
        if kind == FORM:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
        data = json.loads(body)
    except ValueError as exc:  # bad UTF-8, bad JSON, too many fields
        raise _Refused(400, "body: not a valid form or JSON object.", code="invalid") from exc
    if not isinstance(data, dict):
        raise _Refused(400, "body: send a JSON object.", code="invalid")
    for name in FIELDS:
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            raise _Refused(400, f"{name}: give a string or a number.", code="invalid")
    return data


def handle(
    *, method: str, content_type: str, content_length: str | None, stream: BinaryIO, terminated: bool = False
) -> Reply:
    """The endpoint: check the request, read at most ``MAX_BODY_BYTES``, validate the token and the
    heartbeat, append it to the buffer."""
    try:
        if method != "POST":
            raise _Refused(
                405, "Send heartbeats with POST.", code="method_not_allowed", headers=[("Allow", "POST")]
            )
        length = _body_length(content_length, terminated=terminated)
        kind = _media_type(content_type)
        body = stream.read(MAX_BODY_BYTES + 1) if length is None else (stream.read(length) if length else b"")
        if len(body) > MAX_BODY_BYTES:
            raise _Refused(413, f"body: send at most {MAX_BODY_BYTES} bytes.", code="too_large")
        fields = _fields(kind, body)
        token = fields.get("token")
        claims = progress.read_playback_token(
            token if isinstance(token, str) else "", user_id=None, max_age=progress.beat_token_max_age()
        )
        progress.record(
            claims=claims,
            position=fields.get("position"),
            played_from=fields.get("played_from"),
            event=fields.get("event") or "tick",
        )
    except _Refused as exc:
        return _error(exc.status_code, exc.message, exc.code, headers=exc.headers)
    except ApplicationError as exc:
        return _error(exc.status_code, exc.message, exc.code, exc.extra)
    return Reply(204, list(HEADERS))


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


class _Head(HttpRequest):
    """Just enough of a request for Django's ``get_host`` and ``is_secure`` (no body, no query parsing)."""

    def __init__(self, environ: dict) -> None:  # no super().__init__: nothing else is read
        self.META = environ

    def _get_scheme(self) -> str:
        return self.META.get("wsgi.url_scheme") or "http"


security_logger = logging.getLogger("django.security.DisallowedHost")


def _front_door(environ: dict) -> tuple[Reply | None, list[tuple[str, str]]]:
    """Django's Host check and HTTPS rule (``SecurityMiddleware``): a refusal or redirect, else ``None``
    and the headers a secure answer carries."""
    head = _Head(environ)
    try:
        host = head.get_host()
    except DisallowedHost as exc:
        security_logger.warning("%s", exc)
        message = "Host: this site does not answer to that name (see ALLOWED_HOSTS)."
        return _error(400, message, "bad_host"), []
    secure = head.is_secure()
    if not secure and settings.SECURE_SSL_REDIRECT:
        path = BEAT_PATH.lstrip("/")
        if not any(re.search(pattern, path) for pattern in settings.SECURE_REDIRECT_EXEMPT):
            query = environ.get("QUERY_STRING", "")
            location = f"https://{settings.SECURE_SSL_HOST or host}{BEAT_PATH}" + (
                f"?{query}" if query else ""
            )
            return Reply(
                301, [*HEADERS, ("Location", location), ("Content-Type", "text/html; charset=utf-8")]
            ), []
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        return None, [("Strict-Transport-Security", value)]
    return None, []


def application(environ: dict, start_response: Callable) -> list[bytes]:
    """WSGI: mounted by ``omooc.wsgi`` for ``BEAT_PATH``."""
    try:
        refused, extra_headers = _front_door(environ)
        reply = refused or handle(
            method=environ.get("REQUEST_METHOD", ""),
            content_type=environ.get("CONTENT_TYPE", ""),
            content_length=environ.get("CONTENT_LENGTH"),
            stream=environ["wsgi.input"],
            terminated=bool(environ.get("wsgi.input_terminated")),
        )
        if extra_headers:
            reply = Reply(reply.status, [*reply.headers, *extra_headers], reply.body)
    except Exception:  # a bug: logged like Django logs its 500s, answered in the usual envelope
        logger.exception("heartbeat ingest failed")
        reply = _error(500, "Server error.", "error")
    headers = (
        reply.headers if reply.status == 204 else [*reply.headers, ("Content-Length", str(len(reply.body)))]
    )
    start_response(_status_line(reply.status), headers)
    return [reply.body] if reply.body else []


def respond(request: HttpRequest) -> HttpResponse:
    """The same endpoint behind Django (``courses.learning.views.beat``)."""
    reply = handle(
        method=request.method or "",
        content_type=request.META.get("CONTENT_TYPE", ""),
        content_length=request.META.get("CONTENT_LENGTH"),
        stream=request,
    )
    response = HttpResponse(reply.body, status=reply.status)
    if reply.status == 204:
        del response["Content-Type"]
    for name, value in reply.headers:
        response[name] = value
    return response
