"""What a due reminder says, by kind: a speaker's reminder of a session or pre-talk, the team's
script, unconfirmed-speaker and passed-hold reminders, a producer's digest. Each handler re-checks
the target's current state and returns the queued email (sent by the scan) or why it was cancelled.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ...ical import one_line
from ...models import (
    EmailLog,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    Reminder,
    Rsvp,
    ScriptPart,
    SessionSpeaker,
)
from ..items import item_find, speaker_context, speaker_item_log, speaker_locale
from ..queue import email_queue
from ..rendering import render, studio_url
from ..team_notices import member_locale, member_notice
from .planning import OPEN_SESSION_STATES, SCRIPT_WARNING_DAYS, UNCONFIRMED_WINDOW, Kind, unconfirmed_key


@dataclass
class Outcome:
    email: EmailLog | None = None
    cancelled: str = ""


def _key(reminder: Reminder) -> str:
    """The idempotency key of the reminder's email: one email per reminder row."""
    return f"reminder:{reminder.idempotency_key}"


def _queued(reminder: Reminder, **email) -> Outcome:
    """The reminder's email, queued once per reminder row (the scan sends it)."""
    return Outcome(email=email_queue(idempotency_key=_key(reminder), **email, send=False))


def _speaker_reminder(reminder: Reminder) -> Outcome:
    item = item_find(reminder.target_type, reminder.target_id)
    if item is None or not item.is_planned():
        return Outcome(cancelled="no longer planned")
    obj = item.obj
    if obj.starts_at <= timezone.now():
        return Outcome(cancelled="already started")
    attendance = obj.attendances.filter(speaker_id=reminder.speaker_id).select_related("speaker").first()
    if attendance is None or attendance.rsvp == Rsvp.DECLINED:
        return Outcome(cancelled="speaker no longer on it")
    speaker = attendance.speaker
    language, zone = speaker_locale(speaker)
    with translation.override(language):
        context = speaker_context(item, speaker=speaker, language=language, time_zone=zone)
        content = render("speaker_reminder", context, language=language, time_zone=zone)
    return _queued(
        reminder,
        kind=EmailLog.Kind.REMINDER,
        content=content,
        **speaker_item_log(item, speaker=speaker, language=language),
    )


def _team_email(reminder: Reminder, *, headline: str, lines: list[str], url: str, label: str) -> Outcome:
    """A team rule's reminder: the team notice to the member it was planned for (queued; the scan
    sends it)."""
    return Outcome(
        email=member_notice(
            user=reminder.user,
            recipient=reminder.recipient,
            idempotency_key=_key(reminder),
            production=reminder.production,
            headline=headline,
            lines=lines,
            url=url,
            kind=EmailLog.Kind.REMINDER,
            target_type=reminder.target_type,
            target_id=reminder.target_id,
            related_label=label,
            send=False,
        )
    )


def _script_reminder(reminder: Reminder) -> Outcome:
    part = ScriptPart.objects.select_related("lecture", "production").filter(pk=reminder.target_id).first()
    today = timezone.localdate()
    if part is None or part.state == ScriptPart.State.APPROVED or part.due_on is None:
        return Outcome(cancelled="script part approved or without a due date")
    overdue = reminder.kind == Kind.SCRIPT_OVERDUE
    if overdue and part.due_on >= today:
        return Outcome(cancelled="not overdue (due date moved)")
    if not overdue and not (0 <= (part.due_on - today).days <= SCRIPT_WARNING_DAYS):
        return Outcome(cancelled="due date moved")
    with translation.override(member_locale(reminder.user)[0]):
        if overdue:
            headline = _("Script of “%(lecture)s” is overdue (was due %(date)s)") % {
                "lecture": part.lecture,
                "date": part.due_on,
            }
        else:
            headline = _("Script of “%(lecture)s” is due on %(date)s") % {
                "lecture": part.lecture,
                "date": part.due_on,
            }
        lines = [_("State: %(state)s") % {"state": part.get_state_display()}]
        return _team_email(
            reminder, headline=headline, lines=lines, url=studio_url(), label=str(part.lecture)
        )


def _unconfirmed_reminder(reminder: Reminder) -> Outcome:
    session = (
        RecordingSession.objects.select_related("production__course").filter(pk=reminder.target_id).first()
    )
    now = timezone.now()
    if session is None or session.state not in OPEN_SESSION_STATES:
        return Outcome(cancelled="session no longer planned")
    if not (now < session.starts_at <= now + UNCONFIRMED_WINDOW):
        return Outcome(cancelled="session not within 72 hours")
    if not reminder.idempotency_key.startswith(f"{unconfirmed_key(session)}:user:"):
        return Outcome(cancelled="rescheduled or asked again: a newer reminder applies")
    waiting = list(
        session.attendances.filter(rsvp=Rsvp.PENDING)
        .select_related("speaker")
        .order_by("speaker__name", "id")
    )
    if not waiting:
        return Outcome(cancelled="every speaker answered")
    language, zone = member_locale(reminder.user)
    with translation.override(language):
        headline = _("Unconfirmed speakers for the session of %(when)s") % {
            "when": date_format(
                timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(zone)), "DATETIME_FORMAT"
            )
        }
        lines = [_("Not confirmed yet: %(names)s") % {"names": ", ".join(a.speaker.name for a in waiting)}]
        return _team_email(reminder, headline=headline, lines=lines, url=studio_url(), label=str(session))


