"""Write services of the speaker directory: add a speaker, change their details (ADR 0013)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import clean as _clean
from ..errors import field_error as _field_error
from ..models import EmailLog, Speaker, SpeakerLink
from ..outbox.rendering import studio_url
from ..outbox.team_notices import team_notice
from .permissions import speaker_manage_check, speaker_productions

SPEAKER_FIELDS = ("name", "email", "organisation", "role", "phone", "language", "time_zone", "notes")


@transaction.atomic
def speaker_create(*, name: str, email: str, by, **fields) -> Speaker:
    """Add a speaker to the shared directory; until they are on an item, ``by`` owns them (ADR 0013)."""
    speaker = Speaker(name=name.strip(), email=email.strip().lower(), created_by=by, **fields)
    if Speaker.objects.filter(email__iexact=speaker.email).exists():
        raise _field_error(
            "email",
            _("A speaker with the email address %(email)s already exists; open that speaker instead.")
            % {"email": speaker.email},
            code="duplicate",
        )
    _clean(speaker)
    speaker.save()
    return speaker


@transaction.atomic
def speaker_update(*, speaker: Speaker, by, **fields) -> Speaker:
    """Change a speaker's details. A producer (``by``) must be on the team of every production the
    speaker works with (``permissions.speaker_manage_check``, ADR 0013); ``by=None`` is the system.
    A new address withdraws the personal links sent to the old one, re-addresses the speaker's
    queued emails and tells the team of every production the speaker works with."""

    old_email = Speaker.objects.select_for_update().values_list("email", flat=True).get(pk=speaker.pk)
    if by is not None:
        speaker_manage_check(user=by, speaker=speaker)
    for key, value in fields.items():
        if key not in SPEAKER_FIELDS:
            raise _field_error(key, _("%(field)s cannot be changed here.") % {"field": key})
        setattr(speaker, key, value.strip() if isinstance(value, str) else value)
    speaker.email = speaker.email.lower()
    if Speaker.objects.filter(email__iexact=speaker.email).exclude(pk=speaker.pk).exists():
        raise _field_error(
            "email",
            _("Another speaker already uses %(email)s.") % {"email": speaker.email},
            code="duplicate",
        )
    _clean(speaker)
    speaker.save()
    if speaker.email != old_email.lower():
        SpeakerLink.objects.filter(speaker=speaker, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        EmailLog.objects.filter(
            speaker=speaker, state=EmailLog.State.QUEUED, recipient__iexact=old_email
        ).update(recipient=speaker.email, recipient_name=speaker.name)
        productions = list(speaker_productions(speaker=speaker).select_related("course").order_by("id"))
        transaction.on_commit(lambda: _speaker_address_announce(speaker, old_email, productions, by))
    return speaker


def _speaker_address_announce(speaker: Speaker, old_email: str, productions, by) -> None:
    """Tell each team the speaker works with that mail to the speaker now goes elsewhere."""

    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    for production in productions:
        team_notice(
            production=production,
            key=f"speaker-address:{speaker.pk}:{production.pk}:{stamp}",
            headline=lambda: _("%(speaker)s has a new email address") % {"speaker": speaker.name},
            lines=[
                lambda: (
                    _("Changed by %(who)s: %(old)s → %(new)s")
                    % {
                        "who": str(by) if by is not None else _("the system"),
                        "old": old_email,
                        "new": speaker.email,
                    }
                ),
                lambda: _(
                    "Personal links sent to the old address no longer work; the next email to the "
                    "speaker carries a new one. If you did not expect this, check the speaker's details."
                ),
            ],
            url=studio_url(f"speakers/{speaker.pk}/"),
            related_label=speaker.name,
            kind=EmailLog.Kind.TEAM_NOTICE,
        )
