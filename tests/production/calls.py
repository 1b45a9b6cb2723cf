"""Calling services as a request does: after the call, its after-commit hooks (the calendar sync,
the reminders) run; ``send`` also delivers the outbox afterwards, as the mail worker would. The
``run`` and ``send`` fixtures (tests/production/conftest.py) are ``ServiceCalls``; the actions that
tests repeat most have a short name here."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from production.scheduling import services as scheduling


class ServiceCalls:
    def __init__(self, capture_on_commit, *, deliver: bool = False) -> None:
        self.capture_on_commit, self.deliver = capture_on_commit, deliver

    def __call__(self, fn, **kwargs):
        with self.capture_on_commit(execute=True):
            result = fn(**kwargs)
        if self.deliver:
            from production.outbox.mailer import emails_send_due

            emails_send_due()
        return result

    def reschedule(self, session, starts_at, ends_at, *, by=None):
        """A new start and end for a session."""
        return self(
            scheduling.recording_session_update, session=session, starts_at=starts_at, ends_at=ends_at, by=by
        )

    def hold(self, session, *, days: int, reason: str = "lockdown", by=None):
        """Hold a session until ``days`` from today."""
        until = timezone.localdate() + timedelta(days=days)
        return self(scheduling.recording_session_hold, session=session, until=until, reason=reason, by=by)

    def postpone(self, production, *, days: int, reason: str = "lockdown", by=None):
        """Postpone every recording of a production until ``days`` from today."""
        until = timezone.localdate() + timedelta(days=days)
        return self(
            scheduling.production_postpone_recordings,
            productions=[production],
            until=until,
            reason=reason,
            by=by,
        )

    def transition(self, session, to_state: str, *, by=None, **details):
        """Move a session to another state (``reason`` and the like in ``details``)."""
        return self(
            scheduling.recording_session_transition, session=session, to_state=to_state, **details, by=by
        )

    def respond(self, attendance, rsvp: str, *, by=None, **answer):
        """A speaker's answer (``decline_reason``, ``proposed_starts_at``, ... in ``answer``)."""
        return self(scheduling.attendance_respond, attendance=attendance, rsvp=rsvp, **answer, by=by)
