"""Studio pages. Each view checks access (``producer_required`` + the selectors' team filter),
parses a form and calls one service; service errors are shown on the form field they name."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError

from . import forms, permissions, selectors, services
from .models import Speaker
from .permissions import producer_required
from .scheduling.forms import PostponeForm


def studio_view(view):
    """Producers only; a production (or item) outside the producer's team is a 404."""

    @producer_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except AccessDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _apply(form, call) -> bool:
    """Run a service with the form's data; its error goes onto the field it names."""
    try:
        call()
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    return True


# --- productions ------------------------------------------------------------------------


@studio_view
def studio_home(request: HttpRequest) -> HttpResponse:
    productions = selectors.production_list(user=request.user)
    boards = selectors.boards_for(productions)
    return render(
        request,
        "production/home.html",
        {"items": [(p, boards[p.pk].readiness) for p in productions], "postpone_form": PostponeForm()},
    )


@studio_view
def production_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProductionForm(request.POST or None, initial={"team": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        result = {}
        if _apply(
            form,
            lambda: result.setdefault("p", services.production_create(**form.cleaned_data, by=request.user)),
        ):
            messages.success(request, _("Production created."))
            return redirect("production:board", pk=result["p"].pk)
    return render(request, "production/form.html", {"form": form, "title": _("New production")})


@studio_view
def production_edit(request: HttpRequest, pk: int) -> HttpResponse:
    production = selectors.production_get_for(user=request.user, pk=pk)
    initial = {
        "client": production.client,
        "team": list(production.team.values_list("pk", flat=True)),
        "target_launch_on": production.target_launch_on,
        "post_production_days": production.post_production_days,
        "notes": production.notes,
        "call_sheet_emails": production.call_sheet_emails,
    }
    form = forms.ProductionForm(request.POST or None, initial=initial, editing=True)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: services.production_update(production=production, by=request.user, **form.cleaned_data),
        )
    ):
        messages.success(request, _("Production saved."))
        return redirect("production:board", pk=production.pk)
    return render(
        request,
        "production/form.html",
        {
            "form": form,
            "production": production,
            "title": _("Edit production %(name)s") % {"name": production},
        },
    )


def _link_cells(rows: list[selectors.Row]) -> None:
    for row in rows:
        targets = {
            "script": ("production:script", row.script_part),
            "pretalk": ("production:pretalk", row.pretalks[0] if row.pretalks else None),
            "recording": ("production:session", row.sessions[0] if row.sessions else None),
            "edit": ("production:post_production", row.post_production),
            "captions": ("production:post_production", row.post_production),
        }
        for cell in row.cells:
            name, obj = targets.get(cell.column, ("", None))
            if obj is not None:
                cell.link = reverse(name, kwargs={"pk": obj.pk})


@studio_view
def production_board(request: HttpRequest, pk: int) -> HttpResponse:
    production = selectors.production_get_for(user=request.user, pk=pk)
    board = selectors.board_for(production)
    _link_cells(board.rows)
    filter_form = forms.BoardFilterForm(request.GET or None)
    rows = board.rows
    if filter_form.is_valid():
        rows = selectors.board_filter(
            rows,
            column=filter_form.cleaned_data["column"],
            tone=filter_form.cleaned_data["tone"],
            blocked_only=filter_form.cleaned_data["blocked"],
        )
    return render(
        request,
        "production/board.html",
        {
            "production": production,
            "board": board,
            "rows": rows,
            "readiness": board.readiness,
            "columns": [(c, selectors.COLUMN_LABELS[c]) for c in selectors.COLUMNS],
            "filter_form": filter_form,
            "postpone_form": PostponeForm(),
        },
    )


@studio_view
def production_history(request: HttpRequest, pk: int) -> HttpResponse:
    production = selectors.production_get_for(user=request.user, pk=pk)
    page = Paginator(selectors.history_for_production(production=production), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "production/history.html", {"production": production, "page": page})


# --- scripts and post-production ----------------------------------------------------------


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
            "history": selectors.history_for(subject=part),
            "version_form": version_form,
            "state_form": state_form,
            "meta_form": meta_form,
        },
    )


@studio_view
def post_production(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.post_production_get_for(user=request.user, pk=pk)
    form = forms.PostProductionForm(
        request.POST or None, initial={"edit": item.edit, "captions": item.captions, "review": item.review}
    )
    if request.method == "POST" and form.is_valid():

        def call():
            for step in ("edit", "captions", "review"):
                services.post_production_set(
                    item=item,
                    step=step,
                    state=form.cleaned_data[step],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )

        if _apply(form, call):
            messages.success(request, _("Post-production saved."))
            return redirect("production:board", pk=item.production_id)
    return render(
        request,
        "production/post_production.html",
        {
            "form": form,
            "item": item,
            "production": item.production,
            "history": selectors.history_for(subject=item),
        },
    )


# --- speakers and locations ---------------------------------------------------------------


@studio_view
def speaker_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.speaker_list(search=search), 50).get_page(request.GET.get("page"))
    return render(request, "production/speakers.html", {"page": page, "q": search})


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
