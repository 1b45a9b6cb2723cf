from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .exceptions import json_error

logger = logging.getLogger(__name__)


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        logger.warning("health: database down: %s", error)
        return False, type(error).__name__
    return True, connection.vendor


def _check_broker() -> tuple[bool, str]:
    from kombu import Connection

    from omooc.celery import app

    try:
        options = app.conf.broker_transport_options or {}
        with Connection(settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as error:  # noqa: BLE001
        logger.warning("health: broker down: %s", error)
        return False, type(error).__name__
    return True, str(transport)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok, db_detail = _check_database()
    broker_ok, broker_detail = _check_broker()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    if settings.DEBUG:
        body["environment"] = settings.OMOOC_ENV
    return JsonResponse(body, status=200 if healthy else 503)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception | None = None):
    """404: the API answers with the error envelope, pages with the site's own page."""
    if _is_api(request):
        return json_error("Not found.", code="not_found", status=404)
    return render(request, "404.html", {"title": _("Page not found")}, status=404)


def _database_unavailable() -> bool:
    """Is the exception being handled the database being out of reach (restart, failover)?"""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is out of reach: the API's envelope, or a page that needs no database
    (no context processors, no session), with ``Retry-After``."""
    if _is_api(request):
        response = JsonResponse(
            {"message": "The service is briefly unavailable; try again in a minute.", "code": "unavailable",
             "extra": {}},
            status=503,
        )  # fmt: skip
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest):
    if _database_unavailable():
        return service_unavailable(request)
    if _is_api(request):
        return json_error(
            "Something went wrong on our side; it has been logged.", code="server_error", status=500
        )
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)
