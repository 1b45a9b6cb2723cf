"""Write services of script parts: a new version, a review transition, reviewer and due date."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import field_error as _field_error
from ..errors import illegal as _illegal
from ..history import history_record
from ..models import ScriptPart, ScriptVersion
from .states import SCRIPT_TRANSITIONS


def _locked(part: ScriptPart, *also: str) -> ScriptPart:
    """The part, row-locked, with what its history and messages name (production, lecture)."""
    related = ("production", "lecture", *also)
    return ScriptPart.objects.select_for_update(of=("self",)).select_related(*related).get(pk=part.pk)


def _record(part: ScriptPart, action: str, by, **values: str) -> None:
    history_record(production=part.production, subject=part, action=action, by=by, **values)


@transaction.atomic
def script_version_add(*, part: ScriptPart, by, text: str = "", file=None) -> ScriptVersion:
    part = _locked(part)
    if not (text or "").strip() and not file:
        raise _field_error("text", _("Add the script text or attach a file."))
    number = (part.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ScriptVersion(part=part, number=number, text=(text or "").strip(), author=by)
    if file:
        version.file = file
    version.save()
    _record(part, "version_added", by, to_value=f"v{number}")
    return version


@transaction.atomic
def script_part_transition(*, part: ScriptPart, to_state: str, by, reason: str = "") -> ScriptPart:
    part = _locked(part)
    if to_state not in ScriptPart.State.values:
        raise _field_error("state", _("Unknown script state “%(state)s”.") % {"state": to_state})
    allowed = SCRIPT_TRANSITIONS[part.state]
    if to_state not in allowed:
        raise _illegal(
            _("Script of “%(lecture)s”") % {"lecture": part.lecture},
            ScriptPart.State(part.state).label,
            ScriptPart.State(to_state).label,
            [ScriptPart.State(a).label for a in allowed],
        )
    if to_state == ScriptPart.State.IN_REVIEW and not part.versions.exists():
        raise _field_error("state", _("Add a version of the script before sending it for review."))
    if to_state == ScriptPart.State.CHANGES_REQUESTED and not reason.strip():
        raise _field_error("reason", _("Say which changes are needed."))
    previous = part.state
    part.state = to_state
    part.save(update_fields=["state", "updated_at"])
    _record(part, "state", by, from_value=previous, to_value=to_state, reason=reason)
    return part


@transaction.atomic
def script_part_update(*, part: ScriptPart, by, reviewer=None, due_on: date | None = None) -> ScriptPart:
    """Set the reviewer and the due date; a change is recorded as "reviewer · due date"."""
    part = _locked(part, "reviewer")
    if reviewer is not None and not reviewer.is_producer:
        raise _field_error("reviewer", _("The reviewer must be a producer."))
    before = _reviewer_and_due(part)
    part.reviewer = reviewer
    part.due_on = due_on
    part.save(update_fields=["reviewer", "due_on", "updated_at"])
    after = _reviewer_and_due(part)
    if after != before:
        _record(part, "updated", by, from_value=before, to_value=after)
    return part


def _reviewer_and_due(part: ScriptPart) -> str:
    return f"{part.reviewer or '—'} · {part.due_on.isoformat() if part.due_on else '—'}"
