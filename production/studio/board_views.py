"""A production's board and its changes in place (ADR 0025).

Every control is a plain form that works without JavaScript (POST, then redirect to the board with a
message). With htmx (``request.htmx``) a cell's form gets back its re-rendered row, and a bulk change
the changed rows, plus the readiness summary and a status line swapped out of band. A refused change
answers 422 with the row and the reason next to the control; a lecture outside the producer's
productions is a 404 either way."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from omooc.exceptions import ApplicationError

from ..access import production_get_for
from ..board import COLUMN_LABELS, COLUMNS, Board, Row, board_filter, board_for
from ..models import Production, ScriptPart, StepState
from ..scheduling.forms import PostponeForm
from ..scheduling.services.undo import hold_undo_offers
from ..scripts.states import SCRIPT_TRANSITIONS
from ..views import studio_view
from . import board_actions, forms

REFUSED = 422  # htmx swaps it (htmx-config in templates/includes/studio_layout.html)


@dataclass
class Control:
    """The in-place form of a cell: the state the producer sees and the states it may go to."""

    url: str
    seen: str
    choices: list[tuple[str, str]]
    chosen: str = ""  # the option shown selected: the state seen, or the one just refused for a reason
    error: str = ""
    needs_reason: bool = False


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
            cell.column_label = COLUMN_LABELS[cell.column]
            name, obj = targets.get(cell.column, ("", None))
            if obj is not None:
                cell.link = reverse(name, kwargs={"pk": obj.pk})


def _add_controls(production: Production, rows: list[Row]) -> None:
    """A form on the script, edit and captions cells; none where the media decide the step (a ready
    video is edited, a caption track is captioned) or where the lecture has no script part yet."""
    for row in rows:
        for column in board_actions.CELL_COLUMNS:
            cell = row.cell(column)
            cell.control = None
            url = reverse("production:board_cell", args=[production.pk, row.lecture.pk, column])
            if column == "script":
                if row.script_part is None:
                    continue
                current = row.script_part.state
                allowed = {current, *SCRIPT_TRANSITIONS[current]}
                choices = [(s, str(label)) for s, label in ScriptPart.State.choices if s in allowed]
            else:
                if cell.state == "done" and cell.detail:  # set by the media (board.py's automatic rule)
                    continue
                current = getattr(row.post_production, column, StepState.NOT_STARTED)
                choices = [(s, str(label)) for s, label in StepState.choices]
            cell.control = Control(url=url, seen=current, chosen=current, choices=choices)


def _board(production: Production) -> Board:
    board = board_for(production)
    _link_cells(board.rows)
    _add_controls(production, board.rows)
    return board


@studio_view
def production_board(request: HttpRequest, pk: int) -> HttpResponse:
    production = production_get_for(user=request.user, pk=pk)
    board = _board(production)
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
            "bulk_form": forms.BoardBulkForm(auto_id="bulk-%s"),
            "selected": set(),
            "postpone_form": PostponeForm(),
            "hold_undo_offers": hold_undo_offers(user=request.user, production=production),
        },
    )


def _to_board(production: Production, lecture_id: int | None = None) -> HttpResponse:
    url = reverse("production:board", args=[production.pk])
    return redirect(f"{url}#lecture-{lecture_id}" if lecture_id else url)


def _fragment(request, production, board, *, rows, status, error=False, bulk=False, selected=(), code=200):
    """The rows (a cell's row is the main swap, a bulk change's rows go out of band), the readiness
    summary and the status line (out of band)."""
    return render(
        request,
        "production/_board_changed.html",
        {
            "production": production,
            "readiness": board.readiness,
            "rows": rows,
            "bulk": bulk,
            "status": status,
            "status_error": error,
            "selected": set(selected),
        },
        status=code,
    )


@require_POST
@studio_view
def board_cell(request: HttpRequest, pk: int, lecture_id: int, column: str) -> HttpResponse:
    """Change one cell of a lecture's row: its script state, edit or captions step."""
    if column not in board_actions.CELL_COLUMNS:
        raise Http404(_("This column cannot be changed on the board."))
    production = production_get_for(user=request.user, pk=pk)
    (lecture,) = board_actions.board_lectures(production=production, ids=[lecture_id])
    form = forms.BoardCellForm(request.POST)
    error, needs_reason = "", False
    if form.is_valid():
        data = form.cleaned_data
        try:
            if column == "script":
                board_actions.board_script_set(
                    production=production,
                    lecture=lecture,
                    state=data["state"],
                    seen=data["seen"] or None,
                    reason=data["reason"],
                    by=request.user,
                )
            else:
                board_actions.board_steps_set(
                    production=production,
                    lectures=[lecture],
                    step=column,
                    state=data["state"],
                    seen=data["seen"] or None,
                    reason=data["reason"],
                    by=request.user,
                )
        except ApplicationError as exc:
            error, needs_reason = exc.message, exc.extra.get("field") == "reason"
    else:
        error = _("Choose a state.")
    done = _("%(column)s of “%(lecture)s” saved.") % {"column": COLUMN_LABELS[column], "lecture": lecture}
    if not request.htmx:
        messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or done)
        return _to_board(production, lecture.pk)
    board = _board(production)
    row = next(r for r in board.rows if r.lecture.pk == lecture.pk)
    if error:
        control = row.cell(column).control
        if control is not None:
            control.error, control.needs_reason = error, needs_reason
            if needs_reason:
                control.chosen = form.cleaned_data["state"]
        return _fragment(request, production, board, rows=[row], status=error, error=True, code=REFUSED)
    return _fragment(request, production, board, rows=[row], status=done)


@require_POST
@studio_view
def board_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """The selected lectures: set one post-production step for all of them (all or nothing), or plan a
    recording session for them."""
    production = production_get_for(user=request.user, pk=pk)
    form = forms.BoardBulkForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _bulk_refused(request, production, error, [])
    data = form.cleaned_data
    lectures = board_actions.board_lectures(production=production, ids=data["lectures"])
    if data["action"] == "session":
        query = urlencode([("lectures", lecture.pk) for lecture in lectures])
        url = f"{reverse('production:session_create', args=[production.pk])}?{query}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    try:
        board_actions.board_steps_set(
            production=production, lectures=lectures, step=data["step"], state=data["state"], by=request.user
        )
    except ApplicationError as exc:
        return _bulk_refused(request, production, exc.message, lectures)
    done = ngettext(
        "%(step)s set to “%(state)s” for %(count)d lecture: %(lectures)s.",
        "%(step)s set to “%(state)s” for %(count)d lectures: %(lectures)s.",
        len(lectures),
    ) % {
        "step": COLUMN_LABELS[data["step"]],
        "state": StepState(data["state"]).label,
        "count": len(lectures),
        "lectures": ", ".join(str(lecture) for lecture in lectures),
    }
    if not request.htmx:
        messages.success(request, done)
        return _to_board(production)
    board = _board(production)
    ids = {lecture.pk for lecture in lectures}
    rows = [r for r in board.rows if r.lecture.pk in ids]
    return _fragment(request, production, board, rows=rows, status=done, bulk=True, selected=ids)


def _bulk_refused(request, production, error: str, lectures) -> HttpResponse:
    if not request.htmx:
        messages.error(request, error)
        return _to_board(production)
    board = _board(production)
    return _fragment(
        request, production, board, rows=[], status=error, error=True, bulk=True, code=REFUSED,
        selected={lecture.pk for lecture in lectures},
    )  # fmt: skip
