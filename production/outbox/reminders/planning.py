"""Planning reminder rows: the default rules' due times, the speaker reminders that follow the
schedule (``reminders_sync_item``), and the team rules and digests a periodic task plans
(``reminders_plan``). The rules are listed in the package's docstring."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from omooc.accounts.models import User

from ...models import Production, RecordingSession, Reminder, Rsvp, ScriptPart, SessionSpeaker, Target
from ..items import Item
from ..team_notices import team_members

Kind = Reminder.Kind
SPEAKER_RULES = {
    Target.SESSION: [
        (Kind.SESSION_SPEAKER_7D, timedelta(days=7)),
        (Kind.SESSION_SPEAKER_1D, timedelta(days=1)),
    ],
    Target.PRETALK: [(Kind.PRETALK_SPEAKER_1D, timedelta(days=1))],
}
UNCONFIRMED_WINDOW = timedelta(hours=72)
SCRIPT_WARNING_DAYS = 2
DIGEST_HOUR = 8


def _stamp(dt: datetime) -> str:
    return dt.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _local_at(day, hour: int, zone: str = "") -> datetime:
    """``hour``:00 local time on ``day`` in ``zone``, as an instant in UTC (fold=0: the first of a
    repeated hour; an hour in the gap lands just after the jump)."""
    tz = zoneinfo.ZoneInfo(zone or settings.TIME_ZONE)
    return datetime.combine(day, time(hour, 0), tzinfo=tz).astimezone(UTC)


OPEN_SESSION_STATES = (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)


def unconfirmed_key(session: RecordingSession) -> str:
    """The idempotency key (before ``:user:<pk>``) of the team's unconfirmed-speaker reminder for the
    current version of the session: its start and its answer round (a change that asked the speakers
    again plans a new reminder; the same version is never reminded twice)."""
    key = f"session_unconfirmed:{session.pk}:{_stamp(session.starts_at)}"
    return f"{key}:round:{session.answer_round}" if session.answer_round else key


# --- speaker reminders follow the schedule ---------------------------------------------------


def reminders_sync_item(*, item: Item) -> None:
    """Create, move or cancel the speaker reminders of one session or pre-talk (called by the
    calendar sync after every change). Pending rows move with a reschedule; holds, cancellations
    and removals cancel them."""
    obj = item.obj
    target_type = item.target_type
    pending = Reminder.objects.filter(
        target_type=target_type, target_id=obj.pk, state=Reminder.State.PENDING
    ).select_for_update()
    if not item.is_planned():
        _cancel(pending, reason=f"{target_type} is {obj.state}")
        return
    now = timezone.now()
    attendances = {a.speaker_id: a for a in item.attendances() if a.rsvp != Rsvp.DECLINED}
    _cancel(
        pending.filter(speaker__isnull=False).exclude(speaker_id__in=list(attendances)),
        reason="speaker no longer on it",
    )
    if item.is_session:
        _sync_unconfirmed(obj, now=now)
    existing = {(r.kind, r.speaker_id): r for r in pending.filter(speaker__isnull=False)}
    for speaker_id, attendance in attendances.items():
        for kind, before in SPEAKER_RULES[target_type]:
            due = obj.starts_at - before
            key = f"{kind}:{target_type}:{obj.pk}:speaker:{speaker_id}:{_stamp(obj.starts_at)}"
            row = existing.get((kind, speaker_id))
            if row is not None:
                if row.idempotency_key != key:
                    if due <= now:
                        _cancel(Reminder.objects.filter(pk=row.pk), reason="rescheduled: too late now")
                    else:
                        row.due_at, row.idempotency_key = due, key
                        row.save(update_fields=["due_at", "idempotency_key", "updated_at"])
                continue
            if due <= now:
                continue
            Reminder.objects.get_or_create(
                idempotency_key=key,
                defaults={
                    "kind": kind,
                    "target_type": target_type,
                    "target_id": obj.pk,
                    "production": obj.production,
                    "speaker": attendance.speaker,
                    "recipient": attendance.speaker.email,
                    "due_at": due,
                },
            )


def _sync_unconfirmed(session: RecordingSession, *, now: datetime) -> None:
    """The team's unconfirmed-speaker reminder of one session, in line with the answers now: pending
    (created, or revived when it was cancelled because everyone had answered) while a speaker has no
    answer yet; cancelled when every speaker answered, the session is not open, or it started.
    Reminders of an older version (start or answer round) are cancelled."""
    rows = Reminder.objects.filter(
        kind=Kind.SESSION_UNCONFIRMED, target_type=Target.SESSION, target_id=session.pk
    )
    pending = rows.filter(state=Reminder.State.PENDING)
    if session.state not in OPEN_SESSION_STATES or session.starts_at <= now:
        _cancel(pending, reason=f"session is {session.state}")
        return
    if not session.attendances.filter(rsvp=Rsvp.PENDING).exists():
        _cancel(pending, reason="every speaker answered")
        return
    wanted = _unconfirmed_rows(session, now=now)
    keys = [row.idempotency_key for row in wanted]
    _cancel(pending.exclude(idempotency_key__in=keys), reason="rescheduled or asked again")
    if wanted:
        Reminder.objects.bulk_create(wanted, ignore_conflicts=True)
        rows.filter(idempotency_key__in=keys, state=Reminder.State.CANCELLED).update(
            state=Reminder.State.PENDING, due_at=wanted[0].due_at, last_error="", updated_at=now
        )


def _cancel(queryset, *, reason: str) -> int:
    return queryset.update(state=Reminder.State.CANCELLED, last_error=reason[:500], updated_at=timezone.now())


def reminders_cancel_for_production(*, production: Production, reason: str) -> int:
    return _cancel(
        Reminder.objects.filter(production=production, state=Reminder.State.PENDING), reason=reason
    )


# --- team rules and digests: planned by a periodic task -------------------------------------


def _team_rows(
    production: Production, *, kind: str, target_type: str, target_id: int, due: datetime, key: str
):
    for user in team_members(production):
        yield Reminder(
            kind=kind,
            target_type=target_type,
            target_id=target_id,
            production=production,
            user=user,
            recipient=user.email,
            due_at=due,
            idempotency_key=f"{key}:user:{user.pk}",
        )


def _unconfirmed_rows(session: RecordingSession, *, now: datetime) -> list[Reminder]:
    """The team's unconfirmed-speaker reminders of the session's current version, one per member:
    due 72 hours before it starts, or now when that has passed."""
    return list(
        _team_rows(
            session.production,
            kind=Kind.SESSION_UNCONFIRMED,
            target_type=Target.SESSION,
            target_id=session.pk,
            due=max(session.starts_at - UNCONFIRMED_WINDOW, now),
            key=unconfirmed_key(session),
        )
    )


def _with_team(sessions):
    """The sessions with their production and its team (read once for all the rule rows)."""
    return sessions.select_related("production").prefetch_related("production__team").order_by("id")


def reminders_plan(*, now: datetime | None = None) -> int:
    """Make sure a row exists for every team rule and digest that applies (idempotent). Returns
    how many rows were created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows: list[Reminder] = []
    parts = (
        ScriptPart.objects.exclude(state=ScriptPart.State.APPROVED)
        .filter(due_on__isnull=False, due_on__gte=today - timedelta(days=30))
        .select_related("production", "lecture")
        .prefetch_related("production__team")
        .order_by("id")
    )
    for part in parts:
        soon = part.due_on - timedelta(days=SCRIPT_WARNING_DAYS)
        if part.due_on >= today:
            rows += _team_rows(
                part.production,
                kind=Kind.SCRIPT_DUE_SOON,
                target_type=Target.SCRIPT_PART,
                target_id=part.pk,
                due=max(_local_at(soon, DIGEST_HOUR), now),
                key=f"script_due_soon:{part.pk}:{part.due_on}",
            )
        rows += _team_rows(
            part.production,
            kind=Kind.SCRIPT_OVERDUE,
            target_type=Target.SCRIPT_PART,
            target_id=part.pk,
            due=_local_at(part.due_on + timedelta(days=1), DIGEST_HOUR),
            key=f"script_overdue:{part.pk}:{part.due_on}",
        )
    pending_speakers = SessionSpeaker.objects.filter(session=OuterRef("pk"), rsvp=Rsvp.PENDING)
    sessions = RecordingSession.objects.filter(
        state__in=[RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED],
        starts_at__gt=now,
    ).filter(Exists(pending_speakers))
    for session in _with_team(sessions):
        rows += _unconfirmed_rows(session, now=now)
    held = RecordingSession.objects.filter(state=RecordingSession.State.ON_HOLD, hold_until__isnull=False)
    for session in _with_team(held):
        rows += _team_rows(
            session.production,
            kind=Kind.HOLD_PASSED,
            target_type=Target.SESSION,
            target_id=session.pk,
            due=_local_at(session.hold_until + timedelta(days=1), 0),
            key=f"hold_passed:{session.pk}:{session.hold_until}",
        )
    producers = User.objects.filter(is_active=True, productions__isnull=False).distinct().order_by("id")
    for user in producers:
        zone = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
        local_now = now.astimezone(zone)
        day = local_now.date() if local_now.hour < DIGEST_HOUR else local_now.date() + timedelta(days=1)
        rows.append(
            Reminder(
                kind=Kind.DIGEST,
                user=user,
                recipient=user.email,
                due_at=_local_at(day, DIGEST_HOUR, zone.key),
                idempotency_key=f"digest:user:{user.pk}:{day}",
            )
        )
    if not rows:
        return 0
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Reminder.objects.count() - before


__all__ = [
    "reminders_cancel_for_production",
    "reminders_plan",
    "reminders_sync_item",
    "unconfirmed_key",
]
