"""The studio's production pages: home (every production with its readiness), a production's board,
create and edit, history and post-production."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import productions as services
from ..access import post_production_get_for, production_get_for, production_list
from ..board import COLUMN_LABELS, COLUMNS, Row, board_filter, board_for, boards_for
from ..history import history_for, history_for_production
from ..scheduling.forms import PostponeForm
from ..scheduling.services.holds import hold_undo_offers
from ..views import _apply, studio_view
from . import forms


@studio_view
def studio_home(request: HttpRequest) -> HttpResponse:
    productions = production_list(user=request.user)
    boards = boards_for(productions)
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
    production = production_get_for(user=request.user, pk=pk)
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


def _link_cells(rows: list[Row]) -> None:
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
    production = production_get_for(user=request.user, pk=pk)
    board = board_for(production)
    _link_cells(board.rows)
    filter_form = forms.BoardFilterForm(request.GET or None)
    rows = board.rows
    if filter_form.is_valid():
        rows = board_filter(
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
            "columns": [(c, COLUMN_LABELS[c]) for c in COLUMNS],
            "filter_form": filter_form,
            "postpone_form": PostponeForm(),
            "hold_undo_offers": hold_undo_offers(user=request.user, production=production),
        },
    )


@studio_view
def production_history(request: HttpRequest, pk: int) -> HttpResponse:
    production = production_get_for(user=request.user, pk=pk)
    page = Paginator(history_for_production(production=production), 50).get_page(request.GET.get("page"))
    return render(request, "production/history.html", {"production": production, "page": page})


@studio_view
def post_production(request: HttpRequest, pk: int) -> HttpResponse:
    item = post_production_get_for(user=request.user, pk=pk)
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
            "history": history_for(subject=item),
        },
    )
