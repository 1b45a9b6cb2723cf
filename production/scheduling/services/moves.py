"""Moving a recording session or pre-talk to another start (the studio calendar's drag-and-drop and
its "move to" form). The move keeps the item's length and goes through the very services of the
edit forms (``recording_session_update``, ``pretalk_update``): the same checks, the location's
double-booking rule, history with ``by``, ``ItemChanged`` and so the speakers' updates. One check
more than the edit forms: a move never lands in the past (a drop on the wrong row is a slip; a
session that really took place earlier is changed in its edit form). ADR 0026."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from production.errors import field_error, utc
from production.models import PreTalk, RecordingSession

from .checks import check_start, when
from .pretalks import pretalk_update
from .sessions import recording_session_update


def scheduled_item_move(
    *,
    item: RecordingSession | PreTalk,
    starts_at: datetime,
    confirm_double_booking: bool = False,
    by,
    reason: str = "",
) -> RecordingSession | PreTalk:
    """Give ``item`` the new start ``starts_at`` (an aware datetime), keeping its length."""
    check_start(starts_at)
    if utc(starts_at) < timezone.now():
        raise field_error(
            "starts_at",
            _("%(start)s is in the past; move it to a time from now on.") % {"start": when(starts_at)},
            code="in_the_past",
        )
    if isinstance(item, RecordingSession):
        length = utc(item.ends_at) - utc(item.starts_at)
        return recording_session_update(
            session=item,
            starts_at=utc(starts_at),
            ends_at=utc(starts_at) + length,
            confirm_double_booking=confirm_double_booking,
            by=by,
            reason=reason,
        )
    return pretalk_update(pretalk=item, starts_at=utc(starts_at), by=by, reason=reason)
