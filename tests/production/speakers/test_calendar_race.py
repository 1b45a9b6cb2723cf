"""Two workers and a change at the same moment: a calendar message that a worker is handing to SMTP
holds its row lock; the sync that queues its successor waits for that lock, so the successor can
only be queued (and sent, by any worker) after the first one was accepted. Real PostgreSQL row
locks, real commits, a real SMTP server."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from production.models import EmailLog
from production.outbox.mailer import email_send, emails_send_due
from production.scheduling import services as scheduling
from tests.production.factories import SpeakerFactory, at, make_production, make_session

from .helpers import calendar_part
from .smtp import ScriptedSMTP

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def scripted_smtp(settings):
    server = ScriptedSMTP()
    handler = server.start(settings)
    yield handler
    handler.release.set()
    server.stop()


def _in_thread(fn, **kwargs) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run():
        try:
            result["value"] = fn(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_a_change_while_a_worker_sends_the_previous_invitation_is_queued_and_delivered_after_it(
    postgres, scripted_smtp
):
    speaker = SpeakerFactory(email="fleur@example.org")
    session = make_session(make_production(lectures=1), days=10, speakers=[speaker])
    (first,) = EmailLog.objects.filter(speaker=speaker)

    # Worker A claims the invitation and is in the middle of handing it to SMTP.
    scripted_smtp.hold_data.set()
    worker_a, sent_a = _in_thread(email_send, email_id=first.pk)
    assert scripted_smtp.in_data.wait(10), "worker A reached DATA"

    # Meanwhile the producer reschedules; the sync must wait for worker A's row lock.
    change, changed = _in_thread(
        scheduling.recording_session_update,
        session=session,
        starts_at=at(12, 14),
        ends_at=at(12, 16),
        by=None,
    )
    change.join(1.0)
    assert change.is_alive(), "the sync waits while the previous calendar message is being sent"
    # Worker B scans now: nothing newer exists yet, so nothing can overtake the message in flight.
    assert emails_send_due() == 0

    scripted_smtp.release.set()
    worker_a.join(10)
    change.join(10)
    assert not change.is_alive() and "error" not in changed and "error" not in sent_a
    assert sent_a["value"] == EmailLog.State.SENT
    emails_send_due()

    events = [next(iter(calendar_part(m)[1].walk("VEVENT"))) for m in scripted_smtp.messages]
    sequences = [int(e["sequence"]) for e in events]
    session.refresh_from_db()
    assert sequences == [0, session.ical_sequence] == [0, 1]
    assert [m["X-OMOOC-Kind"] for m in scripted_smtp.messages] == ["invitation", "update"]
