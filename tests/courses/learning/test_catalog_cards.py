"""Issue 13: catalog cards say how long a course is, who presents it and whether its video is ready
("coming soon" with the expected date), and the catalog sorts by newest, title or length."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from courses.catalog.services import Presenter, lecture_presenters_set
from courses.models import Video
from tests.factories import CourseFactory, LectureFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def ready_video(lecture, seconds: float) -> Video:
    return Video.objects.create(
        lecture=lecture, is_current=True, status=Video.Status.READY, duration_seconds=seconds,
        output_prefix=f"videos/{lecture.slug}",
    )  # fmt: skip


def card(body: str, title: str) -> str:
    for item in re.findall(r'<li class="card course-card">.*?</li>', body, re.S):
        if f">{title}</a>" in item:
            return item
    raise AssertionError(f"no card for {title}")


def titles(body: str) -> list[str]:
    return re.findall(r'<li class="card course-card">\s*<h2><a href="[^"]+">([^<]+)</a>', body)


def test_a_card_shows_lectures_total_minutes_and_each_speaker_once(client):
    course = CourseFactory(title="Publiek leiderschap")
    first = LectureFactory(course=course, position=1, duration_seconds=600)
    second = LectureFactory(course=course, position=2, duration_seconds=900)
    ready_video(first, 630)  # the video's own length wins over the planned one
    lecture_presenters_set(lecture=first, presenters=[Presenter(name="Anna de Vries")])
    lecture_presenters_set(
        lecture=second, presenters=[Presenter(name="Bram Smit"), Presenter(name="anna de vries")]
    )
    item = card(client.get("/", **EN).content.decode(), "Publiek leiderschap")
    assert "2 lectures · 26 minutes" in item  # 630 + 900 seconds
    assert "With Anna de Vries, Bram Smit" in item
    assert "Coming soon" not in item
    assert "2 colleges · 26 minuten" in card(client.get("/", **NL).content.decode(), "Publiek leiderschap")


def test_a_course_without_ready_video_is_coming_soon_with_its_expected_date(client):
    soon = CourseFactory(title="Data delen", starts_on=dt.date(2026, 4, 6))
    lecture = LectureFactory(course=soon, duration_seconds=300)
    Video.objects.create(lecture=lecture, is_current=True, status=Video.Status.TRANSCODING)
    item = card(client.get("/", **EN).content.decode(), "Data delen")
    assert "Coming soon" in item and "expected on April 6, 2026" in item
    assert "Binnenkort" in card(client.get("/", **NL).content.decode(), "Data delen")


def test_the_catalog_sorts_by_title_newest_or_shortest_and_keeps_the_order_when_paging(client):
    now = timezone.now()
    for title, days_ago, seconds in (("Beta", 30, 1200), ("Alpha", 1, 3000), ("Gamma", 10, 300)):
        course = CourseFactory(title=title, published_at=now - dt.timedelta(days=days_ago))
        LectureFactory(course=course, duration_seconds=seconds)
    assert titles(client.get("/", **EN).content.decode()) == ["Alpha", "Beta", "Gamma"]
    assert titles(client.get("/?sort=newest", **EN).content.decode()) == ["Alpha", "Gamma", "Beta"]
    assert titles(client.get("/?sort=shortest", **EN).content.decode()) == ["Gamma", "Beta", "Alpha"]
    assert titles(client.get("/?sort=bogus", **EN).content.decode()) == ["Alpha", "Beta", "Gamma"]
    body = client.get("/?sort=shortest", **EN).content.decode()
    assert '<option value="shortest" selected>' in body
    assert "No courses match your search." not in body  # a chosen order is not a search


@pytest.mark.parametrize("n", [2, 12])
def test_a_catalog_page_costs_the_same_queries_for_2_or_12_courses(client, n, django_assert_num_queries):
    for i in range(n):
        course = CourseFactory()
        lecture = LectureFactory(course=course, duration_seconds=60 * (i + 1))
        lecture_presenters_set(lecture=lecture, presenters=[Presenter(name=f"Spreker {i}")])
    # count, page with durations and readiness, speakers, themes (a miss; a repeat visit is 0)
    with django_assert_num_queries(4):
        body = client.get("/?sort=shortest", **EN).content.decode()
    assert len(titles(body)) == n
    with django_assert_num_queries(0):
        client.get("/?sort=shortest", **EN)
