"""Every studio-wing service that changes state takes ``by`` (no default) and records who did it in
the production's history; a caller that forgets ``by`` is refused before anything is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production import productions
from production.history import history_for, history_for_production
from production.models import HistoryEntry, ScriptPart, Speaker
from production.scripts import services as scripts
from production.speakers import services as speakers
from tests.factories import LectureFactory, UserFactory

from ..factories import make_production

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_and_production():
    """A producer and a production of two lectures with that producer on its team."""
    producer = UserFactory(producer=True)
    return producer, make_production(lectures=2, team=[producer])


def test_a_new_reviewer_and_due_date_are_recorded_with_who_set_them(team_and_production):
    producer, production = team_and_production
    part = production.script_parts.order_by("id").first()
    reviewer = UserFactory(producer=True, full_name="Rita Reviewer")
    due = timezone.localdate() + timedelta(days=10)
    scripts.script_part_update(part=part, reviewer=reviewer, due_on=due, by=producer)
    (entry,) = history_for(subject=part)
    assert (entry.action, entry.by) == ("updated", producer)
    assert entry.from_value == "— · —"
    assert entry.to_value == f"{reviewer} · {due.isoformat()}"


def test_saving_the_same_reviewer_and_due_date_again_adds_no_history(team_and_production):
    producer, production = team_and_production
    part = production.script_parts.order_by("id").first()
    scripts.script_part_update(part=part, reviewer=producer, due_on=None, by=producer)
    scripts.script_part_update(part=part, reviewer=producer, due_on=None, by=producer)
    assert len(history_for(subject=part)) == 1


def test_editing_a_production_records_which_fields_changed_and_by_whom(team_and_production):
    producer, production = team_and_production
    colleague = UserFactory(producer=True)
    before = history_for_production(production=production).count()
    productions.production_update(
        production=production, client="Ander ministerie", team=[producer, colleague], by=producer
    )
    entry = history_for(subject=production)[0]
    assert (entry.action, entry.by) == ("updated", producer)
    assert "client" in entry.to_value.lower() and "team" in entry.to_value.lower()
    assert history_for_production(production=production).count() == before + 1


def test_lectures_added_later_get_rows_and_the_sync_says_who_ran_it(team_and_production):
    producer, production = team_and_production
    LectureFactory(course=production.course, position=3, title="Nieuwe les", status="draft")
    productions.production_sync_lectures(production=production, by=producer)
    assert ScriptPart.objects.filter(production=production).count() == 3
    entry = history_for(subject=production)[0]
    assert (entry.action, entry.by, entry.to_value) == ("updated", producer, "Nieuwe les")
    productions.production_sync_lectures(production=production, by=None)  # nothing new: no entry
    assert history_for(subject=production)[0] == entry


@pytest.mark.parametrize(
    "call",
    [
        lambda p: scripts.script_version_add(part=p.script_parts.first(), text="Tekst"),
        lambda p: scripts.script_part_update(part=p.script_parts.first(), due_on=None),
        lambda p: productions.production_update(production=p, client="Zonder wie"),
        lambda p: productions.post_production_set(item=p.post_production.first(), step="edit", state="done"),
        lambda p: speakers.speaker_create(name="Zonder Wie", email="zonder.wie@example.org"),
    ],
    ids=[
        "script_version_add",
        "script_part_update",
        "production_update",
        "post_production_set",
        "speaker_create",
    ],
)
def test_a_caller_that_forgets_who_is_acting_is_refused_and_nothing_is_saved(team_and_production, call):
    _, production = team_and_production
    entries = HistoryEntry.objects.count()
    with pytest.raises(TypeError, match="by"):
        call(production)
    assert HistoryEntry.objects.count() == entries
    assert not Speaker.objects.filter(email="zonder.wie@example.org").exists()
    assert production.script_parts.first().versions.count() == 0
