"""Speaker scheduling emails and notes to the producer team.

``on_item_changed`` is subscribed to scheduling's ``ItemChanged`` event and so runs after every
committed change of a recording session or pre-talk. It reconciles what each speaker's calendar
should say with what we already sent them (the email log is the record): a speaker who never got a
REQUEST gets an invitation; a new SEQUENCE gets an update; on hold gets a postponement notice
(METHOD:CANCEL, "a new invitation follows"); cancelled, or removed from the item, gets a
cancellation. Running it twice sends nothing new, so it is safe to call again: when the after-commit
sync fails (a database hiccup, a bug, a worker killed after the commit), the periodic re-sync
(``reminders.calendar_resync``, beat task ``production.calendar_resync``) runs it again for every
unfinished item whose speakers' calendars are not in line (``calendar_in_line``). Older calendar
messages still queued are superseded, never sent after their successor (ADR 0011).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError

from . import calendar as ical
from .emails import render, when
from .mailer import CALENDAR_METHODS, InvalidRecipientError, email_queue, validate_address
from .models import (
    EmailLog,
    HistoryEntry,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    ScriptPart,
    SessionSpeaker,
    Speaker,
    Target,
)
from .scheduling.events import ItemChanged

logger = logging.getLogger(__name__)


class SpeakerNotInvitableError(ApplicationError):
    default_code = "speaker_not_invitable"


def speaker_check_invitable(*, speaker: Speaker) -> None:
    """A speaker can only be put on a session or pre-talk with a usable email address."""
    try:
        validate_address(speaker.email)
    except InvalidRecipientError as exc:
        raise SpeakerNotInvitableError(
            _("%(speaker)s cannot be invited: %(problem)s Fix the speaker's email address first.")
            % {"speaker": ical.one_line(speaker.name), "problem": exc},
            extra={"field": "speakers"},
        ) from exc


def speaker_url(token: str = EmailLog.LINK_PLACEHOLDER) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


def studio_url(path: str = "") -> str:
    return f"{settings.SITE_URL}/studio/{path.lstrip('/')}"


# --- describing an item for one speaker -----------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A session or pre-talk, reduced to what emails and invites say."""

    target_type: str
    obj: RecordingSession | PreTalk
    # Reads that do not change while one item is described (its lectures and script parts): read
    # once, not once per speaker.
    _loaded: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_session(self) -> bool:
        return self.target_type == Target.SESSION

    @property
    def production(self) -> Production:
        return self.obj.production

    def label(self) -> str:
        return _("recording session") if self.is_session else _("pre-talk")

    def place(self) -> str:
        if self.is_session:
            location = self.obj.location
            if location is None:
                return ""
            return ", ".join(part for part in (location.name, location.address) if part)
        pretalk = self.obj
        if pretalk.mode == PreTalk.Mode.PHONE:
            return _("by phone") + (f": {pretalk.place}" if pretalk.place else "")
        return pretalk.place

    def video_link(self) -> str:
        return "" if self.is_session else self.obj.video_link

    def desired_method(self) -> str | None:
        state = self.obj.state
        if self.is_session:
            if state in (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED):
                return ical.REQUEST
            if state in (RecordingSession.State.ON_HOLD, RecordingSession.State.CANCELLED):
                return ical.CANCEL
            return None  # recorded: the calendar entry stays as it is
        if state == PreTalk.State.PLANNED:
            return ical.REQUEST
        if state == PreTalk.State.CANCELLED:
            return ical.CANCEL
        return None

    def ical_status(self) -> str:
        if self.is_session and self.obj.state == RecordingSession.State.TENTATIVE:
            return "TENTATIVE"
        return "CONFIRMED"

    def attendances(self) -> list[SessionSpeaker | PreTalkSpeaker]:
        return list(self.obj.attendances.select_related("speaker").order_by("id"))

    def lecture_objects(self) -> list:
        if "lectures" not in self._loaded:
            self._loaded["lectures"] = list(self.obj.lectures.order_by("position", "id"))
        return self._loaded["lectures"]

    def lectures(self) -> list[str]:
        return [str(lecture) for lecture in self.lecture_objects()]

    def script_parts(self) -> list[ScriptPart]:
        if "parts" not in self._loaded:
            self._loaded["parts"] = list(
                ScriptPart.objects.filter(lecture__in=[lecture.pk for lecture in self.lecture_objects()])
                .select_related("lecture")
                .order_by("lecture__position", "id")
            )
        return self._loaded["parts"]


