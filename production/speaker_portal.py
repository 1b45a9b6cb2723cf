"""The speaker's no-login page: personal links (services and lookups) and the speaker's answers.

A link is a random token (192 bits) of which only the SHA-256 is stored. It stops working when a
producer revokes the speaker's links, or ``LINK_VALID_AFTER_LAST_ITEM`` after the end of the
speaker's last session or pre-talk (whichever is later; computed on use, so scheduling a new session
keeps the links alive).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Lecture
from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError
from production.scheduling import services as scheduling

from . import services
from .history import history_record
from .models import (
    EmailLog,
    PreTalk,
    PreTalkSpeaker,
    RecordingSession,
    Rsvp,
    ScriptPart,
    ScriptVersion,
    SessionSpeaker,
    Speaker,
    SpeakerLink,
    Target,
)
from .notifications import speaker_url, team_speaker_answer
from .permissions import WITHDRAW, speaker_manage_check, speaker_send_link_check

LINK_VALID_AFTER_LAST_ITEM = timedelta(weeks=6)


class LinkInvalidError(AccessDeniedError):
    default_code = "speaker_link_invalid"


# --- links ----------------------------------------------------------------------------------


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
    from .emails import render
    from .mailer import email_queue
    from .notifications import speaker_check_invitable

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


# --- what the page shows ----------------------------------------------------------------------


@dataclass
class ScriptRow:
    part: ScriptPart
    latest: ScriptVersion | None


@dataclass
class SpeakerPage:
    speaker: Speaker
    upcoming_sessions: list[SessionSpeaker] = field(default_factory=list)
    past_sessions: list[SessionSpeaker] = field(default_factory=list)
    pretalks: list[PreTalkSpeaker] = field(default_factory=list)
    scripts: list[ScriptRow] = field(default_factory=list)


def _lectures_prefetch(prefix: str) -> Prefetch:
    return Prefetch(f"{prefix}__lectures", queryset=Lecture.objects.order_by("position", "id"))


def speaker_page(*, speaker: Speaker) -> SpeakerPage:
    """Everything on the speaker page in a fixed number of queries."""
    now = timezone.now()
    sessions = list(
        SessionSpeaker.objects.filter(speaker=speaker)
        .exclude(session__state=RecordingSession.State.CANCELLED, session__starts_at__lt=now)
        .select_related("session__production__course", "session__location")
        .prefetch_related(_lectures_prefetch("session"))
        .order_by("session__starts_at", "id")
    )
    pretalks = list(
        PreTalkSpeaker.objects.filter(speaker=speaker, pretalk__starts_at__gte=now - timedelta(days=30))
        .select_related("pretalk__production__course")
        .prefetch_related(_lectures_prefetch("pretalk"))
        .order_by("pretalk__starts_at", "id")
    )
    lecture_ids = {lecture.pk for a in sessions for lecture in a.session.lectures.all()} | {
        lecture.pk for a in pretalks for lecture in a.pretalk.lectures.all()
    }
    parts = list(
        ScriptPart.objects.filter(lecture_id__in=lecture_ids)
        .select_related("lecture", "production__course")
        .prefetch_related(Prefetch("versions", queryset=ScriptVersion.objects.order_by("-number", "-id")))
        .order_by("production_id", "lecture__position", "id")
    )
    page = SpeakerPage(speaker=speaker, pretalks=pretalks)
    for attendance in sessions:
        (page.upcoming_sessions if attendance.session.ends_at >= now else page.past_sessions).append(
            attendance
        )
    page.scripts = [ScriptRow(part=part, latest=next(iter(part.versions.all()), None)) for part in parts]
    return page


def attendance_for(*, speaker: Speaker, target: str, pk: int) -> SessionSpeaker | PreTalkSpeaker:
    if target == Target.SESSION:
        qs = SessionSpeaker.objects.select_related(
            "session__production__course", "session__location", "speaker"
        )
        attendance = qs.filter(speaker=speaker, session_id=pk).first()
    elif target == Target.PRETALK:
        qs = PreTalkSpeaker.objects.select_related("pretalk__production__course", "speaker")
        attendance = qs.filter(speaker=speaker, pretalk_id=pk).first()
    else:
        attendance = None
    if attendance is None:
        raise NotFoundError(_("You are not on this session or pre-talk."))
    return attendance


def script_part_for(*, speaker: Speaker, pk: int) -> ScriptPart:
    page = speaker_page(speaker=speaker)
    for row in page.scripts:
        if row.part.pk == pk:
            return row.part
    raise NotFoundError(_("This script part is not one of yours."))


# --- the speaker's answers ------------------------------------------------------------------


def _item_of(attendance) -> RecordingSession | PreTalk:
    return attendance.session if isinstance(attendance, SessionSpeaker) else attendance.pretalk


class ItemStatus:
    """How the speaker page shows a session or pre-talk. Only an OPEN item asks the speaker to
    prepare and to answer; the others say what happened instead."""

    OPEN = "open"  # planned, still ahead: what to prepare, confirm/decline/propose
    ON_HOLD = "on_hold"  # on hold until at least a date
    CANCELLED = "cancelled"
    DONE = "done"  # recorded, or the pre-talk took place
    STARTED = "started"  # its start has passed


def item_status(item: RecordingSession | PreTalk, *, now: datetime | None = None) -> str:
    if isinstance(item, RecordingSession):
        closed = {
            RecordingSession.State.ON_HOLD: ItemStatus.ON_HOLD,
            RecordingSession.State.CANCELLED: ItemStatus.CANCELLED,
            RecordingSession.State.RECORDED: ItemStatus.DONE,
        }
    else:
        closed = {PreTalk.State.CANCELLED: ItemStatus.CANCELLED, PreTalk.State.HELD: ItemStatus.DONE}
    if item.state in closed:
        return closed[item.state]
    if item.starts_at <= (now or timezone.now()):
        return ItemStatus.STARTED
    return ItemStatus.OPEN


def _check_answerable(attendance) -> None:
    item = _item_of(attendance)
    if item_status(item) != ItemStatus.OPEN:
        raise ApplicationError(
            _("This is no longer open for an answer (it is %(state)s).")
            % {"state": item.get_state_display().lower()},
            code="not_open",
            extra={"field": "action"},
        )


def speaker_confirm(*, attendance, answer_round: int | None = None) -> None:
    _check_answerable(attendance)
    with transaction.atomic():
        scheduling.attendance_respond(
            attendance=attendance, rsvp=Rsvp.ACCEPTED, answer_round=answer_round, by=None
        )
        transaction.on_commit(
            lambda: team_speaker_answer(attendance=attendance, what=gettext_lazy("confirmed"))
        )


def speaker_decline(*, attendance, reason: str, answer_round: int | None = None) -> None:
    _check_answerable(attendance)
    with transaction.atomic():
        scheduling.attendance_respond(
            attendance=attendance,
            rsvp=Rsvp.DECLINED,
            decline_reason=reason,
            answer_round=answer_round,
            by=None,
        )
        transaction.on_commit(
            lambda: team_speaker_answer(
                attendance=attendance, what=gettext_lazy("declined"), detail=reason.strip()
            )
        )


def parse_local(value: str, *, time_zone: str) -> datetime | None:
    """A ``datetime-local`` value (YYYY-MM-DDTHH:MM) read in the speaker's time zone."""
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE))


