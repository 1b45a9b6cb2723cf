"""Write services of productions and their post-production steps.

Here rather than in ``studio/``: the demo data and the API create productions too, and nothing in
``production`` may import the studio pages (an import-linter contract), so the services of a
production sit beside its access rules (``access.py``) and history (``history.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import clean as _clean
from .errors import field_error as _field_error
from .history import history_record
from .models import PostProduction, Production, ScriptPart, StepState


def _record(production: Production, subject, action: str, by, **values) -> None:
    history_record(production=production, subject=subject, action=action, by=by, **values)


def _ensure_lecture_rows(production: Production) -> set[int]:
    """Script-part and post-production rows for every lecture of the course; the lectures that got one."""
    lectures = list(production.course.lectures.values_list("id", flat=True))
    have_script = set(ScriptPart.objects.filter(lecture_id__in=lectures).values_list("lecture_id", flat=True))
    ScriptPart.objects.bulk_create(
        [ScriptPart(production=production, lecture_id=pk) for pk in lectures if pk not in have_script]
    )
    have_post = set(
        PostProduction.objects.filter(lecture_id__in=lectures).values_list("lecture_id", flat=True)
    )
    PostProduction.objects.bulk_create(
        [PostProduction(production=production, lecture_id=pk) for pk in lectures if pk not in have_post]
    )
    return {pk for pk in lectures if pk not in have_script or pk not in have_post}


@transaction.atomic
def production_create(
    *,
    course,
    client: str,
    team: Iterable = (),
    target_launch_on: date | None = None,
    post_production_days: int = 21,
    notes: str = "",
    call_sheet_emails: bool = False,
    by,
) -> Production:
    if Production.objects.filter(course=course).exists():
        raise _field_error(
            "course", _("“%(course)s” already has a production.") % {"course": course}, code="duplicate"
        )
    production = Production(
        course=course,
        client=client.strip(),
        target_launch_on=target_launch_on,
        post_production_days=post_production_days,
        notes=notes,
        call_sheet_emails=call_sheet_emails,
    )
    _clean(production)
    production.save()
    members = list(team)
    if by is not None and getattr(by, "is_authenticated", False) and by not in members:
        members.append(by)
    production.team.set(members)
    _ensure_lecture_rows(production)
    _record(production, production, "created", by)
    return production


@transaction.atomic
def production_update(*, production: Production, by, team: Iterable | None = None, **fields) -> Production:
    """Change a production; a new target launch date is recorded as such, other changes as one
    "changed" entry naming the fields."""
    allowed = {"client", "target_launch_on", "post_production_days", "notes", "call_sheet_emails"}
    changed = []
    for key, value in fields.items():
        if key not in allowed:
            raise _field_error(key, _("%(field)s cannot be changed here.") % {"field": key})
        if key == "target_launch_on" and value != production.target_launch_on:
            before = production.target_launch_on or ""
            _record(production, production, "target_changed", by, from_value=before, to_value=value or "")
        elif key != "target_launch_on" and getattr(production, key) != value:
            changed.append(key)
        setattr(production, key, value)
    _clean(production, exclude=["course"])
    production.save()
    if team is not None:
        members = list(team)
        if {m.pk for m in members} != set(production.team.values_list("pk", flat=True)):
            changed.append("team")
        production.team.set(members)
    _ensure_lecture_rows(production)
    if changed:
        names = [str(Production._meta.get_field(key).verbose_name) for key in changed]
        _record(production, production, "updated", by, to_value=", ".join(names))
    return production


def production_sync_lectures(*, production: Production, by) -> None:
    """Create script-part and post-production rows for lectures added to the course later."""
    with transaction.atomic():
        added = _ensure_lecture_rows(production)
        if added:
            lectures = production.course.lectures.filter(pk__in=added).order_by("position", "id")
            titles = ", ".join(lectures.values_list("title", flat=True))
            _record(production, production, "updated", by, to_value=titles)


@transaction.atomic
def post_production_set(
    *, item: PostProduction, step: str, state: str, by, reason: str = ""
) -> PostProduction:
    item = (
        PostProduction.objects.select_for_update(of=("self",))
        .select_related("production", "lecture")
        .get(pk=item.pk)
    )
    if step not in PostProduction.STEPS:
        raise _field_error("step", _("Choose edit, captions or review."))
    if state not in StepState.values:
        raise _field_error("state", _("Choose not started, in progress or done."))
    previous = getattr(item, step)
    if previous == state:
        return item
    setattr(item, step, state)
    item.save(update_fields=[step, "updated_at"])
    _record(item.production, item, step, by, from_value=previous, to_value=state, reason=reason)
    return item
