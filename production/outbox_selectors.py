"""Reads for the studio's email log and the speaker delivery/RSVP page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import EmailLog, PreTalkSpeaker, SessionSpeaker, Speaker, SpeakerLink, Target
from .selectors import production_visible_to
from .speakers.selectors import speaker_items

CALENDAR_KINDS = (
    EmailLog.Kind.INVITATION,
    EmailLog.Kind.UPDATE,
    EmailLog.Kind.POSTPONEMENT,
    EmailLog.Kind.CANCELLATION,
    EmailLog.Kind.REMINDER,
)


def email_log_visible_to(user) -> QuerySet[EmailLog]:
    """Superusers see every message; a producer the messages of their productions, their own, and
    speaker messages that belong to no production (personal links) of speakers who work with their
    productions (ADR 0013: another team's speaker's mail stays that team's)."""
    qs = EmailLog.objects.all()
    if user.is_superuser:
        return qs
    visible = production_visible_to(user).values("pk")
    their_speakers = Q(session_attendances__session__production__in=visible) | Q(
        pretalk_attendances__pretalk__production__in=visible
    )
    return qs.filter(
        Q(production__in=visible)
        | Q(user=user)
        | Q(production__isnull=True, speaker__in=Speaker.objects.filter(their_speakers).values("pk"))
    )


def email_log(*, user, state: str = "", kind: str = "", search: str = "") -> QuerySet[EmailLog]:
    qs = email_log_visible_to(user)
    if state in EmailLog.State.values:
        qs = qs.filter(state=state)
    if kind in EmailLog.Kind.values:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(
            Q(recipient__icontains=search) | Q(subject__icontains=search) | Q(related_label__icontains=search)
        )
    return (
        qs.select_related("speaker", "production__course")
        .defer("body_text", "body_html", "ics")
        .order_by("-created_at", "-id")
    )


@dataclass
class DeliveryRow:
    target: str
    attendance: SessionSpeaker | PreTalkSpeaker
    emails: list[EmailLog]

    @property
    def item(self):
        return self.attendance.session if self.target == Target.SESSION else self.attendance.pretalk

    @property
    def latest(self) -> EmailLog | None:
        return self.emails[0] if self.emails else None


def speaker_delivery(
    *, user, speaker: Speaker
) -> tuple[list[DeliveryRow], list[EmailLog], list[SpeakerLink]]:
    """Per session and pre-talk: the speaker's RSVP and the delivery of every email about it."""
    sessions, pretalks = speaker_items(user=user, speaker=speaker)
    emails = list(
        email_log_visible_to(user)
        .filter(speaker=speaker)
        .defer("body_text", "body_html", "ics")
        .order_by("-created_at", "-id")[:200]
    )
    by_target: dict[tuple[str, int], list[EmailLog]] = {}
    for email in emails:
        by_target.setdefault((email.target_type, email.target_id), []).append(email)
    rows = [
        DeliveryRow(Target.SESSION, a, by_target.get((Target.SESSION, a.session_id), [])) for a in sessions
    ]
    rows += [
        DeliveryRow(Target.PRETALK, a, by_target.get((Target.PRETALK, a.pretalk_id), [])) for a in pretalks
    ]
    links = list(SpeakerLink.objects.filter(speaker=speaker).order_by("-created_at", "-id")[:20])
    return rows, emails, links
