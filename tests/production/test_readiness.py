from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Caption, Video
from production import access, productions
from production.board import board_filter, board_for
from production.models import ScriptPart
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from tests.factories import UserFactory

from .factories import SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


def _approve(part):
    scripts.script_version_add(part=part, text="text", by=None)
    scripts.script_part_transition(part=part, to_state="in_review", by=None)
    scripts.script_part_transition(part=part, to_state="approved", by=None)


def test_projected_launch_is_the_last_planned_recording_plus_the_lead_time_and_moves_with_a_hold():
    production = make_production(
        lectures=2, post_production_days=21, target_launch_on=timezone.localdate() + timedelta(days=30)
    )
    lectures = list(production.course.lectures.all())
    make_session(production, days=3, lectures=[lectures[0]])
    make_session(production, days=6, lectures=[lectures[1]])
    readiness = board_for(production).readiness
    assert readiness.projected_launch_on == timezone.localdate() + timedelta(days=6 + 21)
    assert readiness.days_late == -3

    until = timezone.localdate() + timedelta(days=14)
    scheduling.production_postpone_recordings(
        productions=[production], until=until, reason="lockdown", by=None
    )
    readiness = board_for(production).readiness
    assert readiness.projected_launch_on == until + timedelta(days=21)
    assert readiness.days_late == 5
    hold = [b for b in readiness.blockers if b.kind == "hold"]
    assert hold and "until at least" in hold[0].message and "lockdown" in hold[0].message


def test_a_production_without_sessions_has_no_projected_launch_and_lists_all_blockers():
    production = make_production(lectures=3)
    readiness = board_for(production).readiness
    assert readiness.projected_launch_on is None
    kinds = [b.kind for b in readiness.blockers]
    assert kinds == ["script", "pretalk", "recording", "post_production"]
    assert "3 script parts not approved" in readiness.blockers[0].message
    assert readiness.percent == 0


def test_script_progress_is_the_share_of_approved_parts():
    production = make_production(lectures=4)
    parts = list(ScriptPart.objects.filter(production=production).order_by("lecture__position"))
    for part in parts[:3]:
        _approve(part)
    readiness = board_for(production).readiness
    assert (readiness.script_approved, readiness.script_percent) == (3, 75)
    assert readiness.blockers[0].items == [parts[3].lecture.title]


def test_the_board_counts_a_ready_current_video_as_edited_and_a_caption_as_captioned():
    production = make_production(lectures=2)
    first, second = production.course.lectures.order_by("position")
    Video.objects.create(lecture=first, is_current=True, status=Video.Status.READY)
    Video.objects.create(lecture=second, is_current=True, status=Video.Status.TRANSCODING)
    Caption.objects.create(lecture=first, language="nl", vtt=ContentFile(b"WEBVTT\n", name="a.vtt"))
    rows = board_for(production).rows
    assert rows[0].cell("edit").tone == "ok" and rows[0].cell("captions").tone == "ok"
    assert rows[1].cell("edit").tone == "todo" and rows[1].cell("captions").tone == "todo"
    productions.post_production_set(item=rows[1].post_production, step="edit", state="in_progress", by=None)
    assert board_for(production).rows[1].cell("edit").state == "in_progress"


def test_a_fully_finished_production_has_no_blockers():
    production = make_production(lectures=1)
    lecture = production.course.lectures.get()
    _approve(production.script_parts.get())
    pretalk = scheduling.pretalk_create(
        production=production,
        speakers=[SpeakerFactory()],
        lectures=[lecture],
        starts_at=at(-9),
        mode="phone",
        by=None,
    )
    scheduling.pretalk_mark_held(pretalk=pretalk, by=None)
    session = make_session(production, days=-5, state="scheduled")
    scheduling.recording_session_transition(session=session, to_state="recorded", by=None)
    post = production.post_production.get()
    for step in ("edit", "captions", "review"):
        productions.post_production_set(item=post, step=step, state="done", by=None)
    lecture.status = "published"
    lecture.save()
    readiness = board_for(production).readiness
    assert readiness.blockers == []
    assert readiness.percent == 100


def test_board_filter_keeps_rows_with_the_chosen_column_state():
    production = make_production(lectures=3)
    _approve(production.script_parts.order_by("lecture__position").first())
    rows = board_for(production).rows
    assert len(board_filter(rows, column="script", tone="ok")) == 1
    assert len(board_filter(rows, column="script", tone="todo")) == 2
    assert len(board_filter(rows, blocked_only=True)) == 3


def test_a_producer_sees_only_productions_of_their_team_and_a_superuser_all():
    member = UserFactory(producer=True)
    mine = make_production(team=[member])
    theirs = make_production()
    admin = UserFactory(is_superuser=True)
    learner = UserFactory()
    assert list(access.production_visible_to(member)) == [mine]
    assert set(access.production_visible_to(admin)) == {mine, theirs}
    assert list(access.production_visible_to(learner)) == []