def _item(target_type: str, pk: int, *, lock: bool = False) -> Item:
    model = RecordingSession if target_type == Target.SESSION else PreTalk
    qs = model.objects.select_related("production__course")
    if model is RecordingSession:
        qs = qs.select_related("location")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return Item(target_type, qs.get(pk=pk))


def prepare_lines(item: Item, *, parts: list[ScriptPart] | None = None) -> list[str]:
    """What the speaker should prepare, from the state of the script parts. ``parts``: script parts
    already loaded (any superset); otherwise they are queried."""
    lines = []
    if parts is None:
        parts = item.script_parts()
    else:
        wanted = {lecture.pk for lecture in item.obj.lectures.all()}  # prefetched by the speaker page
        parts = [part for part in parts if part.lecture_id in wanted]
    for part in parts:
        if part.state == ScriptPart.State.APPROVED:
            lines.append(_("Read through the approved script of “%(lecture)s”.") % {"lecture": part.lecture})
        else:
            lines.append(
                _("The script of “%(lecture)s” is not approved yet (%(state)s); check it on your page.")
                % {"lecture": part.lecture, "state": part.get_state_display().lower()}
            )
    if item.is_session:
        lines.append(_("Plain clothes without fine stripes or logos; arrive 30 minutes early."))
    else:
        lines.append(_("Think about the key messages and examples you want to bring in."))
    return lines


def calendar_item(item: Item, *, speaker: Speaker) -> ical.CalendarItem:
    obj = item.obj
    course = obj.production.course
    description = "\n".join(
        [
            f"{item.label().capitalize()}: {course.title}",
            *(f"- {lecture}" for lecture in item.lectures()),
            "",
            _("Questions: %(mailbox)s") % {"mailbox": settings.STUDIO_MAILBOX},
        ]
    )
    return ical.CalendarItem(
        uid=f"{obj.ical_uid}@{settings.STUDIO_MAILBOX.rpartition('@')[2] or 'omooc'}",
        sequence=obj.ical_sequence,
        starts_at=obj.starts_at,
        ends_at=obj.ends_at,
        summary=f"{item.label().capitalize()}: {course.title}",
        status=item.ical_status(),
        location=item.place(),
        description=description,
        attendees=(ical.Attendee(email=speaker.email, name=speaker.name),),
    )


def _last_reason(item: Item) -> str:
    entry = (
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item.obj)), object_id=item.obj.pk
        )
        .exclude(reason="")
        .order_by("-at", "-id")
        .first()
    )
    return entry.reason if entry else ""


def _short(dt: datetime, zone: str, language: str) -> str:
    import zoneinfo

    local = dt.astimezone(zoneinfo.ZoneInfo(zone or settings.TIME_ZONE))
    with translation.override(language):
        return f"{formats.date_format(local, 'j F Y')} {local:%H:%M} {local.tzname()}"


def _date_text(value: date | None, language: str) -> str:
    if value is None:
        return ""
    with translation.override(language):
        return formats.date_format(value, "l j F Y")


