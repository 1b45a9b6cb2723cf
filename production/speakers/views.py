"""The studio's speaker directory: list, add, a speaker's items, edit (ADR 0013)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..models import Speaker
from ..views import _apply, studio_view
from . import forms, permissions, selectors, services


@studio_view
def speaker_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.speaker_list(search=search), 50).get_page(request.GET.get("page"))
    return render(request, "production/speakers.html", {"page": page, "q": search, "title": _("Speakers")})


@studio_view
def speaker_create(request: HttpRequest) -> HttpResponse:
    form = forms.SpeakerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.SPEAKER_FIELDS}
        result = {}
        if _apply(form, lambda: result.setdefault("s", services.speaker_create(**data, by=request.user))):
            messages.success(request, _("Speaker added."))
            return redirect("production:speaker", pk=result["s"].pk)
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
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.SPEAKER_FIELDS}
        if _apply(form, lambda: services.speaker_update(speaker=speaker, **data, by=request.user)):
            messages.success(request, _("Speaker saved."))
            return redirect("production:speaker", pk=speaker.pk)
    return render(
        request, "production/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": speaker}}
    )
