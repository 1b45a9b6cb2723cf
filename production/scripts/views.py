"""The studio's script page and the download of a version's file."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..history import history_for
from ..views import saved, studio_view
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
    action = request.POST.get("action") if request.method == "POST" else None
    # The form of the action posted is bound; the page shows the other two empty.
    version_form = forms.ScriptVersionForm(*((request.POST, request.FILES) if action == "version" else ()))
    state_form = forms.ScriptStateForm(request.POST if action == "state" else None, part=part)
    meta_form = forms.ScriptMetaForm(
        request.POST if action == "meta" else None,
        initial={"reviewer": part.reviewer_id, "due_on": part.due_on},
    )
    form, service, message = {
        "version": (version_form, services.script_version_add, _("New version saved.")),
        "state": (state_form, services.script_part_transition, _("State changed.")),
        "meta": (meta_form, services.script_part_update, _("Saved.")),
    }.get(action, (None, None, ""))
    if form is not None and saved(
        request, form, lambda data: service(part=part, **data, by=request.user), message
    ):
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
