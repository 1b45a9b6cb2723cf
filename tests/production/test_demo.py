from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from production.board import board_for
from production.models import HistoryEntry, PreTalk, Production, RecordingSession, ScriptPart

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_lockdown_production_and_a_finished_one_and_is_idempotent():
    call_command("seed_demo", "--no-media", stdout=StringIO())
    counts = (Production.objects.count(), RecordingSession.objects.count(), HistoryEntry.objects.count())
    call_command("seed_demo", "--no-media", stdout=StringIO())
    assert (
        Production.objects.count(),
        RecordingSession.objects.count(),
        HistoryEntry.objects.count(),
    ) == counts

    lockdown = Production.objects.get(course__title="Samenwerken met startups")
    assert lockdown.client and lockdown.team.filter(email="producer@example.org").exists()
    assert lockdown.course.lectures.count() == 7
    parts = ScriptPart.objects.filter(production=lockdown)
    assert parts.filter(state="approved").count() > parts.count() / 2
    pretalks = PreTalk.objects.filter(production=lockdown)
    assert pretalks.filter(state="held").exists() and pretalks.filter(state="planned").exists()
    sessions = RecordingSession.objects.filter(production=lockdown)
    until = timezone.localdate() + timedelta(days=14)
    assert sessions.exists()
    assert set(sessions.values_list("state", "hold_until", "hold_reason")) == {("on_hold", until, "lockdown")}
    readiness = board_for(lockdown).readiness
    assert readiness.projected_launch_on == until + timedelta(days=lockdown.post_production_days)

    finished = Production.objects.get(course__status="published")
    assert board_for(finished).readiness.blockers == []
