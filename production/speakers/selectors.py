"""Reads of the speaker directory: the shared list, and a speaker's items within the team scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..access import production_visible_to
from ..models import PreTalkSpeaker, SessionSpeaker, Speaker


def speaker_list(*, search: str = "") -> QuerySet[Speaker]:
    qs = Speaker.objects.all()
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(organisation__icontains=search)
        )
    return qs.order_by("name", "id")


def speaker_items(*, user, speaker: Speaker) -> tuple[list[SessionSpeaker], list[PreTalkSpeaker]]:
    visible = production_visible_to(user).values("pk")
    sessions = list(
        SessionSpeaker.objects.filter(speaker=speaker, session__production__in=visible)
        .select_related("session__production__course", "session__location")
        .order_by("-session__starts_at", "id")
    )
    pretalks = list(
        PreTalkSpeaker.objects.filter(speaker=speaker, pretalk__production__in=visible)
        .select_related("pretalk__production__course")
        .order_by("-pretalk__starts_at", "id")
    )
    return sessions, pretalks
