"""The production app's errors and the validation helpers every wing shares: one error family
(``omooc.exceptions.ApplicationError``), each naming the field and the problem."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError, ConflictError


class TransitionError(ApplicationError):
    default_code = "illegal_transition"


class SchedulingError(ApplicationError):
    default_code = "invalid_schedule"


class LocationDoubleBookedError(ConflictError):
    default_code = "location_double_booked"


class StaleAnswerError(ConflictError):
    """An answer given to an older version of a session or pre-talk (its time or place changed since)."""

    default_code = "answer_outdated"


def utc(dt: datetime) -> datetime:
    """The instant in UTC. Every time rule compares these: aware datetimes sharing one ``ZoneInfo``
    compare (and subtract) by wall clock, so 02:30 CEST and 02:30 CET would look equal."""
    return dt.astimezone(UTC)


def field_error(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, extra={"field": field})


def clean(instance, *, exclude: Iterable[str] = ()) -> None:
    """``full_clean`` as an ApplicationError naming the first bad field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        errors = exc.message_dict
        field, messages = next(iter(errors.items()))
        label = field
        if field != "__all__":
            try:
                label = str(instance._meta.get_field(field).verbose_name)
            except Exception:  # noqa: BLE001 - a non-field key
                label = field
        raise ApplicationError(
            f"{label}: {messages[0]}" if field != "__all__" else messages[0],
            code="invalid",
            extra={"field": field, "fields": errors},
        ) from exc


def illegal(label, current, target, allowed) -> TransitionError:
    names = ", ".join(sorted(str(a) for a in allowed)) or _("none: this is a final state")
    return TransitionError(
        _("%(item)s cannot go from “%(from)s” to “%(to)s”. Allowed next states: %(allowed)s.")
        % {"item": label, "from": current, "to": target, "allowed": names},
        extra={"field": "state", "from": str(current), "to": str(target)},
    )
