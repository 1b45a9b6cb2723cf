"""Reads of script parts, within the producer's team scope."""

from __future__ import annotations

from django.utils.translation import gettext as _

from omooc.exceptions import NotFoundError

from ..access import production_visible_to
from ..models import ScriptPart


def script_part_get_for(*, user, pk) -> ScriptPart:
    part = (
        ScriptPart.objects.filter(production__in=production_visible_to(user).values("pk"), pk=pk)
        .select_related("production__course", "lecture", "reviewer")
        .prefetch_related("versions__author")
        .first()
    )
    if part is None:
        raise NotFoundError(_("No script part with this number in your productions."))
    return part
