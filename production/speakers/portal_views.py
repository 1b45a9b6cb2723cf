"""The speaker's page at a personal link (no account): sessions and pre-talks with what to prepare,
answers (confirm, decline with a reason, propose another time), the script part, .ics downloads and a
feed of their own sessions."""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError

from .. import ical
from ..models import PreTalk, RecordingSession, Target
from ..outbox.items import Item, calendar_item, prepare_lines
from . import links, portal


def speaker_link_required(view):
    """Resolve the token to a valid link (or show why not); speak the speaker's language and time
    zone; keep the token out of referrers, caches and search engines."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs):
        try:
            link = links.link_resolve(token=token)
        except AccessDeniedError as exc:
            response = render(
                request,
                "speaker/invalid.html",
                {"reason": exc.message, "studio_mailbox": settings.STUDIO_MAILBOX},
                status=404,
            )
        else:
            speaker = link.speaker
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(speaker.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                zone = zoneinfo.ZoneInfo(speaker.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            request.speaker, request.speaker_token = speaker, token
            with timezone.override(zone):
                try:
                    response = view(request, *args, **kwargs)
                except NotFoundError as exc:
                    raise Http404(exc.message) from exc
        response["Referrer-Policy"] = (
            "same-origin"  # no token to other sites; "no-referrer" breaks CSRF Origin
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _page_url(request, anchor: str = "") -> str:
    url = reverse("speaker:page", args=[request.speaker_token])
    return f"{url}#{anchor}" if anchor else url


@require_GET
@speaker_link_required
def page(request: HttpRequest) -> HttpResponse:
    data = portal.speaker_page(speaker=request.speaker)
    parts = [row.part for row in data.scripts]
    now = timezone.now()

    def card(target: str, attendance, obj):
        """(attendance, what to prepare, status): only an open item asks to prepare and answer."""
        status = portal.item_status(obj, now=now)
        open_ = status == portal.ItemStatus.OPEN
        return attendance, prepare_lines(Item(target, obj), parts=parts) if open_ else [], status

    sessions = [card(Target.SESSION, a, a.session) for a in data.upcoming_sessions]
    pretalks = [card(Target.PRETALK, a, a.pretalk) for a in data.pretalks]
    return render(
        request,
        "speaker/page.html",
        {
            "speaker": request.speaker,
            "token": request.speaker_token,
            "sessions": sessions,
            "past_sessions": data.past_sessions,
            "pretalks": pretalks,
            "scripts": data.scripts,
            "zone": timezone.get_current_timezone_name(),
            "feed_url": request.build_absolute_uri(reverse("speaker:feed", args=[request.speaker_token])),
        },
    )


@require_POST
@speaker_link_required
def answer(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    attendance = portal.attendance_for(speaker=request.speaker, target=target, pk=pk)
    action = request.POST.get("action")
    # the version of the item the page showed; an answer to an older one is refused (asked again)
    answer_round = request.POST.get("answer_round", "")
    answer_round = int(answer_round) if answer_round.isdigit() and len(answer_round) < 10 else None
    try:
        if action == "confirm":
            portal.speaker_confirm(attendance=attendance, answer_round=answer_round)
            messages.success(request, _("Thank you: you confirmed. The studio has been told."))
        elif action == "decline":
            portal.speaker_decline(
                attendance=attendance, reason=request.POST.get("reason", ""), answer_round=answer_round
            )
            messages.success(request, _("You declined. The studio has been told and will contact you."))
        elif action == "propose":
            portal.speaker_propose(
                attendance=attendance,
                proposed=request.POST.get("proposed_starts_at", ""),
                note=request.POST.get("note", ""),
                answer_round=answer_round,
            )
            messages.success(request, _("Your proposal has been sent to the studio."))
        else:
            messages.error(request, _("Choose confirm, decline or propose another time."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_page_url(request, f"{target}-{pk}"))


@require_http_methods(["GET", "POST"])
@speaker_link_required
def script(request: HttpRequest, pk: int) -> HttpResponse:
    part = portal.script_part_for(speaker=request.speaker, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                portal.speaker_script_approve(speaker=request.speaker, part=part)
                messages.success(request, _("Thank you: you approved the script. The studio has been told."))
            else:
                portal.speaker_script_comment(
                    speaker=request.speaker, part=part, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Your comment has been sent to the studio."))
            return redirect(reverse("speaker:script", args=[request.speaker_token, pk]))
        except ApplicationError as exc:
            error = exc.message
    latest = part.versions.order_by("-number", "-id").first()
    return render(
        request,
        "speaker/script.html",
        {
            "speaker": request.speaker,
            "token": request.speaker_token,
            "part": part,
            "latest": latest,
            "error": error,
            "comment": request.POST.get("comment", ""),
        },
        status=400 if error else 200,
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type='text/calendar; charset="utf-8"; method=PUBLISH')
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _published_item(item: Item, speaker) -> ical.CalendarItem:
    base = calendar_item(item, speaker=speaker)
    if item.desired_method() != ical.REQUEST:
        from dataclasses import replace

        return replace(base, status="CANCELLED")
    return base


@require_GET
@speaker_link_required
def ics(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    attendance = portal.attendance_for(speaker=request.speaker, target=target, pk=pk)
    obj = attendance.session if target == Target.SESSION else attendance.pretalk
    item = Item(target, obj)
    body = ical.build_calendar([_published_item(item, request.speaker)], method=ical.PUBLISH)
    return _ics_response(body, f"omooc-{target}-{pk}.ics")


@require_GET
@speaker_link_required
def feed(request: HttpRequest) -> HttpResponse:
    speaker = request.speaker
    sessions = RecordingSession.objects.filter(attendances__speaker=speaker).select_related(
        "production__course", "location"
    )
    pretalks = PreTalk.objects.filter(attendances__speaker=speaker).select_related("production__course")
    items = [Item(Target.SESSION, s) for s in sessions.order_by("starts_at", "id")]
    items += [Item(Target.PRETALK, p) for p in pretalks.order_by("starts_at", "id")]
    body = ical.build_calendar(
        [_published_item(item, speaker) for item in items],
        method=ical.PUBLISH,
        name=_("OMOOC: my sessions"),
    )
    return _ics_response(body, "omooc-my-sessions.ics")
