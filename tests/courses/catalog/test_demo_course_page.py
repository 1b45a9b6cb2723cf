"""The demo data fills the course page (issue 13): level, goals, effort, speakers with photo and bio,
once (seeding again changes nothing)."""

from __future__ import annotations

import pytest

from courses import demo
from courses.models import PresenterProfile

pytestmark = pytest.mark.django_db


def test_the_demo_courses_have_goals_effort_and_speakers_with_photos_once(client):
    courses = demo.seed(users={})
    demo.seed(users={})
    english = courses["english"]
    english.refresh_from_db()
    assert (
        english.level == "intermediate" and english.effort_hours_per_week == 1 and len(english.goal_list) == 3
    )
    assert PresenterProfile.objects.count() == 3
    html = client.get(english.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Grace directs a civic tech lab" in html and '<img class="speaker-photo"' in html
    assert "What you will learn" in html and "1 hour a week, for 3 weeks" in html