def speaker_calendar_email(*, item: Item, speaker: Speaker, kind: str, method: str, key: str) -> EmailLog:
    """Render and queue one invitation / update / postponement / cancellation with its .ics."""
    language = speaker.language or settings.LANGUAGE_CODE
    zone = speaker.time_zone or settings.TIME_ZONE
    obj = item.obj
    with translation.override(language):
        context = {
            "kind": kind,
            "speaker_name": ical.one_line(speaker.name),
            "item_label": item.label(),
            "course_title": ical.one_line(obj.production.course.title),
            "when": str(when(obj.starts_at, obj.ends_at, time_zone=zone, language=language)),
            "when_short": _short(obj.starts_at, zone, language),
            "place": ical.one_line(item.place()),
            "video_link": item.video_link(),
            "lectures": item.lectures(),
            "prepare": prepare_lines(item),
            "hold_until_text": _date_text(getattr(obj, "hold_until", None), language),
            "hold_reason": getattr(obj, "hold_reason", ""),
            "reason": _last_reason(item) if kind == EmailLog.Kind.CANCELLATION else "",
            "link": speaker_url(),
        }
        content = render("speaker_calendar", context, language=language, time_zone=zone)
        ics = ical.build_invitation(calendar_item(item, speaker=speaker), method=method)
    return email_queue(
        idempotency_key=key,
        kind=kind,
        recipient=speaker.email,
        recipient_name=speaker.name,
        language=language,
        content=content,
        ics=ics,
        ics_method=method,
        ics_sequence=obj.ical_sequence,
        speaker=speaker,
        production=obj.production,
        target_type=item.target_type,
        target_id=obj.pk,
        related_label=str(obj),
    )


@dataclass
class _SpeakerLog:
    """One speaker's calendar messages about one item, as the sync sees them."""

    count: int = 0  # every calendar message ever queued (numbers the idempotency keys)
    pending: list[EmailLog] = field(default_factory=list)  # queued, oldest first
    settled: EmailLog | None = None  # the last one that left the queue without being superseded


def _speaker_logs(
    target_type: str, target_id: int, *, resending: int | None = None
) -> dict[int, _SpeakerLog]:
    """Per speaker: the calendar messages about this item. The queued ones are locked (and waited
    for: a worker sending one right now holds its row lock until the result is recorded), so after
    this the queued/sent split is final for the rest of the sync's transaction."""
    rows = EmailLog.objects.filter(
        target_type=target_type, target_id=target_id, ics_method__in=CALENDAR_METHODS
    ).exclude(speaker=None)
    list(rows.filter(state=EmailLog.State.QUEUED).select_for_update().order_by("id").values_list("id"))
    return _logs(rows.defer("body_text", "body_html", "ics").order_by("id"), resending=resending)


def _logs(emails, *, resending: int | None = None) -> dict[int, _SpeakerLog]:
    """Per speaker, the calendar messages ``emails`` (about one item, oldest first). ``resending``:
    the id of a failed or bounced message being sent again, which counts as never delivered."""
    logs: dict[int, _SpeakerLog] = {}
    for email in emails:
        log = logs.setdefault(email.speaker_id, _SpeakerLog())
        log.count += 1
        if email.state == EmailLog.State.QUEUED:
            log.pending.append(email)
        elif (
            email.state != EmailLog.State.SUPERSEDED and email.resent_as_id is None and email.pk != resending
        ):
            # A failed or bounced message sent again (outbox_actions.email_resend) counts no more:
            # its resend, queued by this sync, stands in for it.
            log.settled = email
    return logs


def _supersede(emails, *, by: EmailLog | None) -> None:
    ids = [email.pk for email in emails]
    if ids:
        EmailLog.objects.filter(pk__in=ids, state=EmailLog.State.QUEUED).update(
            state=EmailLog.State.SUPERSEDED,
            superseded_by=by,
        )


