"""The board's changes in place: one lecture's script state, edit or captions step (a cell of the
board), and one post-production step for many lectures at once.

A bulk change is all or nothing: every selected lecture is locked and checked first; if one cannot
take the change, nothing changes and the error names that lecture. A change from the board carries the
state the producer saw (``seen``); when the stored state has moved on since, the change is refused as
stale instead of overwriting what a colleague just set."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Caption, Lecture, Video
from omooc.exceptions import ConflictError, NotFoundError

from ..errors import field_error
from ..history import history_entry, history_record_many
from ..models import PostProduction, Production, ScriptPart, StepState
from ..productions import production_sync_lectures
from ..scripts.services import script_part_transition

STEP_COLUMNS = ("edit", "captions")
CELL_COLUMNS = ("script", *STEP_COLUMNS)


class BoardChangeRefused(ConflictError):
    """A change the board cannot make: stale, or a lecture whose step is set by its media."""

    default_code = "board_change_refused"


def board_lectures(*, production: Production, ids) -> list[Lecture]:
    """The production's lectures with these ids, in board order; any id outside it is "not found"
    (another team's lecture or another production's: the same answer, nothing is revealed)."""
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise NotFoundError(_("No lecture with this number in this production.")) from None
    lectures = list(
        Lecture.objects.filter(course_id=production.course_id, pk__in=wanted).order_by("position", "id")
    )
    if not wanted or len(lectures) != len(wanted):
        raise NotFoundError(_("No lecture with this number in this production."))
    return lectures


def _step_label(step: str) -> str:
    return {"edit": _("Edit"), "captions": _("Captions")}[step]


def _stale(lecture, what: str, now_label: str) -> str:
    return _(
        "%(what)s of “%(lecture)s” was changed meanwhile to “%(state)s”; the board shows it now. "
        "Choose again."
    ) % {"what": what, "lecture": lecture, "state": now_label}


def _set_by_media(step: str, lecture: Lecture, languages: list[str]) -> str:
    if step == "edit":
        return _("“%(lecture)s” has a ready video, so its edit counts as done; it cannot be set by hand.") % {
            "lecture": lecture
        }
    return _(
        "“%(lecture)s” has caption tracks (%(languages)s), so its captions count as done; "
        "remove the tracks to set them by hand."
    ) % {"lecture": lecture, "languages": ", ".join(sorted(languages))}


@transaction.atomic
def board_steps_set(
    *,
    production: Production,
    lectures: list[Lecture],
    step: str,
    state: str,
    by,
    seen: str | None = None,
    reason: str = "",
) -> list[PostProduction]:
    """Set one post-production step (edit or captions) of the lectures, all or nothing.

    Refused, naming the lectures, when a lecture's step is set by its media (a ready video counts as
    edited, a caption track as captioned) and ``state`` is not "done", or when ``seen`` is given and
    the stored state has changed since. Queries do not grow with the number of lectures."""
    if step not in STEP_COLUMNS:
        raise field_error("step", _("Choose edit or captions."))
    if state not in StepState.values:
        raise field_error("state", _("Choose not started, in progress or done."))
    lecture_ids = [lecture.pk for lecture in lectures]
    if PostProduction.objects.filter(lecture_id__in=lecture_ids).count() != len(lecture_ids):
        production_sync_lectures(production=production, by=by)
    items = list(
        PostProduction.objects.select_for_update(of=("self",))
        .filter(production=production, lecture_id__in=lecture_ids)
        .select_related("lecture")
        .order_by("pk")
    )
    if len(items) != len(lecture_ids):  # a lecture held by another production's row
        raise NotFoundError(_("No lecture with this number in this production."))
    media: dict[int, list[str]] = {}
    if step == "edit":
        ready = Video.objects.filter(lecture_id__in=lecture_ids, is_current=True, status=Video.Status.READY)
        media = {pk: [] for pk in ready.values_list("lecture_id", flat=True)}
    else:
        for lecture_id, language in Caption.objects.filter(lecture_id__in=lecture_ids).values_list(
            "lecture_id", "language"
        ):
            media.setdefault(lecture_id, []).append(language)
    problems = []
    for item in sorted(items, key=lambda i: (i.lecture.position, i.lecture_id)):
        current = getattr(item, step)
        if item.lecture_id in media and state != StepState.DONE:
            problems.append(_set_by_media(step, item.lecture, media[item.lecture_id]))
        elif seen is not None and current not in (seen, state):
            problems.append(_stale(item.lecture, _step_label(step), StepState(current).label))
    if problems:
        raise BoardChangeRefused(
            _("Nothing was changed. %(problems)s") % {"problems": " ".join(problems)},
            extra={"field": "state"},
        )
    changed = [item for item in items if getattr(item, step) != state]
    if changed:
        PostProduction.objects.filter(pk__in=[i.pk for i in changed]).update(
            **{step: state, "updated_at": timezone.now()}
        )
        history_record_many(
            [
                history_entry(
                    production=production,
                    subject=item,
                    action=step,
                    by=by,
                    from_value=getattr(item, step),
                    to_value=state,
                    reason=reason,
                )
                for item in changed
            ]
        )
        for item in changed:
            setattr(item, step, state)
    return items


@transaction.atomic
def board_script_set(
    *, production: Production, lecture: Lecture, state: str, by, seen: str | None = None, reason: str = ""
) -> ScriptPart:
    """Move a lecture's script to ``state`` through the script's own review rules, refusing a stale
    change (the state moved on since the producer saw ``seen``)."""
    part = (
        ScriptPart.objects.select_for_update(of=("self",))
        .filter(production=production, lecture=lecture)
        .select_related("lecture")
        .first()
    )
    if part is None:
        raise NotFoundError(_("No script part for this lecture in this production."))
    if part.state == state:
        return part
    if seen is not None and part.state != seen:
        raise BoardChangeRefused(
            _stale(lecture, _("Script"), ScriptPart.State(part.state).label), extra={"field": "state"}
        )
    return script_part_transition(part=part, to_state=state, by=by, reason=reason)
