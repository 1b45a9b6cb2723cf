"""Who may change a speaker, withdraw their links or send them a new one (ADR 0013).

The speaker directory is shared: every producer finds every speaker (to put them on a session) and
sees their contact details, but only the items of their own team's productions. A speaker's contact
details are changed, and their personal links withdrawn, only by the producers of EVERY production
the speaker works with (has a session or pre-talk in, in any state): a producer of team A can never
redirect the mail of a speaker who also works with team B. A speaker on nothing yet belongs to
whoever added them (``Speaker.created_by``; nobody recorded: any producer). Superusers always may.
A new link may be emailed by any team the speaker works with: it goes to the stored address, which
only the speaker's own teams can change.

One rule for every interface: the services (``speakers.services.speaker_update``,
``speakers.links.speaker_link_send``/``speaker_links_revoke``) check it, so the studio pages, the API
and the admin agree.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from omooc.exceptions import AccessDeniedError

from ..models import PreTalkSpeaker, Production, SessionSpeaker, Speaker


class SpeakerNotYoursError(AccessDeniedError):
    default_code = "speaker_not_yours"


def speaker_productions(*, speaker: Speaker) -> QuerySet[Production]:
    """The productions a speaker works with: a session or pre-talk of theirs, in any state."""
    return Production.objects.filter(
        Q(Exists(SessionSpeaker.objects.filter(speaker=speaker, session__production=OuterRef("pk"))))
        | Q(Exists(PreTalkSpeaker.objects.filter(speaker=speaker, pretalk__production=OuterRef("pk"))))
    )


def _is_producer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_producer)


def speaker_may_manage(*, user, speaker: Speaker) -> bool:
    """May ``user`` change the speaker's contact details and withdraw their links?"""
    if not _is_producer(user):
        return False
    if user.is_superuser:
        return True
    productions = speaker_productions(speaker=speaker)
    if productions.exists():
        return not productions.exclude(team=user).exists()
    return speaker.created_by_id in (None, user.pk)


def speaker_may_send_link(*, user, speaker: Speaker) -> bool:
    """May ``user`` email the speaker a new personal link (to the stored address)?"""
    if not _is_producer(user):
        return False
    return speaker_productions(speaker=speaker).filter(team=user).exists() or speaker_may_manage(
        user=user, speaker=speaker
    )


CHANGE, WITHDRAW, SEND = "change", "withdraw", "send"


def _refusal(*, speaker: Speaker, action: str) -> SpeakerNotYoursError:
    """The message names what was refused, why, and whom to ask."""
    refused = {
        CHANGE: _("You cannot change the contact details of %(name)s."),
        WITHDRAW: _("You cannot withdraw the personal links of %(name)s."),
        SEND: _("You cannot send a personal link to %(name)s."),
    }[action] % {"name": speaker.name}
    if speaker_productions(speaker=speaker).exists():
        why = _(
            "They work with another team's productions: only producers of every team they work with, "
            "or a studio administrator, can do this. Ask one of them."
        )
    else:
        why = _(
            "Another producer added them and they are on no session or pre-talk yet: only that producer "
            "or a studio administrator can do this."
        )
    return SpeakerNotYoursError(f"{refused} {why}", extra={"speaker": speaker.pk, "action": action})


def speaker_manage_check(*, user, speaker: Speaker, action: str = CHANGE) -> None:
    """Raise ``SpeakerNotYoursError`` unless ``user`` may manage the speaker (see the module)."""
    if not speaker_may_manage(user=user, speaker=speaker):
        raise _refusal(speaker=speaker, action=action)


def speaker_send_link_check(*, user, speaker: Speaker) -> None:
    if not speaker_may_send_link(user=user, speaker=speaker):
        raise _refusal(speaker=speaker, action=SEND)


def speaker_rights(*, user, speaker: Speaker) -> dict[str, bool]:
    """What the studio pages offer for this speaker (buttons shown only when they would work)."""
    manage = speaker_may_manage(user=user, speaker=speaker)
    return {
        "may_manage": manage,
        "may_send_link": manage or speaker_may_send_link(user=user, speaker=speaker),
        "shared_elsewhere": not manage and speaker_productions(speaker=speaker).exclude(team=user).exists(),
    }
