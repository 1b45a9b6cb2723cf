"""The studio's production pages: home (every production with its readiness), create and edit, history
and post-production (the board is in ``board_views``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import productions as services
from ..access import post_production_get_for, production_get_for, production_list
from ..board import boards_for
from ..history import history_for, history_for_production
from ..scheduling.forms import PostponeForm
from ..views import saved, studio_view
from . import forms


@studio_view
def studio_home(request: HttpRequest) -> HttpResponse:
    productions = production_list(user=request.user)
    boards = boards_for(productions)
    return render(
        request,
        "production/home.html",
        {
            "items": [(p, boards[p.pk].readiness) for p in productions],
            "postpone_form": PostponeForm(),
            "title": _("Studio"),
        },
    )


@studio_view
def production_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProductionForm(request.POST or None, initial={"team": [request.user.pk]})
    done = saved(
        request,
        form,
        lambda data: services.production_create(**data, by=request.user),
        _("Production created."),
    )
    if done:
        return redirect("production:board", pk=done.result.pk)
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
    if saved(
        request,
        form,
        lambda data: services.production_update(production=production, by=request.user, **data),
        _("Production saved."),
    ):
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

    def call(data):
        for step in ("edit", "captions", "review"):
            services.post_production_set(
                item=item,
                step=step,
                state=data[step],
                reason=data["reason"],
                by=request.user,
            )

    if saved(request, form, call, _("Post-production saved.")):
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
