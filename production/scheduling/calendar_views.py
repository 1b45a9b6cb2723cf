"""The studio calendar: month and week (with hours) views, per location, and rescheduling from it.

Rescheduling has one endpoint, ``calendar_move``: the week view's drag-and-drop (static/js/calendar.js)
posts to it asking for JSON; the "move to" form (keyboard, no JavaScript) posts the same fields as an
ordinary form. Both call ``scheduled_item_move``, which goes through the edit forms' services. A
location double booking is a question (409, naming the other session as the producer may see it);
re-posting with ``confirm_double_booking`` books it anyway. ADR 0026."""

from __future__ import annotations

from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from omooc.exceptions import ApplicationError, error_envelope
from production.errors import LocationDoubleBookedError
from production.models import Location, ScheduledItem
from production.views import studio_view

from . import selectors
from .forms import LocalDateTimeField, ZonedTimesMixin
from .services.checks import when
from .services.moves import scheduled_item_move

GET_FOR = {"session": selectors.session_get_for, "pretalk": selectors.pretalk_get_for}
CONFIRM = "confirm_double_booking"


def _calendar_page(
    request: HttpRequest, *, location: Location | None, locations: list[Location], keep: str = ""
) -> HttpResponse:
    """``keep``: the query the page's links carry on (the location filter)."""
    mode = request.GET.get("view", "week")
    try:
        anchor = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
    except ValueError:
        anchor = None
        messages.error(request, _("Use a date like 2026-04-06."))
    view = selectors.calendar_for(user=request.user, mode=mode, anchor=anchor, location=location)
    view.locations = locations
    context = {"cal": view, "today": timezone.localdate(), "keep": keep}
    return render(request, "production/calendar.html", context)


@studio_view
def calendar(request: HttpRequest) -> HttpResponse:
    """Every item of the producer's productions; ``?location=<id>`` keeps the sessions there."""
    locations = selectors.calendar_locations()
    wanted = request.GET.get("location")
    location = selectors.calendar_location(locations=locations, pk=wanted) if wanted else None
    keep = f"&location={location.pk}" if location else ""
    return _calendar_page(request, location=location, locations=locations, keep=keep)


@studio_view
def calendar_location(request: HttpRequest, pk: int) -> HttpResponse:
    """One location's calendar: its address and access notes above its sessions."""
    locations = selectors.calendar_locations()
    location = selectors.calendar_location(locations=locations, pk=pk)
    return _calendar_page(request, location=location, locations=locations)


# --- moving an item --------------------------------------------------------------------------


class MoveForm(ZonedTimesMixin, django_forms.Form):
    """The new start, a wall-clock time in the current time zone (the item keeps its length)."""

    starts_at = LocalDateTimeField(label=gettext_lazy("New start"))
    reason = django_forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Speakers see it with the new time."),
    )
    confirm_double_booking = django_forms.BooleanField(required=False, widget=django_forms.HiddenInput)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _question(request: HttpRequest, item: ScheduledItem, error: LocationDoubleBookedError) -> str:
    """The double booking as a question naming the other session(s), team-safe."""
    others = selectors.sessions_described_for(user=request.user, ids=error.extra.get("conflicts", []))
    return _("%(location)s is already booked then for %(others)s. Book it anyway (a double booking)?") % {
        "location": item.location,
        "others": "; ".join(others) or _("another session"),
    }


def _moved(item: ScheduledItem) -> str:
    label = _("Recording session") if item.KIND == "session" else _("Pre-talk")
    return _("%(item)s moved to %(start)s.") % {"item": label, "start": when(item.starts_at)}


def _week_url(item: ScheduledItem) -> str:
    day = timezone.localtime(item.starts_at).date().isoformat()
    return reverse("production:calendar") + f"?view=week&date={day}"


@require_http_methods(["GET", "POST"])
@studio_view
def calendar_move(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """Move a session or pre-talk of the producer's team to a new start (JSON or the form page)."""
    if kind not in GET_FOR:
        raise Http404
    item = GET_FOR[kind](user=request.user, pk=int(pk))
    as_json = _wants_json(request)
    if request.method == "GET":
        form = MoveForm(initial={"starts_at": item.starts_at})
        return _move_page(request, item, form)
    form = MoveForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        message = errors[0]
        if as_json:
            body = error_envelope(message, code="invalid", extra={"field": field})
            return JsonResponse(body, status=400)
        return _move_page(request, item, form, status=400)
    data = form.cleaned_data
    try:
        item = scheduled_item_move(
            item=item,
            starts_at=data["starts_at"],
            confirm_double_booking=data[CONFIRM],
            by=request.user,
            reason=data["reason"],
        )
    except LocationDoubleBookedError as exc:
        question = _question(request, item, exc)
        if as_json:
            # The service's message may name another team's production: the question does not.
            body = error_envelope(question, code=exc.code, extra={"field": "location"})
            return JsonResponse(body | {"question": question, "confirm_field": CONFIRM}, status=409)
        return _move_page(request, item, form, question=question, status=409)
    except ApplicationError as exc:
        if as_json:
            return JsonResponse(error_envelope(exc.message, code=exc.code, extra=exc.extra), status=400)
        form.add_error("starts_at" if exc.extra.get("field") != "reason" else "reason", exc.message)
        return _move_page(request, item, form, status=400)
    message = _moved(item)
    messages.success(request, message)
    if as_json:
        return JsonResponse({"ok": True, "message": message, "week_url": _week_url(item)})
    return redirect(_week_url(item))


def _move_page(request, item, form, *, question: str = "", status: int = 200) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "question": question,
        "production": item.production,
        "cancel_url": _week_url(item),
    }
    return render(request, "production/calendar_move.html", context, status=status)
