"""The model half of the scheduling state machine (test_scheduling_state_machine.py holds the rules):
one example's world (a savepoint and a frozen clock, as in every ``SavepointMachine`` of
tests/support/machines.py; the SMTP server's mailbox), the helpers the rules share, and the invariants
checked after every step, each against a recomputation from the database, the mailbox and the outbox."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from hypothesis import event
from hypothesis.stateful import invariant

from production.board import board_for
from production.models import (
    BouncedAddress,
    EmailLog,
    PreTalk,
    PreTalkSpeaker,
    RecordingSession,
    Reminder,
    Rsvp,
    SessionSpeaker,
)
from tests.support.machines import SavepointMachine

from .helpers import calendar_part

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Monday 20 October 2025, 10:00 in Amsterdam; the clocks go back on Sunday 26 October at 03:00.
START = datetime(2025, 10, 20, 8, 0, tzinfo=UTC)
SPEAKERS = 3
OPEN_SESSION = (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)


def _open(target: str, obj) -> bool:
    return obj.state in (OPEN_SESSION if target == "session" else (PreTalk.State.PLANNED,))


class ScheduleModel(SavepointMachine):
    # Set by the test: the ScriptedHandler, one production and its speakers (made once; everything
    # an example does happens in a savepoint that is rolled back).
    smtp = None
    production = None
    speakers: list = []
    start = START

    def __init__(self) -> None:
        super().__init__()
        self.handler = type(self).smtp
        self.handler.messages.clear()
        self.handler.answers.clear()
        self.seen = 0  # messages already checked by the per-delivery invariants
        self.lectures = list(self.production.course.lectures.order_by("position", "id"))
        self.items: list[tuple[str, int]] = []
        # What every speaker's answer must be: "no answer yet" when put on an item and after every
        # significant change (start, end, place, link; planned again after a hold), else their last answer.
        self.answers: dict[tuple[str, int], dict[int, str]] = {}
        self.delivered_reminders: Counter = Counter()

    # --- helpers --------------------------------------------------------------------------

    def _now(self) -> datetime:
        return timezone.now()

    def _item(self, index: int, target: str | None = None):
        items = [i for i in self.items if target is None or i[0] == target]
        if not items:
            return None, None
        kind, pk = items[index % len(items)]
        model = RecordingSession if kind == "session" else PreTalk
        return kind, model.objects.get(pk=pk)

    def _speaker(self, index: int):
        return self.speakers[index % len(self.speakers)]

    def _attendances(self, target: str, obj):
        model = SessionSpeaker if target == "session" else PreTalkSpeaker
        field = "session" if target == "session" else "pretalk"
        return list(model.objects.filter(**{field: obj}).select_related("speaker").order_by("id"))

    # --- invariants -----------------------------------------------------------------------

    def _snapshot(self):
        """Everything the invariants compare, in a handful of queries."""
        items = {("session", s.pk): s for s in RecordingSession.objects.filter(production=self.production)}
        items.update({("pretalk", p.pk): p for p in PreTalk.objects.filter(production=self.production)})
        answers = self._answers_now(items)
        emails = list(
            EmailLog.objects.filter(Q(speaker__in=self.speakers) | Q(production=self.production))
            .only(
                "id",
                "speaker_id",
                "target_type",
                "target_id",
                "kind",
                "state",
                "ics_method",
                "ics_sequence",
                "message_id",
                "idempotency_key",
            )
            .order_by("id")
        )
        bounced = {b.lower() for b in BouncedAddress.objects.values_list("email", flat=True)}
        return items, answers, emails, bounced

    def _answers_now(self, items) -> dict:
        answers: dict = {key: {} for key in items}
        for a in SessionSpeaker.objects.filter(session__production=self.production):
            answers[("session", a.session_id)][a.speaker_id] = a.rsvp
        for a in PreTalkSpeaker.objects.filter(pretalk__production=self.production):
            answers[("pretalk", a.pretalk_id)][a.speaker_id] = a.rsvp
        return answers

    def _calendar_arrivals(self, items):
        """(speaker id, (target, item id), method, event) of every delivered calendar message."""
        by_email = {s.email: s.pk for s in self.speakers}
        uids = {str(obj.ical_uid): key for key, obj in items.items()}
        for message in self.handler.messages:
            method, cal = calendar_part(message)
            if cal is None:
                continue
            (vevent,) = cal.walk("VEVENT")
            address = message["To"].addresses[0].addr_spec
            yield by_email[address], uids[str(vevent["uid"]).split("@")[0]], method, vevent

    @invariant()
    def mailboxes_outbox_and_reminders_agree_with_the_schedule(self):
        items, answers, emails, bounced = self._snapshot()
        if any(e.state == EmailLog.State.SUPERSEDED for e in emails):
            event("a message was superseded")
        if bounced:
            event("an address bounced")
        self._sequence_never_goes_down(items)
        self._mailbox_and_outbox_end_at_the_truth(items, answers, emails, bounced)
        self._reminders_only_for_what_is_planned(items, answers, emails)

    @invariant()
    def answers_reset_after_significant_changes_and_kept_otherwise(self):
        assert self._answers_now(dict.fromkeys(self.items)) == self.answers

    def _sequence_never_goes_down(self, items):
        last: dict = {}
        for speaker, key, _method, vevent in self._calendar_arrivals(items):
            sequence = int(vevent["sequence"])
            assert sequence >= last.get((speaker, key), -1), f"SEQUENCE went down for {speaker} {key}"
            last[(speaker, key)] = sequence

    def _mailbox_and_outbox_end_at_the_truth(self, items, answers, emails, bounced):
        delivered = {
            (sp, key): (method, vevent) for sp, key, method, vevent in self._calendar_arrivals(items)
        }
        calendar = [e for e in emails if e.ics_method in ("REQUEST", "CANCEL")]
        for key, obj in items.items():
            target, pk = key
            desired = "REQUEST" if _open(target, obj) else "CANCEL"
            on_item = answers[key]
            for speaker in self.speakers:
                rows = [
                    e
                    for e in calendar
                    if (e.speaker_id, e.target_type, e.target_id) == (speaker.pk, target, pk)
                ]
                queued = [e for e in rows if e.state == EmailLog.State.QUEUED]
                assert len(queued) <= 1, f"one queued calendar message per speaker and item: {queued}"
                want = desired if speaker.pk in on_item else "CANCEL"
                if queued:
                    (row,) = queued
                    assert row.ics_method == want, (key, speaker.pk, row.ics_method, want)
                    if speaker.pk in on_item:
                        assert row.ics_sequence == obj.ical_sequence, (key, speaker.pk)
                    continue
                if speaker.email.lower() in bounced or any(e.state == EmailLog.State.FAILED for e in rows):
                    continue  # nothing more can reach this address
                got = delivered.get((speaker.pk, key))
                if got is None:
                    # Never told anything: only right when there is nothing live to tell them.
                    assert not (speaker.pk in on_item and desired == "REQUEST"), (
                        f"speaker {speaker.pk} on live {key} never got an invitation"
                    )
                    continue
                method, vevent = got
                assert method == want, f"{key}, speaker {speaker.pk}: last delivered {method}, want {want}"
                if speaker.pk in on_item:
                    assert int(vevent["sequence"]) == obj.ical_sequence, (key, speaker.pk)
                    assert vevent["dtstart"].dt == obj.starts_at and vevent["dtend"].dt == obj.ends_at

    def _reminders_only_for_what_is_planned(self, items, answers, emails):
        expected = {
            key: {sid for sid, rsvp in answers[key].items() if rsvp != Rsvp.DECLINED}
            if _open(key[0], obj)
            else set()
            for key, obj in items.items()
        }
        pending = Reminder.objects.filter(
            production=self.production, state=Reminder.State.PENDING, speaker__isnull=False
        )
        for r in pending:
            key = (r.target_type, r.target_id)
            assert r.speaker_id in expected[key], f"pending {r.kind} for {key} ({items[key].state})"
        for e in emails:
            if e.kind == EmailLog.Kind.REMINDER and e.state == EmailLog.State.QUEUED and e.speaker_id:
                key = (e.target_type, e.target_id)
                assert e.speaker_id in expected[key], f"queued reminder for {key} ({items[key].state})"
        by_message_id = {e.message_id: e for e in emails}
        for message in self.handler.messages[self.seen :]:
            if message["X-OMOOC-Kind"] != EmailLog.Kind.REMINDER:
                continue
            email = by_message_id[message["Message-ID"]]
            if email.speaker_id is None:
                continue  # the team's reminder about unconfirmed speakers
            key = (email.target_type, email.target_id)
            assert email.speaker_id in expected[key], f"a reminder arrived for {key} ({items[key].state})"
            assert items[key].starts_at > self._now(), "a reminder arrived after the start"
            event("a speaker reminder arrived")
            self.delivered_reminders[email.idempotency_key] += 1
            self.delivered_reminders[message["Message-ID"]] += 1
        self.seen = len(self.handler.messages)
        assert not [key for key, count in self.delivered_reminders.items() if count > 1], "a reminder twice"

    @invariant()
    def readiness_equals_a_recomputation_from_scratch(self):
        readiness = board_for(self.production).readiness
        sessions = list(
            RecordingSession.objects.filter(production=self.production).exclude(state="cancelled")
        )
        pretalks = list(PreTalk.objects.filter(production=self.production).exclude(state="cancelled"))
        covered = set(
            RecordingSession.lectures.through.objects.filter(recordingsession__in=sessions).values_list(
                "lecture_id", flat=True
            )
        )
        talked = set(
            PreTalk.lectures.through.objects.filter(pretalk__in=pretalks).values_list("lecture_id", flat=True)
        )
        lectures = len(self.lectures)

        def local_day(dt: datetime) -> date:
            return dt.astimezone(AMS).date()

        last = None
        for s in sessions:
            day = local_day(s.ends_at)
            if s.state == RecordingSession.State.ON_HOLD:
                day = max(day, s.hold_until)
            last = day if last is None or day > last else last
        assert readiness.last_recording_on == last
        assert readiness.projected_launch_on == (
            last + timedelta(days=self.production.post_production_days) if last else None
        )
        held = [s for s in sessions if s.state == RecordingSession.State.ON_HOLD]
        waiting = [s for s in sessions if s.state in OPEN_SESSION]
        planned = [p for p in pretalks if p.state == PreTalk.State.PLANNED]
        open_keys = {("session", s.pk) for s in waiting} | {("pretalk", p.pk) for p in planned}
        expected = Counter()
        if planned:
            expected["pretalk", len(planned)] += 1
        if len(talked) < lectures:
            expected["pretalk", lectures - len(talked)] += 1
        if held:
            expected["hold", len(held)] += 1
        if waiting:
            expected["recording", len(waiting)] += 1
        if len(covered) < lectures:
            expected["recording", lectures - len(covered)] += 1
        unanswered = [
            n
            for key, n in (
                (key, sum(1 for rsvp in speakers.values() if rsvp == Rsvp.PENDING))
                for key, speakers in self.answers.items()
            )
            if n and key in open_keys
        ]
        if unanswered:
            expected["answers", len(unanswered)] += 1
        actual = Counter(
            (b.kind, len(b.items))
            for b in readiness.blockers
            if b.kind in ("pretalk", "hold", "recording", "answers")
        )
        assert actual == expected, (actual, expected)