def _hold_reminder(reminder: Reminder) -> Outcome:
    session = (
        RecordingSession.objects.select_related("production__course").filter(pk=reminder.target_id).first()
    )
    if session is None or session.state != RecordingSession.State.ON_HOLD or session.hold_until is None:
        return Outcome(cancelled="no longer on hold")
    if session.hold_until >= timezone.localdate():
        return Outcome(cancelled="hold date not passed")
    with translation.override(member_locale(reminder.user)[0]):
        headline = _("Hold date %(date)s passed: the session needs a new date") % {"date": session.hold_until}
        lines = [str(session), _("Reason for the hold: %(reason)s") % {"reason": session.hold_reason}]
        return _team_email(reminder, headline=headline, lines=lines, url=studio_url(), label=str(session))


def digest_items(*, user) -> dict[str, list[str]]:
    """What a producer should chase today: unanswered invitations, overdue script reviews,
    unconfirmed sessions within 72 hours (only productions on their team)."""
    now = timezone.now()
    productions = Production.objects.filter(team=user)
    week_ago = now - timedelta(days=2)
    unanswered = [
        f"{a.speaker.name}: {a.session}"
        for a in SessionSpeaker.objects.filter(
            session__production__in=productions,
            rsvp=Rsvp.PENDING,
            session__state__in=[RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED],
            session__starts_at__gt=now,
            session__created_at__lt=week_ago,
        )
        .select_related("speaker", "session__production__course")
        .order_by("session__starts_at", "id")[:50]
    ] + [
        f"{a.speaker.name}: {a.pretalk}"
        for a in PreTalkSpeaker.objects.filter(
            pretalk__production__in=productions,
            rsvp=Rsvp.PENDING,
            pretalk__state=PreTalk.State.PLANNED,
            pretalk__starts_at__gt=now,
            pretalk__created_at__lt=week_ago,
        )
        .select_related("speaker", "pretalk__production__course")
        .order_by("pretalk__starts_at", "id")[:50]
    ]
    scripts = [
        f"{part.lecture} ({part.get_state_display()}, {part.due_on})"
        for part in ScriptPart.objects.filter(production__in=productions, due_on__lt=timezone.localdate())
        .exclude(state=ScriptPart.State.APPROVED)
        .select_related("lecture")
        .order_by("due_on", "id")[:50]
    ]
    unconfirmed = [
        str(session)
        for session in RecordingSession.objects.filter(
            production__in=productions,
            state__in=[RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED],
            starts_at__gt=now,
            starts_at__lte=now + UNCONFIRMED_WINDOW,
        )
        .filter(Exists(SessionSpeaker.objects.filter(session=OuterRef("pk"), rsvp=Rsvp.PENDING)))
        .select_related("production__course")
        .order_by("starts_at", "id")[:50]
    ]
    return {"unanswered": unanswered, "scripts": scripts, "unconfirmed": unconfirmed}


def _digest(reminder: Reminder) -> Outcome:
    user = reminder.user
    if user is None or not user.is_active:
        return Outcome(cancelled="no such producer")
    items = digest_items(user=user)
    total = sum(len(rows) for rows in items.values())
    if not total:
        return Outcome(cancelled="nothing to chase")
    content = render(
        "digest",
        {"name": one_line(user.full_name or user.email), "total": total, **items},
        language=user.language,
        time_zone=user.time_zone,
    )
    return _queued(
        reminder,
        kind=EmailLog.Kind.DIGEST,
        recipient=user.email,
        recipient_name=user.full_name,
        language=user.language,
        content=content,
        user=user,
    )


HANDLERS = {
    Kind.SESSION_SPEAKER_7D: _speaker_reminder,
    Kind.SESSION_SPEAKER_1D: _speaker_reminder,
    Kind.PRETALK_SPEAKER_1D: _speaker_reminder,
    Kind.SCRIPT_DUE_SOON: _script_reminder,
    Kind.SCRIPT_OVERDUE: _script_reminder,
    Kind.SESSION_UNCONFIRMED: _unconfirmed_reminder,
    Kind.HOLD_PASSED: _hold_reminder,
    Kind.DIGEST: _digest,
}


__all__ = ["HANDLERS", "Outcome", "digest_items"]
