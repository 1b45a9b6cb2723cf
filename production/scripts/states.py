"""The states of a script part and the transitions between them (the services enforce them, the
forms offer them)."""

from __future__ import annotations

from ..models import ScriptPart

SCRIPT_TRANSITIONS: dict[str, set[str]] = {
    ScriptPart.State.DRAFT: {ScriptPart.State.IN_REVIEW},
    ScriptPart.State.IN_REVIEW: {ScriptPart.State.CHANGES_REQUESTED, ScriptPart.State.APPROVED},
    ScriptPart.State.CHANGES_REQUESTED: {ScriptPart.State.IN_REVIEW},
    ScriptPart.State.APPROVED: {ScriptPart.State.CHANGES_REQUESTED},
}
