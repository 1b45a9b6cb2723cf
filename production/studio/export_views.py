"""Downloads for the studio: the board and the schedule as CSV, the schedule as .ics (issue 14).
Producers only, and only their team's productions: another team's production is a 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from omooc.exceptions import ApplicationError

from .. import access
from .. import board as boards
from ..scheduling import feeds
from ..views import studio_view
from . import exports

CSV = "text/csv; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


def _download(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _bad_request(exc: ApplicationError) -> HttpResponse:
    field = exc.extra.get("field", "")
    text = f"{field}: {exc.message}" if field else exc.message
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@studio_view
def board_csv(request: HttpRequest, pk: int) -> HttpResponse:
    production = access.production_get_for(user=request.user, pk=pk)
    board = boards.board_for(production)
    body = exports.board_csv(board, columns=boards.COLUMNS, labels=boards.COLUMN_LABELS)
    stem = f"board-{slugify(production.course.title) or production.pk}"
    return _download(body, content_type=CSV, filename=exports.export_filename(stem, ext="csv"))


def _schedule(request: HttpRequest):
    span = exports.schedule_span(first=request.GET.get("from"), last=request.GET.get("to"))
    productions = access.production_visible_to(request.user)
    stem = "schedule"
    if request.GET.get("production"):
        production = access.production_get_for(user=request.user, pk=request.GET["production"])
        productions = productions.filter(pk=production.pk)
        stem = f"schedule-{slugify(production.course.title) or production.pk}"
    sessions, pretalks = exports.schedule_between(productions=productions, start=span.start, end=span.end)
    return span, stem, sessions, pretalks


def _schedule_download(request: HttpRequest, *, ext: str, content_type: str, build) -> HttpResponse:
    try:
        span, stem, sessions, pretalks = _schedule(request)
    except ApplicationError as exc:
        if exc.extra.get("field") is None:
            raise
        return _bad_request(exc)
    body = build(sessions=sessions, pretalks=pretalks)
    return _download(body, content_type=content_type, filename=exports.export_filename(stem, span, ext=ext))


@studio_view
def schedule_csv(request: HttpRequest) -> HttpResponse:
    return _schedule_download(request, ext="csv", content_type=CSV, build=exports.schedule_csv)


@studio_view
def schedule_ics(request: HttpRequest) -> HttpResponse:
    return _schedule_download(request, ext="ics", content_type=ICS, build=feeds.schedule_calendar)
