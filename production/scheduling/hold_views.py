"""Studio pages of holds (ADR 0024): the hold form of a session, of a production's recordings and
of all the producer's recordings, each in two steps (the form, then a preview to confirm; no
JavaScript), the page a confirmed hold lands on, and its undo. Each view checks access (``studio_view``
and the team scope) and calls one service; refusals are shown on the page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_POST

from omooc.exceptions import ApplicationError
from production import access
from production.views import studio_view

from . import forms, selectors
from .services import holds, undo

CONFIRM, EDIT = "confirm", "edit"


def _hold_flow(request: HttpRequest, *, title: str, back: str, **scope) -> HttpResponse:
    """Form → preview → confirm, for ``scope`` (``session=`` or ``productions=``). The preview and the
    confirmation run ``holds.hold_plan``; confirming applies the plan the producer saw (its
    fingerprint), or shows the new preview when the schedule changed meanwhile."""
    form = forms.HoldForm(request.POST or None)
    step = request.POST.get("step", "")
    if request.method == "POST" and step != EDIT and form.is_valid():
        data = form.cleaned_data
        try:
            if step == CONFIRM:
                plan, batch = holds.hold_apply(
                    **scope, **data, expected=request.POST.get("plan", ""), by=request.user
                )
                return _confirmed(request, plan, batch, back)
            plan = holds.hold_plan(**scope, **data)
        except holds.HoldPlanChangedError as exc:
            messages.warning(request, exc.message)
            plan = holds.hold_plan(**scope, **data)
        except ApplicationError as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
            plan = None
        if plan is not None:
            return render(
                request,
                "production/hold_preview.html",
                {"plan": plan, "title": title, "back": back, "production": _one(plan)},
            )
    return render(
        request,
        "production/form.html",
        {"form": form, "title": title, "submit": _("Preview the hold"), "production": None},
    )


def _one(plan: holds.HoldPlan):
    return plan.productions[0] if len(plan.productions) == 1 else None


def _confirmed(request: HttpRequest, plan: holds.HoldPlan, batch, back: str) -> HttpResponse:
    if batch is None:
        messages.info(request, _("Nothing changed: these recordings were already on hold until then."))
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "%(count)d recording session put on hold until at least %(date)s.",
            "%(count)d recording sessions put on hold until at least %(date)s.",
            len(plan.sessions),
        )
        % {"count": len(plan.sessions), "date": formats.date_format(plan.until, "DATE_FORMAT")},
    )
    return redirect("production:hold", pk=batch.pk)


@studio_view
def session_hold(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    return _hold_flow(
        request,
        title=_("Put the recording session on hold"),
        back=reverse("production:session", kwargs={"pk": session.pk}),
        session=session,
    )


@studio_view
def production_postpone(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        production = access.production_get_for(user=request.user, pk=pk)
        return _hold_flow(
            request,
            title=_("Hold all recordings of %(name)s") % {"name": production},
            back=reverse("production:board", kwargs={"pk": production.pk}),
            productions=[production],
        )
    return _hold_flow(
        request,
        title=_("Hold all recordings of all my productions"),
        back=reverse("production:home"),
        productions=access.production_list(user=request.user),
    )


@studio_view
def hold_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a confirmed hold lands: what it changed, and undo while it may."""
    batch = undo.hold_batch_get_for(user=request.user, pk=pk)
    offers = [o for o in undo.hold_undo_offers(user=request.user) if o.batch.pk == batch.pk]
    items = undo.hold_batch_sessions(batch)
    productions = {item.session.production_id: item.session.production for item in items}
    return render(
        request,
        "production/hold_detail.html",
        {
            "batch": batch,
            "items": items,
            "hold_undo_offers": offers,
            "production": next(iter(productions.values())) if len(productions) == 1 else None,
        },
    )


@require_POST
@studio_view
def hold_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = undo.hold_batch_get_for(user=request.user, pk=pk)
    try:
        result = undo.hold_undo(batch=batch, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("production:hold", pk=batch.pk)
    parts = [
        (
            result.sessions,
            ngettext_lazy(
                "Hold undone: %(count)d recording session is back as it was.",
                "Hold undone: %(count)d recording sessions are back as they were.",
                "count",
            ),
        ),
        (
            result.corrections,
            ngettext_lazy(
                "Its speakers had the postponement already and get one correction.",
                "%(count)d sessions' speakers had the postponement already and get one correction.",
                "count",
            ),
        ),
        (
            result.withdrawn,
            ngettext_lazy(
                "%(count)d postponement had not left yet and was withdrawn.",
                "%(count)d postponements had not left yet and were withdrawn.",
                "count",
            ),
        ),
    ]
    text = " ".join(str(message % {"count": n}) for n, message in parts if n)
    messages.success(request, text)
    return redirect("production:hold", pk=batch.pk)
