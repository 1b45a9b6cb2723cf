"""Email addresses: the one check every wing uses before it plans or queues mail. A leaf below
scheduling and the outbox alike, so scheduling can refuse an uninvitable speaker without importing
the outbox (ADR 0019)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError

from .ical import one_line
from .models import Speaker


class InvalidRecipientError(ValueError):
    """The recipient has no usable email address."""


class SpeakerNotInvitableError(ApplicationError):
    default_code = "speaker_not_invitable"


def validate_address(address: str) -> str:
    cleaned = (address or "").strip()
    if not cleaned or cleaned != one_line(cleaned):
        raise InvalidRecipientError("No email address.")
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise InvalidRecipientError(f"“{cleaned}” is not a valid email address.") from exc
    return cleaned


def speaker_check_invitable(*, speaker: Speaker) -> None:
    """A speaker can only be put on a session or pre-talk with a usable email address."""
    try:
        validate_address(speaker.email)
    except InvalidRecipientError as exc:
        raise SpeakerNotInvitableError(
            _("%(speaker)s cannot be invited: %(problem)s Fix the speaker's email address first.")
            % {"speaker": one_line(speaker.name), "problem": exc},
            extra={"field": "speakers"},
        ) from exc
