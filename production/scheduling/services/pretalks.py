"""Pre-talks: preparatory conversations with speakers, planned, changed, held or cancelled."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Lecture
from omooc.uris import is_web_link
from production.errors import TransitionError, clean, field_error, illegal, utc
from production.models import PreTalk, PreTalkSpeaker, Production, Speaker

from .checks import MAX_PRETALK_MINUTES, check_invitable, check_lectures, check_start, when
from .items import ask_again, item_changed, item_lock, speaker_add, speaker_remove

State = PreTalk.State


def _check_pretalk(mode: str, place: str, video_link: str, duration_minutes: int) -> None:
    if mode not in PreTalk.Mode.values:
        raise field_error("mode", _("Choose online, phone or in person."))
    if mode == PreTalk.Mode.ONLINE and not video_link:
        raise field_error("video_link", _("An online pre-talk needs a video link."))
    if video_link and not is_web_link(video_link):  # Django's own words, in both languages
        raise field_error("video_link", _("Enter a valid URL."))
    if mode == PreTalk.Mode.IN_PERSON and not (place or "").strip():
        raise field_error("place", _("An in-person pre-talk needs a place."))
    if not duration_minutes or duration_minutes <= 0 or duration_minutes > MAX_PRETALK_MINUTES:
        raise field_error("duration_minutes", _("The duration is between 1 and 480 minutes."))


def _place(pretalk: PreTalk) -> str:
    return pretalk.place or pretalk.video_link or pretalk.mode


@transaction.atomic
def pretalk_create(
    *,
    production: Production,
    speakers: Iterable[Speaker],
    lectures: Iterable[Lecture],
    starts_at: datetime,
    duration_minutes: int = 45,
    mode: str = PreTalk.Mode.ONLINE,
    place: str = "",
    video_link: str = "",
    by,
) -> PreTalk:
    speakers = list(dict.fromkeys(speakers))
    if not speakers:
        raise field_error("speakers", _("Choose at least one speaker to talk with."))
    check_invitable(speakers)
    lectures = check_lectures(production, lectures)
    check_start(starts_at)
    _check_pretalk(mode, place, video_link, duration_minutes)
    pretalk = PreTalk(
        production=production,
        starts_at=utc(starts_at),
        duration_minutes=duration_minutes,
        mode=mode,
        place=(place or "").strip(),
        video_link=video_link or "",
    )
    clean(pretalk)
    pretalk.save()
    pretalk.lectures.set(lectures)
    PreTalkSpeaker.objects.bulk_create([PreTalkSpeaker(pretalk=pretalk, speaker=s) for s in speakers])
    item_changed(pretalk, action="created", by=by, to_value=State.PLANNED, calendar=False)
    return pretalk


@transaction.atomic
def pretalk_update(
    *,
    pretalk: PreTalk,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    mode: str | None = None,
    place: str | None = None,
    video_link: str | None = None,
    lectures: Iterable[Lecture] | None = None,
    by,
    reason: str = "",
) -> PreTalk:
    pretalk = item_lock(pretalk)
    if pretalk.state != State.PLANNED:
        raise TransitionError(
            _("Only a planned pre-talk can be changed; this one is %(state)s.")
            % {"state": pretalk.get_state_display().lower()},
            extra={"field": "state"},
        )
    if starts_at is not None:
        check_start(starts_at)
    new = {
        "starts_at": utc(starts_at or pretalk.starts_at),
        "duration_minutes": duration_minutes or pretalk.duration_minutes,
        "mode": mode or pretalk.mode,
        "place": pretalk.place if place is None else place.strip(),
        "video_link": pretalk.video_link if video_link is None else video_link,
    }
    _check_pretalk(new["mode"], new["place"], new["video_link"], new["duration_minutes"])
    time_changed = (new["starts_at"], new["duration_minutes"]) != (
        utc(pretalk.starts_at),
        pretalk.duration_minutes,
    )
    place_changed = (new["mode"], new["place"], new["video_link"]) != (
        pretalk.mode,
        pretalk.place,
        pretalk.video_link,
    )
    old_when, old_place = when(pretalk.starts_at), _place(pretalk)
    for key, value in new.items():
        setattr(pretalk, key, value)
    clean(pretalk)
    pretalk.save()
    if lectures is not None:
        pretalk.lectures.set(check_lectures(pretalk.production, lectures))
    if time_changed:
        item_changed(
            pretalk,
            action="rescheduled",
            by=by,
            from_value=old_when,
            to_value=when(pretalk.starts_at),
            reason=reason,
        )
    if place_changed:
        item_changed(
            pretalk,
            action="moved",
            by=by,
            from_value=old_place,
            to_value=_place(pretalk),
            reason=reason,
            calendar=not time_changed,
        )
    if time_changed or place_changed:
        ask_again(pretalk, by=by, reason=_("time/place changed"))
    return pretalk


def _lock_planned(pretalk: PreTalk, to_state: str) -> PreTalk:
    """The pre-talk, locked; only a planned one can be held or cancelled."""
    pretalk = item_lock(pretalk)
    if pretalk.state != State.PLANNED:
        raise illegal(_("The pre-talk"), pretalk.get_state_display(), State(to_state).label, [])
    return pretalk


def _close(pretalk: PreTalk, to_state: str, *, by, reason: str) -> None:
    """A planned pre-talk is held or cancelled (a final state)."""
    pretalk.state = to_state
    pretalk.save(update_fields=["state", "outcome_notes", "updated_at"])
    item_changed(pretalk, action="state", by=by, from_value=State.PLANNED, to_value=to_state, reason=reason)


@transaction.atomic
def pretalk_mark_held(*, pretalk: PreTalk, outcome_notes: str = "", by) -> PreTalk:
    pretalk = _lock_planned(pretalk, State.HELD)
    if pretalk.starts_at > timezone.now():
        raise TransitionError(
            _("The pre-talk starts %(start)s: it cannot be marked held before it has taken place.")
            % {"start": when(pretalk.starts_at)},
            code="held_in_future",
            extra={"field": "state"},
        )
    pretalk.outcome_notes = outcome_notes or ""
    _close(pretalk, State.HELD, by=by, reason=outcome_notes)
    return pretalk


@transaction.atomic
def pretalk_cancel(*, pretalk: PreTalk, reason: str, by) -> PreTalk:
    pretalk = _lock_planned(pretalk, State.CANCELLED)
    if not (reason or "").strip():
        raise field_error("reason", _("Give a reason for cancelling; speakers will see it."))
    _close(pretalk, State.CANCELLED, by=by, reason=reason)
    return pretalk


@transaction.atomic
def pretalk_add_speaker(*, pretalk: PreTalk, speaker: Speaker, by) -> PreTalkSpeaker:
    pretalk = item_lock(pretalk)
    if pretalk.state != State.PLANNED:
        raise TransitionError(_("Speakers can only be added to a planned pre-talk."))
    return speaker_add(pretalk, speaker=speaker, by=by, already=_("%(speaker)s is already on this pre-talk."))


@transaction.atomic
def pretalk_remove_speaker(*, pretalk: PreTalk, speaker: Speaker, by, reason: str = "") -> None:
    pretalk = item_lock(pretalk)
    if pretalk.attendances.count() <= 1:
        raise field_error("speaker", _("A pre-talk needs a speaker; cancel the pre-talk instead."))
    speaker_remove(
        pretalk, speaker=speaker, by=by, reason=reason, missing=_("%(speaker)s is not on this pre-talk.")
    )