def _plan(item: Item, log: _SpeakerLog, *, on_item: bool) -> tuple[str, str] | None:
    """(kind, method) of the message this speaker needs so that their calendar, after everything
    already delivered, shows the item as it is now; None when what they have is already right.
    Only what left the queue counts ("settled"): queued messages are replaced by this plan."""
    obj = item.obj
    desired = item.desired_method() if on_item else ical.CANCEL
    settled = log.settled
    last_method = settled.ics_method if settled else None
    last_seq = (settled.ics_sequence or 0) if settled else -1
    if desired == ical.REQUEST:
        if last_method in (None, ical.CANCEL):
            return EmailLog.Kind.INVITATION, ical.REQUEST
        if last_seq < obj.ical_sequence:
            return EmailLog.Kind.UPDATE, ical.REQUEST
        return None
    if desired == ical.CANCEL:
        if last_method is None:
            return None  # nothing ever reached them: nothing to take back
        if last_method == ical.REQUEST or (on_item and last_seq < obj.ical_sequence):
            on_hold = on_item and item.is_session and obj.state == RecordingSession.State.ON_HOLD
            return (EmailLog.Kind.POSTPONEMENT if on_hold else EmailLog.Kind.CANCELLATION), ical.CANCEL
        return None
    return None


def _matches(email: EmailLog, item: Item, kind_method: tuple[str, str]) -> bool:
    """A queued message already says what the plan would say (same method and SEQUENCE)."""
    return email.ics_method == kind_method[1] and (email.ics_sequence or 0) == item.obj.ical_sequence


def calendar_in_line(*, item: Item, emails: list[EmailLog], speaker_ids: set[int]) -> bool:
    """Whether ``calendar_sync`` would leave this item's calendar messages as they are: no speaker
    (current or former) needs a new one and nothing queued would be superseded. ``emails``: the
    item's calendar messages to speakers, oldest first (``speaker_id``, ``state``, ``ics_method`` and
    ``ics_sequence`` are read); ``speaker_ids``: the speakers on the item now. The periodic re-sync
    (``reminders.calendar_resync``) runs the sync only where this is False, so it costs a constant
    number of queries while every calendar is in line. The same rules as the sync: keep them together."""
    logs = _logs(emails)
    for speaker_id in speaker_ids | set(logs):
        log = logs.get(speaker_id, _SpeakerLog())
        on_item = speaker_id in speaker_ids
        if not on_item and log.settled is None and not log.pending:
            continue
        if item.desired_method() is None and on_item:
            continue
        plan = _plan(item, log, on_item=on_item)
        if plan is None:
            if log.pending:
                return False
        elif len(log.pending) != 1 or not _matches(log.pending[0], item, plan):
            return False
    return True


def calendar_sync(*, target_type: str, target_id: int, resending: int | None = None) -> list[EmailLog]:
    """Bring every (current or former) speaker's calendar in line with the item. Idempotent.
    ``resending``: a failed or bounced calendar message being sent again by hand (it counts as never
    delivered, so the plan queues what that speaker's calendar needs now).

    Per speaker, the plan compares the item's state with the last calendar message that left the
    queue (sent, bounced or failed). A queued message that still says exactly that stays queued;
    every other queued calendar message of the speaker about the item is superseded (never sent),
    and at most one new message is queued. So a speaker's mailbox, read in arrival order, ends at
    the item's current state (ADR 0011)."""
    queued: list[EmailLog] = []
    with transaction.atomic():
        try:
            item = _item(target_type, target_id, lock=True)
        except (RecordingSession.DoesNotExist, PreTalk.DoesNotExist):
            return queued
        logs = _speaker_logs(target_type, target_id, resending=resending)
        current = item.attendances()
        on_item = {attendance.speaker_id: attendance.speaker for attendance in current}
        former = [sid for sid in logs if sid not in on_item]
        speakers = dict(on_item)
        speakers.update(Speaker.objects.in_bulk(former))
        renewed: set[int] = set()
        for speaker_id, speaker in speakers.items():
            log = logs.get(speaker_id, _SpeakerLog())
            if speaker_id not in on_item and log.settled is None and not log.pending:
                continue
            if item.desired_method() is None and speaker_id in on_item:
                continue  # recorded / held pre-talk: the calendar entry stays as it is
            plan = _plan(item, log, on_item=speaker_id in on_item)
            if plan is not None and log.pending and _matches(log.pending[-1], item, plan):
                _supersede(log.pending[:-1], by=log.pending[-1])
                continue
            if plan is None:
                _supersede(log.pending, by=None)
                continue
            kind, method = plan
            key = f"cal:{target_type}:{target_id}:speaker:{speaker_id}:{log.count + 1}"
            try:
                email = speaker_calendar_email(item=item, speaker=speaker, kind=kind, method=method, key=key)
            except InvalidRecipientError:
                logger.warning("speaker %s has no valid email address; %s not sent", speaker_id, kind)
                _supersede(log.pending, by=None)
                continue
            _supersede(log.pending, by=email)
            queued.append(email)
            renewed.add(speaker_id)
        _supersede_stale_reminders(item, renewed=renewed)
        from .reminders import reminders_sync_item

        reminders_sync_item(item=item)
    return queued


