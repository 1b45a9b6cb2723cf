"""The portfolio page: every production of the team as a sortable, filterable table with an
archive, and the launch timeline (issue 14)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import access, board
from ..views import studio_view
from . import portfolio

PER_PAGE = 50


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=portfolio.STATUSES.items())
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=portfolio.SORTS.items())


@studio_view
def portfolio_page(request: HttpRequest) -> HttpResponse:
    form = PortfolioFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    productions = access.production_list(user=request.user)
    boards = board.boards_for(productions)
    rows = portfolio.portfolio_rows(
        productions=productions,
        boards=boards,
        sort=criteria.get("sort") or "projected",
        status=criteria.get("status") or "",
        search=criteria.get("q") or "",
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "production/portfolio.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "timeline": portfolio.timeline_svg(list(page.object_list)),
            "query": query.urlencode(),
            "total": len(productions),
        },
    )


@studio_view
@require_POST
def production_archive(request: HttpRequest, pk: int) -> HttpResponse:
    production = access.production_get_for(user=request.user, pk=pk)
    archive = request.POST.get("archive") != "0"
    portfolio.production_archive(production=production, by=request.user, archived=archive)
    if archive:
        messages.success(request, _("%(name)s is archived.") % {"name": production})
    else:
        messages.success(request, _("%(name)s is back among the current productions.") % {"name": production})
    return redirect("production:portfolio")
