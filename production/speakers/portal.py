"""The speaker's no-login page: what it shows and the speaker's answers (confirm, decline, propose
another time, approve or comment on the script part). The link itself: ``links.py``."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Lecture
from omooc.exceptions import ApplicationError, NotFoundError
from production.scheduling import services as scheduling

from ..history import history_record
from ..models import (
    EmailLog,
    PreTalk,
    PreTalkSpeaker,
    RecordingSession,
    Rsvp,
    ScriptPart,
    ScriptVersion,
    SessionSpeaker,
    Speaker,
    Target,
)
from ..outbox.team_notices import team_speaker_answer
from ..scripts.services import script_part_transition

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


def _answer(attendance, *, rsvp: str, what, detail: str = "", answer_round: int | None, **answer) -> None:
    """Record the speaker's answer; once it is committed, tell the team (``what`` they did)."""
    with transaction.atomic():
        scheduling.attendance_respond(
            attendance=attendance, rsvp=rsvp, answer_round=answer_round, **answer, by=None
        )
        transaction.on_commit(lambda: team_speaker_answer(attendance=attendance, what=what, detail=detail))


def speaker_confirm(*, attendance, answer_round: int | None = None) -> None:
    _check_answerable(attendance)
    _answer(attendance, rsvp=Rsvp.ACCEPTED, what=gettext_lazy("confirmed"), answer_round=answer_round)


def speaker_decline(*, attendance, reason: str, answer_round: int | None = None) -> None:
    _check_answerable(attendance)
    _answer(
        attendance,
        rsvp=Rsvp.DECLINED,
        what=gettext_lazy("declined"),
        detail=reason.strip(),
        answer_round=answer_round,
        decline_reason=reason,
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
    _answer(
        attendance,
        rsvp=Rsvp.PENDING,
        what=gettext_lazy("proposes another time"),
        detail=text,
        answer_round=answer_round,
        decline_reason=text,
        proposed_starts_at=when,
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
        part = script_part_transition(
            part=part,
            to_state=ScriptPart.State.APPROVED,
            reason=_("Approved by the speaker, %(speaker)s.") % {"speaker": speaker.name},
            by=None,  # the speaker, named in the reason; no studio user
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
            part = script_part_transition(
                part=part, to_state=ScriptPart.State.CHANGES_REQUESTED, reason=text, by=None
            )
        else:
            history_record(production=part.production, subject=part, action="comment", by=None, reason=text)
        transaction.on_commit(
            lambda: _script_notice(speaker, part, gettext_lazy("commented on the script"), comment)
        )
    return part


def _script_notice(speaker: Speaker, part: ScriptPart, what, detail: str = "") -> None:
    from ..outbox.rendering import studio_url
    from ..outbox.team_notices import team_notice

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