def speaker_propose(*, attendance, proposed: str, note: str = "", answer_round: int | None = None) -> None:
    _check_answerable(attendance)
    speaker = attendance.speaker
    when = parse_local(proposed, time_zone=speaker.time_zone)
    if when is None:
        raise ApplicationError(
            _("Give the time you propose as a date and a time, e.g. 2026-04-14 10:00."),
            code="invalid",
            extra={"field": "proposed_starts_at"},
        )
    local = when.astimezone(zoneinfo.ZoneInfo(speaker.time_zone or settings.TIME_ZONE))
    text = _("Proposes %(when)s (%(zone)s)") % {
        "when": local.strftime("%Y-%m-%d %H:%M"),
        "zone": local.tzname(),
    }
    if note.strip():
        text = f"{text}: {note.strip()}"
    with transaction.atomic():
        scheduling.attendance_respond(
            attendance=attendance,
            rsvp=Rsvp.PENDING,
            decline_reason=text,
            proposed_starts_at=when,
            answer_round=answer_round,
            by=None,
        )
        transaction.on_commit(
            lambda: team_speaker_answer(
                attendance=attendance, what=gettext_lazy("proposes another time"), detail=text
            )
        )


def speaker_script_approve(*, speaker: Speaker, part: ScriptPart) -> ScriptPart:
    if part.state != ScriptPart.State.IN_REVIEW:
        raise ApplicationError(
            _("This script is %(state)s; it can be approved while it is in review.")
            % {"state": part.get_state_display().lower()},
            code="not_in_review",
            extra={"field": "action"},
        )
    with transaction.atomic():
        part = services.script_part_transition(
            part=part,
            to_state=ScriptPart.State.APPROVED,
            reason=_("Approved by the speaker, %(speaker)s.") % {"speaker": speaker.name},
        )
        transaction.on_commit(lambda: _script_notice(speaker, part, gettext_lazy("approved the script")))
    return part


def speaker_script_comment(*, speaker: Speaker, part: ScriptPart, comment: str) -> ScriptPart:
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Write your comment on the script first."), code="invalid", extra={"field": "comment"}
        )
    text = _("Comment from the speaker, %(speaker)s: %(comment)s") % {
        "speaker": speaker.name,
        "comment": comment,
    }
    with transaction.atomic():
        if part.state in (ScriptPart.State.IN_REVIEW, ScriptPart.State.APPROVED):
            part = services.script_part_transition(
                part=part, to_state=ScriptPart.State.CHANGES_REQUESTED, reason=text
            )
        else:
            history_record(production=part.production, subject=part, action="comment", by=None, reason=text)
        transaction.on_commit(
            lambda: _script_notice(speaker, part, gettext_lazy("commented on the script"), comment)
        )
    return part


def _script_notice(speaker: Speaker, part: ScriptPart, what, detail: str = "") -> None:
    from .notifications import studio_url, team_notice

    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")

    def headline() -> str:
        return _("%(speaker)s: %(what)s") % {"speaker": speaker.name, "what": what}

    team_notice(
        production=part.production,
        key=f"script-answer:{part.pk}:{speaker.pk}:{stamp}",
        headline=headline,
        lines=[str(part.lecture)] + ([detail] if detail else []),
        url=studio_url(f"scripts/{part.pk}/"),
        target_type=Target.SCRIPT_PART,
        target_id=part.pk,
        related_label=str(part.lecture),
        kind=EmailLog.Kind.SPEAKER_ANSWER,
    )
