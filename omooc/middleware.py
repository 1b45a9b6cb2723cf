from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .exceptions import json_error

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy, and no caching of pages for users."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "private, no-store")
        return response


# --- Hostile input -------------------------------------------------------------------------------

_CHECKED_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH")


class UnreadableInput(Exception):
    """A NUL byte or bytes that are not UTF-8 where text is expected."""

    def __init__(self, where: str, name: str, *, status: int = 400):
        super().__init__(f"{where} {name}")
        self.where = where
        self.name = name
        self.status = status


def _as_bytes(text: str) -> bytes:
    """WSGI hands over the raw bytes of the path, query and headers as latin-1 text."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # not from a real server (the test client); judge its UTF-8
        return text.encode("utf-8", "surrogateescape")


def _readable(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_pairs(data: str | bytes, *, where: str) -> None:
    """Check every name and value of ``a=1&b=2`` (query strings and urlencoded form bodies)."""
    if isinstance(data, str):
        if data.isascii() and "%" not in data and "\x00" not in data:
            return  # the common case: nothing encoded, nothing to decode
        data = _as_bytes(data)
    for part in data.replace(b";", b"&").split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" "))
        value = unquote_to_bytes(value.replace(b"+", b" "))
        if not (_readable(name) and _readable(value)):
            label = name.replace(b"\x00", b"").decode("utf-8", "replace") or "?"
            raise UnreadableInput(where, label)


def check_request_input(request: HttpRequest) -> None:
    """Raise ``UnreadableInput`` for a NUL byte or undecodable bytes in the path, the query, a header
    or an urlencoded form body. PostgreSQL refuses NUL in text and Python refuses it in file names:
    refused here, no view meets one (multipart fields: ``HostileInputMiddleware.process_view``)."""
    meta = request.META
    path = meta.get("PATH_INFO", "")
    if "\x00" in path or (not path.isascii() and not _readable(_as_bytes(path))):
        raise UnreadableInput("path", "", status=404)
    _check_pairs(meta.get("QUERY_STRING", ""), where="query")
    for key, value in meta.items():
        if not (key.startswith("HTTP_") or key in _CHECKED_HEADERS) or not isinstance(value, str):
            continue
        if "\x00" in value or (not value.isascii() and not _readable(_as_bytes(value))):
            raise UnreadableInput("header", key.removeprefix("HTTP_").replace("_", "-").title())
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and request.content_type == "application/x-www-form-urlencoded"
    ):
        _check_pairs(request.body, where="form")


def _message(error: UnreadableInput) -> str:
    if error.where == "path":
        return _("No page has this address: it contains a NUL byte or bytes that are not UTF-8.")
    if error.where == "header":
        return _(
            "Header %(name)s: contains a NUL byte or bytes that are not UTF-8; send it as UTF-8 text."
        ) % {"name": error.name}
    return _("%(name)s: contains a NUL byte or bytes that are not UTF-8; send it as UTF-8 text.") % {
        "name": error.name
    }


PLAIN_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>{title}</h1><p>{message}</p><p>{hint}</p><p><a href="/">{home}</a></p></body></html>
"""


def refuse_unreadable_input(request: HttpRequest, error: UnreadableInput) -> HttpResponse:
    """The error envelope on API paths; a plain page (no site chrome, nothing that reads the database
    or the session) elsewhere."""
    with translation.override(translation.get_language_from_request(request)):
        message = _message(error)
        if request.path_info.startswith("/api/"):
            code = "not_found" if error.status == 404 else "unreadable_input"
            extra = {"where": error.where, "name": error.name} if error.name else {"where": error.where}
            return json_error(message, code=code, extra=extra, status=error.status)
        page = PLAIN_PAGE.format(
            lang=translation.get_language(),
            title=escape(_("Page not found") if error.status == 404 else _("Bad request")),
            message=escape(message),
            hint=escape(_("Check the link, or the text you entered, and try again.")),
            home=escape(_("To the catalog")),
        )
    response = HttpResponse(page, status=error.status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class HostileInputMiddleware:
    """No input gives a 500: NUL bytes and undecodable bytes never reach a view (ADR 0012)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request_input(request)
        except UnreadableInput as error:
            return refuse_unreadable_input(request, error)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        # Multipart fields: CSRF-protected views parse the body before the view anyway, so check
        # them here. CSRF-exempt views keep their own parsing (upload handlers, DRF's parsers).
        if (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and not getattr(view_func, "csrf_exempt", False)
        ):
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return refuse_unreadable_input(request, UnreadableInput("form", name.replace("\x00", "")))
            for name, upload in request.FILES.items():
                if "\x00" in (upload.name or ""):
                    return refuse_unreadable_input(request, UnreadableInput("form", name))
        return None
