"""The studio's media list filtered by course: only the producer's own courses are offered and kept;
another team's course id, an unknown id or garbage is a 404 (the course does not exist for them), and
the pages of a filtered list keep the filter."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.production.factories import make_production

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    alice, bob = UserFactory(producer=True, language="en"), UserFactory(producer=True, language="en")
    first = make_production(lectures=2, team=[alice])
    second = make_production(lectures=3, team=[alice])
    theirs = make_production(lectures=1, team=[bob])
    for production, title in (
        (first, "Alfa leiderschap"),
        (second, "Beta data"),
        (theirs, "Geheim-Gamma-7781"),
    ):
        production.course.title = title
        production.course.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    return {"client": client, "first": first, "second": second, "theirs": theirs}


def rows(response) -> int:
    return response.content.decode().count('href="/studio/media/lectures/')


def test_the_list_shows_every_own_course_and_offers_only_those(teams):
    response = teams["client"].get(reverse("courses_media:index"))
    page = response.content.decode()
    assert response.status_code == 200 and rows(response) == 5
    assert "Alfa leiderschap" in page and "Beta data" in page and "Geheim-Gamma-7781" not in page
    select = page[page.index('id="media-course"') :]
    assert select[: select.index("</select>")].count("<option value=") == 3  # all courses, and the own two


def test_filtering_keeps_one_course(teams):
    course = teams["second"].course
    response = teams["client"].get(reverse("courses_media:index"), {"course": course.pk})
    page = response.content.decode()
    assert rows(response) == 3 and "Alfa leiderschap</td>" not in page
    assert f'<option value="{course.pk}" selected>' in page


@pytest.mark.parametrize(
    ("value", "status"),
    [("theirs", 404), ("999999999", 404), ("abc", 404), ("1" * 40, 404), ("-1", 404), ("1\x00", 400)],
)
def test_another_teams_or_an_unknown_course_is_not_found(teams, value, status):
    """A NUL byte never reaches the view: the input guard answers 400 (ADR 0012)."""
    wanted = str(teams["theirs"].course.pk) if value == "theirs" else value
    response = teams["client"].get(reverse("courses_media:index"), {"course": wanted})
    assert response.status_code == status
    assert "Geheim-Gamma-7781" not in response.content.decode()


def test_the_pages_of_a_filtered_list_keep_the_filter(teams, settings):
    from courses.models import Lecture
    from tests.factories import LectureFactory

    course = teams["first"].course
    for position in range(3, 56):
        LectureFactory(course=course, position=position)
    assert Lecture.objects.filter(course=course).count() == 55
    page = teams["client"].get(reverse("courses_media:index"), {"course": course.pk}).content.decode()
    assert f"?course={course.pk}&amp;page=2" in page
    second = teams["client"].get(reverse("courses_media:index"), {"course": course.pk, "page": 2})
    assert rows(second) == 5
