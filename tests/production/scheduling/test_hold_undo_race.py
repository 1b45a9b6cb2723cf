"""Undo against a second producer's change at the same moment, on two real PostgreSQL connections:
the undo waits for the session's row lock, sees the change, and restores nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from production.models import RecordingSession
from production.scheduling import services as scheduling
from production.scheduling.services import holds
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, make_production, make_session

pytestmark = [pytest.mark.usefixtures("postgres"), pytest.mark.django_db(transaction=True)]


def test_an_undo_waiting_on_a_colleagues_reschedule_refuses_and_restores_nothing():
    first, second = UserFactory(producer=True), UserFactory(producer=True)
    production = make_production(lectures=1, team=[first, second])
    sessions = [make_session(production, days=10 + i, speakers=[SpeakerFactory()]) for i in range(3)]
    until = timezone.localdate() + timedelta(days=40)
    _plan, batch = scheduling.hold_apply(productions=[production], until=until, reason="lockdown", by=first)
    locked, release = threading.Event(), threading.Event()

    def colleague():
        try:
            with transaction.atomic():
                scheduling.recording_session_update(
                    session=sessions[1],
                    starts_at=sessions[1].starts_at + timedelta(days=60),
                    ends_at=sessions[1].ends_at + timedelta(days=60),
                    by=second,
                )
                locked.set()  # holds the session's row lock until released
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=colleague)
    thread.start()
    assert locked.wait(10)
    timer = threading.Timer(0.5, release.set)  # the colleague commits while the undo waits
    timer.start()
    with pytest.raises(holds.HoldUndoRefusedError, match="rescheduled") as refused:
        scheduling.hold_undo(batch=batch, by=first)
    thread.join(10)
    assert second.email in refused.value.message or str(second) in refused.value.message
    states = dict(RecordingSession.objects.values_list("pk", "state"))
    assert [states[s.pk] for s in sessions] == ["on_hold", "scheduled", "on_hold"], "no half undo"
