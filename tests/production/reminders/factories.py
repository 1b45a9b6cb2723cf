"""Bulk data for the reminder tests: one session with many speakers and their due reminders."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from production.models import RecordingSession, Reminder, SessionSpeaker, Speaker, Target
from tests.production.factories import make_production


def session_with_due_reminders(count: int, *, starts_in: timedelta = timedelta(hours=20)):
    production = make_production(lectures=1)
    starts = timezone.now() + starts_in
    session = RecordingSession.objects.create(
        production=production, starts_at=starts, ends_at=starts + timedelta(hours=2), state="scheduled"
    )
    session.lectures.set(production.course.lectures.all())
    speakers = Speaker.objects.bulk_create(
        [Speaker(name=f"Speaker {n}", email=f"bulk{n}@example.org", language="en") for n in range(count)]
    )
    SessionSpeaker.objects.bulk_create([SessionSpeaker(session=session, speaker=s) for s in speakers])
    due = timezone.now() - timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=Reminder.Kind.SESSION_SPEAKER_1D,
                target_type=Target.SESSION,
                target_id=session.pk,
                production=production,
                speaker=s,
                recipient=s.email,
                due_at=due,
                idempotency_key=f"bulk:{session.pk}:{s.pk}",
            )
            for s in speakers
        ]
    )
    return session
