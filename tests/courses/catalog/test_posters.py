"""Issue 13, ADR 0027: every catalog card has a poster (the uploaded one, else the poster frame of
the first lecture with a ready video, else none), with alt text in the visitor's language, served
on a public route that serves only what is public: never a draft course's poster, never a file the
URL names."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Course
from tests.courses.catalog.images import image_bytes, ready_video_with_poster
from tests.factories import CourseFactory, LectureFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def card(body: str, title: str) -> str:
    for item in re.findall(r'<li class="card course-card">.*?</li>', body, re.S):
        if f">{title}</a>" in item:
            return item
    raise AssertionError(f"no card for {title}")


def poster_img(item: str) -> tuple[str, str] | None:
    found = re.search(r'<div class="card-media"><img src="([^"]+)" alt="([^"]*)"', item)
    return (found.group(1), found.group(2)) if found else None


def with_uploaded_poster(course: Course, *, alt: str = "", colour=(0, 128, 0)) -> Course:
    course.poster.save("poster.png", ContentFile(image_bytes("PNG", (800, 450), colour)), save=False)
    course.poster_alt = alt
    course.save()
    return course


def test_the_poster_falls_back_from_the_upload_to_the_first_lecture_frame_to_none(client):
    course = CourseFactory(title="Publiek leiderschap")
    first = LectureFactory(course=course, position=1, title="Zonder video")
    second = LectureFactory(course=course, position=2, title="Gebruikers centraal")
    assert poster_img(card(client.get("/", **EN).content.decode(), "Publiek leiderschap")) is None
    assert 'card-media-blank" aria-hidden="true"' in card(
        client.get("/", **EN).content.decode(), "Publiek leiderschap"
    )

    ready_video_with_poster(second, colour=(200, 30, 30))  # the first lecture WITH a ready video
    url, alt = poster_img(card(client.get("/", **EN).content.decode(), "Publiek leiderschap"))
    assert alt == "A still from the lecture “Gebruikers centraal”"
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"  # the video's JPEG frame
    assert "public" in image["Cache-Control"] and image["X-Content-Type-Options"] == "nosniff"
    _, alt_nl = poster_img(card(client.get("/", **NL).content.decode(), "Publiek leiderschap"))
    assert alt_nl == "Een beeld uit het college “Gebruikers centraal”"

    ready_video_with_poster(first)  # an earlier lecture gets a video: its frame is the poster now
    url_first, _ = poster_img(card(client.get("/", **EN).content.decode(), "Publiek leiderschap"))
    assert url_first != url and client.get(url).status_code == 404  # the old URL no longer serves

    with_uploaded_poster(course, alt="Three managers around a whiteboard")
    url_upload, alt = poster_img(card(client.get("/", **EN).content.decode(), "Publiek leiderschap"))
    assert alt == "Three managers around a whiteboard"
    uploaded = client.get(url_upload)
    assert uploaded["Content-Type"] == "image/png"
    assert b"".join(uploaded.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_uploaded_poster_without_a_description_gets_one_naming_the_course(client):
    with_uploaded_poster(CourseFactory(title="Data delen"))
    _, alt = poster_img(card(client.get("/", **EN).content.decode(), "Data delen"))
    assert alt == "Poster of the course “Data delen”"
    _, alt_nl = poster_img(card(client.get("/", **NL).content.decode(), "Data delen"))
    assert alt_nl == "Poster van de cursus “Data delen”"


def test_the_poster_of_an_unpublished_course_is_not_served(client):
    course = with_uploaded_poster(CourseFactory(title="Bijna klaar"))
    lecture = LectureFactory(course=course)
    ready_video_with_poster(lecture)
    url, _ = poster_img(card(client.get("/", **EN).content.decode(), "Bijna klaar"))
    assert client.get(url).status_code == 200

    Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
    assert client.get(url).status_code == 404
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ARCHIVED)
    assert client.get(url).status_code == 404
    Course.objects.filter(pk=course.pk).update(
        status=Course.Status.PUBLISHED, published_at=timezone.now() + timezone.timedelta(days=2)
    )
    assert client.get(url).status_code == 404  # scheduled, not yet public


def test_the_poster_route_serves_nothing_the_url_names(client):
    course = CourseFactory()
    lecture = LectureFactory(course=course)
    video = ready_video_with_poster(lecture)
    for key in ("0" * 16, "master.m3u8", "..%2F..%2Fsettings.py", video.output_prefix.replace("/", "-")):
        assert client.get(f"/courses/{course.slug}/poster/{key}/").status_code == 404
    # a draft lecture's video is no public poster either
    draft = CourseFactory()
    hidden = LectureFactory(course=draft, status="draft")
    ready_video_with_poster(hidden)
    assert 'card-media"><img' not in client.get("/", **EN).content.decode().split(draft.title)[-1][:400]


def test_a_card_shows_the_courses_language_and_level_in_english_and_dutch(client):
    CourseFactory(title="Open data", language="en", level=Course.Level.INTERMEDIATE)
    CourseFactory(title="Inkoop", language="nl")
    item = card(client.get("/", **EN).content.decode(), "Open data")
    assert "Language: </span>English" in item and "Level: </span>Intermediate" in item
    item_nl = card(client.get("/", **NL).content.decode(), "Open data")
    assert "Taal: </span>Engels" in item_nl and "Niveau: </span>Halfgevorderd" in item_nl
    assert "Level:" not in card(client.get("/", **EN).content.decode(), "Inkoop")  # no level set


@pytest.mark.parametrize("n", [3, 30])
def test_the_catalog_takes_the_same_number_of_queries_for_3_or_30_courses(
    client, n, django_assert_num_queries
):
    for i in range(n):
        course = CourseFactory(title=f"Cursus {i:02}", level=Course.Level.INTRODUCTORY)
        lecture = LectureFactory(course=course)
        if i % 3 == 0:
            ready_video_with_poster(lecture)
        elif i % 3 == 1:
            with_uploaded_poster(course)
    # count, page of courses (posters annotated), speakers, themes: then cached
    with django_assert_num_queries(4):
        response = client.get("/", **EN)
    assert response.content.decode().count('<div class="card-media"><img') == min(n, 12) - min(n, 12) // 3
    with django_assert_num_queries(0):
        client.get("/", **EN)
