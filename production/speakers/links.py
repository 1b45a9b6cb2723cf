"""A speaker's personal links: a random token (192 bits) of which only the SHA-256 is stored. A link
stops working when a producer revokes the speaker's links, or ``LINK_VALID_AFTER_LAST_ITEM`` after the
end of the speaker's last session or pre-talk (whichever is later; computed on use, so scheduling a
new session keeps the links alive)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from omooc.exceptions import AccessDeniedError

from ..models import EmailLog, PreTalk, RecordingSession, Speaker, SpeakerLink, Target
from ..outbox.rendering import speaker_url
from .permissions import WITHDRAW, speaker_manage_check, speaker_send_link_check

LINK_VALID_AFTER_LAST_ITEM = timedelta(weeks=6)


class LinkInvalidError(AccessDeniedError):
    default_code = "speaker_link_invalid"


def speaker_last_item_end(*, speaker: Speaker) -> datetime | None:
    session_end = RecordingSession.objects.filter(attendances__speaker=speaker).aggregate(m=Max("ends_at"))[
        "m"
    ]
    pretalk = (
        PreTalk.objects.filter(attendances__speaker=speaker)
        .order_by("-starts_at", "-id")
        .only("starts_at")
        .first()
    )
    ends = [value for value in (session_end, pretalk.ends_at if pretalk else None) if value]
    return max(ends) if ends else None


def link_expires_at(*, link: SpeakerLink) -> datetime:
    last = speaker_last_item_end(speaker=link.speaker)
    return max(filter(None, [last, link.created_at])) + LINK_VALID_AFTER_LAST_ITEM


def link_resolve(*, token: str) -> SpeakerLink:
    """The link for a token, if it is still valid; raises ``LinkInvalidError`` otherwise."""
    if not token or len(token) > 100:
        raise LinkInvalidError(_("This link is not valid."))
    link = (
        SpeakerLink.objects.select_related("speaker").filter(token_hash=SpeakerLink.hash_token(token)).first()
    )
    if link is None:
        raise LinkInvalidError(_("This link is not valid."))
    if link.revoked_at is not None:
        raise LinkInvalidError(_("This link was withdrawn by the studio. Ask the studio for a new one."))
    if timezone.now() > link_expires_at(link=link):
        raise LinkInvalidError(_("This link has expired. Ask the studio for a new one."))
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > timedelta(minutes=5):
        SpeakerLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


@transaction.atomic
def speaker_links_revoke(*, speaker: Speaker, by) -> int:
    """Withdraw every personal link of a speaker (new emails carry new links). Only a producer who
    may manage the speaker (ADR 0013: on every team the speaker works with); ``by=None``: the system."""
    if by is not None:
        speaker_manage_check(user=by, speaker=speaker, action=WITHDRAW)
    count = SpeakerLink.objects.filter(speaker=speaker, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    return count


@transaction.atomic
def speaker_link_send(*, speaker: Speaker, by) -> EmailLog:
    """Email the speaker a fresh personal link (e.g. after revoking the old ones), to the stored
    address; ``by`` must work with the speaker (``permissions.speaker_send_link_check``)."""
    from ..addresses import speaker_check_invitable
    from ..outbox.queue import email_queue
    from ..outbox.rendering import render

    if by is not None:
        speaker_send_link_check(user=by, speaker=speaker)
    speaker_check_invitable(speaker=speaker)
    content = render(
        "speaker_link",
        {"speaker_name": speaker.name, "link": speaker_url()},
        language=speaker.language,
        time_zone=speaker.time_zone,
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    return email_queue(
        idempotency_key=f"link:speaker:{speaker.pk}:{stamp}",
        kind=EmailLog.Kind.LINK,
        recipient=speaker.email,
        recipient_name=speaker.name,
        language=speaker.language,
        content=content,
        speaker=speaker,
        target_type=Target.SPEAKER,
        target_id=speaker.pk,
        related_label=speaker.name,
        user=by,
    )