def _supersede_stale_reminders(item: Item, *, renewed: set[int]) -> None:
    """Queued speaker reminders (waiting for an SMTP retry) about this item that no longer hold: the
    item is no longer planned, the speaker is off it or declined, or a new calendar message to the
    speaker changed what the reminder says. The send path checks the same at send time."""
    from .models import Rsvp

    obj = item.obj
    reminders = EmailLog.objects.filter(
        target_type=item.target_type,
        target_id=obj.pk,
        kind=EmailLog.Kind.REMINDER,
        state=EmailLog.State.QUEUED,
    ).exclude(speaker=None)
    if item.desired_method() != ical.REQUEST:
        stale = reminders
    else:
        expected = [a.speaker_id for a in item.attendances() if a.rsvp != Rsvp.DECLINED]
        stale = reminders.exclude(speaker_id__in=[sid for sid in expected if sid not in renewed])
    stale.update(state=EmailLog.State.SUPERSEDED)


def on_item_changed(event: ItemChanged) -> None:
    """Subscribed to scheduling's ``ItemChanged`` (runs after commit). Never breaks the caller."""
    target_type = {"session": Target.SESSION, "pretalk": Target.PRETALK}.get(event.kind)
    if target_type is None:
        return
    try:
        calendar_sync(target_type=target_type, target_id=event.item_id)
    except Exception:
        # The change itself is committed; the periodic re-sync (``production.calendar_resync``,
        # ``reminders.calendar_resync``) runs the same sync again within 15 minutes.
        logger.exception("speaker emails for %s %s (%s) failed", event.kind, event.item_id, event.action)


# --- the producer team ----------------------------------------------------------------------


def team_members(production: Production | None) -> list:
    from omooc.accounts.models import User

    if production is not None:
        # Through .all(), so a prefetched team (the reminder planner prefetches it) costs no query.
        members = sorted((user for user in production.team.all() if user.is_active), key=lambda u: u.pk)
        if members:
            return members
    return list(User.objects.filter(is_active=True, is_superuser=True).order_by("id"))


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
    """Tell every member of the production team (each in their own language). ``headline`` and
    ``lines`` are callables or lazy strings rendered per recipient language."""
    queued = []
    label = ical.one_line(str(production.course)) if production else "OMOOC"
    members = team_members(production)
    recipients = [(user.email, user.full_name, user.language, user.time_zone, user) for user in members]
    if not recipients:
        recipients = [(settings.STUDIO_MAILBOX, "", settings.LANGUAGE_CODE, settings.TIME_ZONE, None)]
    for email, name, language, zone, user in recipients:
        with translation.override(language):
            context = {
                "production_label": label,
                "headline": ical.one_line(str(headline() if callable(headline) else headline)),
                "lines": [str(line() if callable(line) else line) for line in lines],
                "url": url,
            }
            content = render("team_notice", context, language=language, time_zone=zone)
        try:
            queued.append(
                email_queue(
                    idempotency_key=f"{key}:to:{user.pk if user else email}",
                    kind=kind,
                    recipient=email,
                    recipient_name=name,
                    language=language,
                    content=content,
                    user=user,
                    production=production,
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
    "Item",
    "SpeakerNotInvitableError",
    "calendar_sync",
    "on_item_changed",
    "speaker_check_invitable",
    "team_bounce_notice",
    "team_notice",
    "team_speaker_answer",
]
