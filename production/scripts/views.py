"""The studio's script page and the download of a version's file."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..history import history_for
from ..views import _apply, studio_view
from . import forms, selectors, services


@studio_view
def script_version_file(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    """A script version's attached file, for the production's team only (media is never public)."""
    part = selectors.script_part_get_for(user=request.user, pk=pk)
    version = next((v for v in part.versions.all() if v.pk == version_id and v.file), None)
    if version is None:
        raise Http404(_("This version has no file."))
    name = version.file.name.rsplit("/", 1)[-1]
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=name)


@studio_view
def script_part(request: HttpRequest, pk: int) -> HttpResponse:
    part = selectors.script_part_get_for(user=request.user, pk=pk)
    version_form = forms.ScriptVersionForm()
    state_form = forms.ScriptStateForm(part=part)
    meta_form = forms.ScriptMetaForm(initial={"reviewer": part.reviewer_id, "due_on": part.due_on})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "version":
            version_form = forms.ScriptVersionForm(request.POST, request.FILES)
            if version_form.is_valid() and _apply(
                version_form,
                lambda: services.script_version_add(part=part, **version_form.cleaned_data, by=request.user),
            ):
                messages.success(request, _("New version saved."))
                return redirect("production:script", pk=part.pk)
        elif action == "state":
            state_form = forms.ScriptStateForm(request.POST, part=part)
            if state_form.is_valid() and _apply(
                state_form,
                lambda: services.script_part_transition(
                    part=part, **state_form.cleaned_data, by=request.user
                ),
            ):
                messages.success(request, _("State changed."))
                return redirect("production:script", pk=part.pk)
        elif action == "meta":
            meta_form = forms.ScriptMetaForm(request.POST)
            if meta_form.is_valid() and _apply(
                meta_form,
                lambda: services.script_part_update(part=part, **meta_form.cleaned_data, by=request.user),
            ):
                messages.success(request, _("Saved."))
                return redirect("production:script", pk=part.pk)
    return render(
        request,
        "production/script.html",
        {
            "part": part,
            "production": part.production,
            "versions": list(part.versions.all()),
            "history": history_for(subject=part),
            "version_form": version_form,
            "state_form": state_form,
            "meta_form": meta_form,
        },
    )
