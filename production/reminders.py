"""Reminder outbox services: planning rows by the default rules, moving and cancelling them when the
schedule changes, and the due scan.

Default rules
- speaker: 7 days and 1 day before a recording session, 1 day before a pre-talk;
- producer team: a script part due in 2 days, or overdue; a session within 72 hours with unconfirmed
  speakers (planned with the schedule, and again whenever a change asks the speakers again: one row
  per team member and version, ``unconfirmed_key``); a held session whose not-before date passed
  without a new date;
- each producer: one digest a day at 08:00 in their time zone, only when there is something to chase.

The scan (``reminders_scan``; beat runs it every minute, ``manage.py send_due_reminders`` once) claims
due rows with ``select_for_update(skip_locked=True)``, re-checks the target's current state, turns the
reminder into a queued email (or cancels it when it no longer applies), and then sends the queued
emails, one locked row per transaction (``production.mailer``).

The calendar re-sync (``calendar_resync``; beat runs it every 15 minutes) is the safety net of the
after-commit calendar sync: items not finished whose speakers' calendar messages are out of line
with their state are synced again (five queries while everything is in line, however many items).

Due times are instants (UTC): "N days before" is N x 24 hours before the start; "at 08:00 local" is
resolved in the zone first (the first 08:00 when it happens twice, the first minute after the jump
when it does not exist) and then compared as an instant.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .calendar import one_line
from .emails import render, when
from .mailer import CALENDAR_METHODS, Sender, email_queue, emails_send_due
from .models import (
    EmailLog,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    Reminder,
    Rsvp,
    ScriptPart,
    SessionSpeaker,
    Target,
)

logger = logging.getLogger(__name__)

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
CLAIM_BATCH = 100


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


def reminders_sync_item(*, item) -> None:
    """Create, move or cancel the speaker reminders of one session or pre-talk (called by the
    calendar sync after every change). Pending rows move with a reschedule; holds, cancellations
    and removals cancel them."""
    obj = item.obj
    target_type = item.target_type
    open_states = (
        (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)
        if item.is_session
        else (PreTalk.State.PLANNED,)
    )
    pending = Reminder.objects.filter(
        target_type=target_type, target_id=obj.pk, state=Reminder.State.PENDING
    ).select_for_update()
    if obj.state not in open_states:
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
    due = max(session.starts_at - UNCONFIRMED_WINDOW, now)
    wanted = list(
        _team_rows(
            session.production,
            kind=Kind.SESSION_UNCONFIRMED,
            target_type=Target.SESSION,
            target_id=session.pk,
            due=due,
            key=unconfirmed_key(session),
        )
    )
    keys = [row.idempotency_key for row in wanted]
    _cancel(pending.exclude(idempotency_key__in=keys), reason="rescheduled or asked again")
    Reminder.objects.bulk_create(wanted, ignore_conflicts=True)
    rows.filter(idempotency_key__in=keys, state=Reminder.State.CANCELLED).update(
        state=Reminder.State.PENDING, due_at=due, last_error="", updated_at=now
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
    from .notifications import team_members

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
    sessions = (
        RecordingSession.objects.filter(
            state__in=[RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED],
            starts_at__gt=now,
        )
        .filter(Exists(pending_speakers))
        .select_related("production")
        .prefetch_related("production__team")
        .order_by("id")
    )
    for session in sessions:
        rows += _team_rows(
            session.production,
            kind=Kind.SESSION_UNCONFIRMED,
            target_type=Target.SESSION,
            target_id=session.pk,
            due=max(session.starts_at - UNCONFIRMED_WINDOW, now),
            key=unconfirmed_key(session),
        )
    held = (
        RecordingSession.objects.filter(state=RecordingSession.State.ON_HOLD, hold_until__isnull=False)
        .select_related("production")
        .prefetch_related("production__team")
        .order_by("id")
    )
    for session in held:
        rows += _team_rows(
            session.production,
            kind=Kind.HOLD_PASSED,
            target_type=Target.SESSION,
            target_id=session.pk,
            due=_local_at(session.hold_until + timedelta(days=1), 0),
            key=f"hold_passed:{session.pk}:{session.hold_until}",
        )
    from omooc.accounts.models import User

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


# --- the calendar re-sync: a safety net for the after-commit sync ----------------------------

# Which items the re-sync looks at: open ones until a day after their start (the invitation still
# matters), held or cancelled ones changed in the last week (the beat runs every 15 minutes, so a
# failed sync is repaired long before; the window only bounds the work). Recorded sessions and held
# pre-talks are finished: their calendar entries stay as they are.
RESYNC_AFTER_START = timedelta(days=1)
RESYNC_RECENT_CHANGE = timedelta(days=7)


def _resync_scope(now: datetime):
    started = now - RESYNC_AFTER_START
    recent = now - RESYNC_RECENT_CHANGE
    sessions = RecordingSession.objects.filter(
        Q(state__in=OPEN_SESSION_STATES, starts_at__gte=started)
        | Q(
            state__in=[RecordingSession.State.ON_HOLD, RecordingSession.State.CANCELLED],
            updated_at__gte=recent,
        )
    )
    pretalks = PreTalk.objects.filter(
        Q(state=PreTalk.State.PLANNED, starts_at__gte=started)
        | Q(state=PreTalk.State.CANCELLED, updated_at__gte=recent)
    )
    return sessions, pretalks


def calendars_out_of_line(*, now: datetime | None = None) -> tuple[int, list[tuple[str, int]]]:
    """(how many unfinished items were checked, the (target_type, id) of those whose speakers'
    calendar messages are not what the item's state asks for). Five queries however many items:
    the items, their speakers and their calendar messages are read in bulk and compared in Python
    by ``notifications.calendar_in_line``."""
    from .notifications import Item, calendar_in_line

    sessions, pretalks = _resync_scope(now or timezone.now())
    fields = ("id", "state", "ical_sequence")
    items = [Item(Target.SESSION, obj) for obj in sessions.only(*fields).order_by("id")]
    items += [Item(Target.PRETALK, obj) for obj in pretalks.only(*fields).order_by("id")]
    speakers: dict[tuple[str, int], set[int]] = defaultdict(set)
    for item_id, speaker_id in SessionSpeaker.objects.filter(session__in=sessions).values_list(
        "session_id", "speaker_id"
    ):
        speakers[(Target.SESSION, item_id)].add(speaker_id)
    for item_id, speaker_id in PreTalkSpeaker.objects.filter(pretalk__in=pretalks).values_list(
        "pretalk_id", "speaker_id"
    ):
        speakers[(Target.PRETALK, item_id)].add(speaker_id)
    emails: dict[tuple[str, int], list[EmailLog]] = defaultdict(list)
    rows = (
        EmailLog.objects.filter(
            Q(target_type=Target.SESSION, target_id__in=sessions.values("id"))
            | Q(target_type=Target.PRETALK, target_id__in=pretalks.values("id")),
            ics_method__in=CALENDAR_METHODS,
            speaker__isnull=False,
        )
        .only(
            "id",
            "target_type",
            "target_id",
            "speaker_id",
            "state",
            "ics_method",
            "ics_sequence",
            "resent_as_id",
        )
        .order_by("id")
    )
    for email in rows:
        emails[(email.target_type, email.target_id)].append(email)
    out = []
    for item in items:
        key = (item.target_type, item.obj.pk)
        if not calendar_in_line(item=item, emails=emails[key], speaker_ids=speakers[key]):
            out.append(key)
    return len(items), out


def calendar_resync(*, now: datetime | None = None) -> dict[str, int]:
    """Run ``notifications.calendar_sync`` again for every unfinished item whose speakers' calendars
    are out of line: the after-commit sync of a change failed (database hiccup, bug, worker killed
    between the commit and the sync) and nothing else would repeat it until the item's next change.
    The sync is idempotent and takes the item's row lock, so a run racing a change (or a second beat)
    does no harm. Each item syncs in its own transaction; one that fails is logged and the others go
    on (the next run tries it again). Returns counts: items checked, re-synced, emails queued, failed."""
    from . import notifications

    checked, stale = calendars_out_of_line(now=now)
    result = {"checked": checked, "resynced": 0, "queued": 0, "failed": 0}
    for target_type, target_id in stale:
        try:
            queued = notifications.calendar_sync(target_type=target_type, target_id=target_id)
        except Exception:  # one bad item must not stop the others
            logger.exception(
                "calendar re-sync of %s %s failed; the next run tries again", target_type, target_id
            )
            result["failed"] += 1
            continue
        result["resynced"] += 1
        result["queued"] += len(queued)
        logger.warning(
            "calendar re-sync of %s %s: %d message(s) queued (its after-commit sync had not run)",
            target_type,
            target_id,
            len(queued),
        )
    return result


# --- turning a due reminder into an email ---------------------------------------------------


@dataclass
class Outcome:
    email: EmailLog | None = None
    cancelled: str = ""


def _speaker_reminder(reminder: Reminder) -> Outcome:
    is_session = reminder.target_type == Target.SESSION
    model = RecordingSession if is_session else PreTalk
    open_states = (
        (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)
        if is_session
        else (PreTalk.State.PLANNED,)
    )
    qs = model.objects.select_related("production__course")
    if is_session:
        qs = qs.select_related("location")
    obj = qs.filter(pk=reminder.target_id).first()
    if obj is None or obj.state not in open_states:
        return Outcome(cancelled="no longer planned")
    if obj.starts_at <= timezone.now():
        return Outcome(cancelled="already started")
    attendance_model = SessionSpeaker if is_session else PreTalkSpeaker
    field = "session" if is_session else "pretalk"
    attendance = (
        attendance_model.objects.filter(**{field: obj}, speaker_id=reminder.speaker_id)
        .select_related("speaker")
        .first()
    )
    if attendance is None or attendance.rsvp == Rsvp.DECLINED:
        return Outcome(cancelled="speaker no longer on it")
    from .notifications import Item, prepare_lines, speaker_url

    speaker = attendance.speaker
    item = Item(reminder.target_type, obj)
    language, zone = speaker.language or settings.LANGUAGE_CODE, speaker.time_zone or settings.TIME_ZONE
    with translation.override(language):
        from .notifications import _short

        context = {
            "speaker_name": one_line(speaker.name),
            "item_label": item.label(),
            "course_title": one_line(obj.production.course.title),
            "when": str(when(obj.starts_at, obj.ends_at, time_zone=zone, language=language)),
            "when_short": _short(obj.starts_at, zone, language),
            "place": one_line(item.place()),
            "video_link": item.video_link(),
            "lectures": item.lectures(),
            "prepare": prepare_lines(item),
            "link": speaker_url(),
        }
        content = render("speaker_reminder", context, language=language, time_zone=zone)
    return Outcome(
        email=email_queue(
            idempotency_key=f"reminder:{reminder.idempotency_key}",
            kind=EmailLog.Kind.REMINDER,
            recipient=speaker.email,
            recipient_name=speaker.name,
            language=language,
            content=content,
            speaker=speaker,
            production=obj.production,
            target_type=reminder.target_type,
            target_id=obj.pk,
            related_label=str(obj),
            send=False,
        )
    )


def _team_email(reminder: Reminder, *, headline: str, lines: list[str], url: str, label: str) -> Outcome:
    user = reminder.user
    language = user.language if user else settings.LANGUAGE_CODE
    zone = user.time_zone if user else settings.TIME_ZONE
    production_label = one_line(str(reminder.production.course)) if reminder.production else "OMOOC"
    content = render(
        "team_notice",
        {"production_label": production_label, "headline": one_line(headline), "lines": lines, "url": url},
        language=language,
        time_zone=zone,
    )
    return Outcome(
        email=email_queue(
            idempotency_key=f"reminder:{reminder.idempotency_key}",
            kind=EmailLog.Kind.REMINDER,
            recipient=reminder.recipient,
            recipient_name=user.full_name if user else "",
            language=language,
            content=content,
            user=user,
            production=reminder.production,
            target_type=reminder.target_type,
            target_id=reminder.target_id,
            related_label=label,
            send=False,
        )
    )


def _user_language(reminder: Reminder) -> str:
    return reminder.user.language if reminder.user else settings.LANGUAGE_CODE


def _script_reminder(reminder: Reminder) -> Outcome:
    from .notifications import studio_url

    part = ScriptPart.objects.select_related("lecture", "production").filter(pk=reminder.target_id).first()
    today = timezone.localdate()
    if part is None or part.state == ScriptPart.State.APPROVED or part.due_on is None:
        return Outcome(cancelled="script part approved or without a due date")
    overdue = reminder.kind == Kind.SCRIPT_OVERDUE
    if overdue and part.due_on >= today:
        return Outcome(cancelled="not overdue (due date moved)")
    if not overdue and not (0 <= (part.due_on - today).days <= SCRIPT_WARNING_DAYS):
        return Outcome(cancelled="due date moved")
    with translation.override(_user_language(reminder)):
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
    from .notifications import studio_url

    session = (
        RecordingSession.objects.select_related("production__course").filter(pk=reminder.target_id).first()
    )
    now = timezone.now()
    if session is None or session.state not in (
        RecordingSession.State.TENTATIVE,
        RecordingSession.State.SCHEDULED,
    ):
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
    zone = reminder.user.time_zone if reminder.user else settings.TIME_ZONE
    with translation.override(_user_language(reminder)):
        headline = _("Unconfirmed speakers for the session of %(when)s") % {
            "when": timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        }
        lines = [_("Not confirmed yet: %(names)s") % {"names": ", ".join(a.speaker.name for a in waiting)}]
        return _team_email(reminder, headline=headline, lines=lines, url=studio_url(), label=str(session))


def _hold_reminder(reminder: Reminder) -> Outcome:
    from .notifications import studio_url

    session = (
        RecordingSession.objects.select_related("production__course").filter(pk=reminder.target_id).first()
    )
    if session is None or session.state != RecordingSession.State.ON_HOLD or session.hold_until is None:
        return Outcome(cancelled="no longer on hold")
    if session.hold_until >= timezone.localdate():
        return Outcome(cancelled="hold date not passed")
    with translation.override(_user_language(reminder)):
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
    return Outcome(
        email=email_queue(
            idempotency_key=f"reminder:{reminder.idempotency_key}",
            kind=EmailLog.Kind.DIGEST,
            recipient=user.email,
            recipient_name=user.full_name,
            language=user.language,
            content=content,
            user=user,
            send=False,
        )
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


def reminders_claim_due(*, now: datetime | None = None, batch: int = CLAIM_BATCH) -> int:
    """Turn due reminders into queued emails (or cancel them), a locked batch per transaction.
    Concurrent scans take disjoint batches (skip_locked). Returns how many rows were handled."""
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=Reminder.State.PENDING, due_at__lte=now or timezone.now())
                .select_related("user", "production__course")
                .order_by("due_at", "id")[:batch]
            )
            if not rows:
                return handled
            for reminder in rows:
                _handle(reminder)
            handled += len(rows)


def _handle(reminder: Reminder) -> None:
    reminder.attempts += 1
    try:
        with transaction.atomic():
            outcome = HANDLERS[reminder.kind](reminder)
    except Exception as exc:  # one bad row must not stop the scan
        logger.exception("reminder %s failed", reminder.pk)
        reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        reminder.state = Reminder.State.FAILED if reminder.attempts >= 5 else Reminder.State.PENDING
        if reminder.state == Reminder.State.PENDING:
            reminder.due_at = timezone.now() + timedelta(minutes=5 * reminder.attempts)
        reminder.save(update_fields=["attempts", "last_error", "state", "due_at", "updated_at"])
        return
    if outcome.email is None:
        reminder.state = Reminder.State.CANCELLED
        reminder.last_error = outcome.cancelled
        reminder.save(update_fields=["attempts", "state", "last_error", "updated_at"])
        return
    reminder.state = Reminder.State.SENT
    reminder.sent_at = timezone.now()
    reminder.email = outcome.email
    reminder.save(update_fields=["attempts", "state", "sent_at", "email", "updated_at"])


def reminders_scan(*, now: datetime | None = None) -> dict[str, int]:
    """One scan: due reminders become emails, then every queued email that is due is sent."""
    claimed = reminders_claim_due(now=now)
    with Sender() as sender:
        sent = emails_send_due(sender=sender)
    return {"reminders": claimed, "emails": sent}


__all__ = [
    "calendar_resync",
    "calendars_out_of_line",
    "digest_items",
    "reminders_cancel_for_production",
    "reminders_claim_due",
    "reminders_plan",
    "reminders_scan",
    "reminders_sync_item",
]
