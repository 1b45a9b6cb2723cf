from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from production.models import Production, RecordingSession
from tests.support.dates import shown_date
from tests.support.studio_pages import hold_all_recordings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_producer_holds_all_recordings_of_the_demo_production_and_sees_board_blockers_and_launch_move(
    live_server, new_context
):
    call_command("seed_demo", "--no-media", stdout=StringIO())
    production = Production.objects.get(course__title="Samenwerken met startups")
    lead = production.post_production_days
    before = timezone.localdate() + timedelta(days=14)
    until = timezone.localdate() + timedelta(days=30)

    page = new_context(locale="en-US").new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/accounts/login/?next=/studio/")
    page.get_by_label("Email address").fill("producer@example.org")
    page.get_by_label("Password").fill("omooc-demo")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Samenwerken met startups").click()
    projected = page.get_by_test_id("projected-launch")
    assert projected.inner_text() == shown_date(before + timedelta(days=lead))
    blockers = page.get_by_test_id("blockers")
    assert f"until at least {shown_date(before)} (lockdown)" in blockers.inner_text()

    hold_all_recordings(page, until=until, reason="lockdown extended")

    page.locator(".message-success", has_text="put on hold until at least").wait_for()
    page.get_by_role("link", name="Back to the board").click()  # the hold's page, with its undo, comes first
    assert projected.inner_text() == shown_date(until + timedelta(days=lead))
    assert f"until at least {shown_date(until)} (lockdown extended)" in blockers.inner_text()
    board = page.get_by_test_id("board")
    held_cells = board.locator('td[data-column="recording"][data-state="on_hold"]')
    assert held_cells.count() == production.course.lectures.count()
    assert shown_date(until) in held_cells.first.inner_text()
    assert set(
        RecordingSession.objects.filter(production=production).values_list("hold_until", flat=True)
    ) == {until}

    page.get_by_label("Column").select_option("recording")
    page.get_by_label("Status").select_option("bad")
    page.get_by_role("button", name="Filter").click()
    assert board.locator("tbody tr").count() == production.course.lectures.count()
    assert errors == []
