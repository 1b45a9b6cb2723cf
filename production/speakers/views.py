"""The studio's speaker directory: list, add, a speaker's items, edit (ADR 0013)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..models import Speaker
from ..views import saved, studio_view
from . import forms, permissions, selectors, services


@studio_view
def speaker_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.speaker_list(search=search), 50).get_page(request.GET.get("page"))
    return render(request, "production/speakers.html", {"page": page, "q": search, "title": _("Speakers")})


def _fields(data: dict) -> dict:
    return {f: data[f] for f in services.SPEAKER_FIELDS}


@studio_view
def speaker_create(request: HttpRequest) -> HttpResponse:
    form = forms.SpeakerForm(request.POST or None)
    done = saved(
        request,
        form,
        lambda data: services.speaker_create(**_fields(data), by=request.user),
        _("Speaker added."),
    )
    if done:
        return redirect("production:speaker", pk=done.result.pk)
    return render(request, "production/form.html", {"form": form, "title": _("New speaker")})


@studio_view
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=pk)
    sessions, pretalks = selectors.speaker_items(user=request.user, speaker=speaker)
    return render(
        request,
        "production/speaker.html",
        {
            "speaker": speaker,
            "sessions": sessions,
            "pretalks": pretalks,
            "rights": permissions.speaker_rights(user=request.user, speaker=speaker),
        },
    )


@studio_view
def speaker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=pk)
    permissions.speaker_manage_check(user=request.user, speaker=speaker)  # ADR 0013; 403 otherwise
    form = forms.SpeakerForm(
        request.POST or None, initial={f: getattr(speaker, f) for f in services.SPEAKER_FIELDS}
    )
    if saved(
        request,
        form,
        lambda data: services.speaker_update(speaker=speaker, **_fields(data), by=request.user),
        _("Speaker saved."),
    ):
        return redirect("production:speaker", pk=speaker.pk)
    return render(
        request, "production/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": speaker}}
    )
