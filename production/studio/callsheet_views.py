"""The call sheet pages: the printable day sheet and its PDF (issue 14). Thin: parse, read, render."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from ..views import studio_view
from . import callsheet


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("Use a date like 2026-04-06.") from None


def _sheet(request: HttpRequest, day: str) -> callsheet.CallSheet:
    return callsheet.call_sheet_for(
        user=request.user, day=_day(day), location_id=request.GET.get("location") or None
    )


@studio_view
def call_sheet(request: HttpRequest, day: str) -> HttpResponse:
    if request.GET.get("date"):  # the date picker (a plain GET form, no script needed)
        picked = _day(request.GET["date"])
        location = request.GET.get("location")
        query = f"?{urlencode({'location': location})}" if location else ""
        return redirect(reverse("production:call_sheet", kwargs={"day": picked.isoformat()}) + query)
    sheet = _sheet(request, day)
    return render(
        request,
        "production/call_sheet.html",
        {
            "sheet": sheet,
            "locations": callsheet.Location.objects.order_by("name", "id"),
            "location_query": f"?location={sheet.location.pk}" if sheet.location else "",
        },
    )


@studio_view
def call_sheet_pdf(request: HttpRequest, day: str) -> HttpResponse:
    sheet = _sheet(request, day)
    response = HttpResponse(callsheet.call_sheet_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="call-sheet-{sheet.day.isoformat()}.pdf"'
    return response
