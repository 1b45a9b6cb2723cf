"""Notes to the producer team: a notice to every member (each in their own language), a bounce
report, a speaker's answer from their page.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from omooc.accounts.models import User

from ..addresses import InvalidRecipientError
from ..ical import one_line
from ..models import EmailLog, PreTalkSpeaker, Production, SessionSpeaker, Target
from .queue import email_queue
from .rendering import render, studio_url

logger = logging.getLogger(__name__)


def team_members(production: Production | None) -> list:
    """The active members of the production's team, else the superusers (someone must hear it)."""
    if production is not None:
        # Through .all(), so a prefetched team (the reminder planner prefetches it) costs no query.
        members = sorted((user for user in production.team.all() if user.is_active), key=lambda u: u.pk)
        if members:
            return members
    return list(User.objects.filter(is_active=True, is_superuser=True).order_by("id"))


def member_locale(user) -> tuple[str, str]:
    """A team member's language and time zone; the site's for the studio mailbox (``user`` None)."""
    return (user.language, user.time_zone) if user else (settings.LANGUAGE_CODE, settings.TIME_ZONE)


def member_notice(
    *,
    user,
    recipient: str,
    idempotency_key: str,
    production: Production | None,
    headline,
    lines: list,
    url: str = "",
    kind: str = EmailLog.Kind.TEAM_NOTICE,
    target_type: str = Target.NONE,
    target_id: int | None = None,
    related_label: str = "",
    send: bool = True,
) -> EmailLog:
    """One team member's copy of a notice (a team notice, or a team reminder), in their own language
    and time zone; ``user`` None: the studio mailbox, in the site's. ``headline`` and ``lines`` are
    strings, lazy strings or callables, rendered in that language."""
    language, zone = member_locale(user)
    with translation.override(language):
        context = {
            "production_label": one_line(str(production.course)) if production else "OMOOC",
            "headline": one_line(str(headline() if callable(headline) else headline)),
            "lines": [str(line() if callable(line) else line) for line in lines],
            "url": url,
        }
        content = render("team_notice", context, language=language, time_zone=zone)
    return email_queue(
        idempotency_key=idempotency_key,
        kind=kind,
        recipient=recipient,
        recipient_name=user.full_name if user else "",
        language=language,
        content=content,
        user=user,
        production=production,
        target_type=target_type,
        target_id=target_id,
        related_label=related_label,
        send=send,
    )


def team_notice(
    *,
    production: Production | None,
    key: str,
    headline: str,
    lines: list[str],
    url: str = "",
    target_type: str = Target.NONE,
    target_id: int | None = None,
    related_label: str = "",
    kind: str = EmailLog.Kind.TEAM_NOTICE,
    send: bool = True,
) -> list[EmailLog]:
    """Tell every member of the production team (each in their own language); with no one on it,
    the studio mailbox. ``headline`` and ``lines`` are callables or lazy strings rendered per
    recipient language."""
    members = team_members(production)
    recipients = [(user.email, user) for user in members] or [(settings.STUDIO_MAILBOX, None)]
    queued = []
    for email, user in recipients:
        try:
            queued.append(
                member_notice(
                    user=user,
                    recipient=email,
                    idempotency_key=f"{key}:to:{user.pk if user else email}",
                    production=production,
                    headline=headline,
                    lines=lines,
                    url=url,
                    kind=kind,
                    target_type=target_type,
                    target_id=target_id,
                    related_label=related_label,
                    send=send,
                )
            )
        except InvalidRecipientError:
            logger.warning("team member %s has no valid email address", email)
    return queued


def team_bounce_notice(*, email: EmailLog) -> None:
    """SMTP refused an address permanently: tell the team, once per bounced message."""
    recipient, error, label = email.recipient, email.error, email.related_label

    def headline() -> str:
        return _("Email to %(address)s bounced") % {"address": recipient}

    def detail() -> str:
        return _("The mail server refused “%(subject)s” about %(item)s: %(error)s") % {
            "subject": email.subject,
            "item": label or "-",
            "error": error,
        }

    def advice() -> str:
        return _(
            "Nothing more is sent to this address. Correct the speaker's email address and invite again."
        )

    team_notice(
        production=email.production,
        key=f"bounce:{email.pk}",
        headline=headline,
        lines=[detail, advice],
        url=studio_url("emails/"),
        target_type=email.target_type,
        target_id=email.target_id,
        related_label=label,
        kind=EmailLog.Kind.BOUNCE,
    )


def team_speaker_answer(*, attendance: SessionSpeaker | PreTalkSpeaker, what: str, detail: str = "") -> None:
    """A speaker answered on their page: tell the team."""
    is_session = isinstance(attendance, SessionSpeaker)
    obj = attendance.session if is_session else attendance.pretalk
    speaker = attendance.speaker
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")

    def headline() -> str:
        return _("%(speaker)s: %(what)s") % {"speaker": speaker.name, "what": what}

    lines = [str(obj)] + ([detail] if detail else [])
    team_notice(
        production=obj.production,
        key=f"answer:{'session' if is_session else 'pretalk'}:{attendance.pk}:{stamp}",
        headline=headline,
        lines=lines,
        url=studio_url(f"emails/speaker/{speaker.pk}/"),
        target_type=Target.SESSION if is_session else Target.PRETALK,
        target_id=obj.pk,
        related_label=str(obj),
        kind=EmailLog.Kind.SPEAKER_ANSWER,
    )


__all__ = [
    "member_locale",
    "member_notice",
    "team_bounce_notice",
    "team_members",
    "team_notice",
    "team_speaker_answer",
]
