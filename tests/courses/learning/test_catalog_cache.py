"""The catalog is built once per catalog version, and any change to a course, lecture or theme shows
at once on the page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from courses.media import access as media_access
from courses.models import Course
from tests.factories import CourseFactory, LectureFactory, ThemeFactory

from .player_page import player_config

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_repeated_anonymous_catalog_visit_is_served_without_catalog_queries(
    client, django_assert_num_queries
):
    CourseFactory(title="Open data", language="en")
    first = client.get("/", **EN).content.decode()
    with django_assert_num_queries(0):
        again = client.get("/", **EN).content.decode()
    cards = lambda body: body[body.index('<ul class="card-list">') :].split("</ul>")[0]  # noqa: E731
    assert "Open data" in cards(first) and cards(again) == cards(first)


def test_a_new_published_course_and_a_renamed_one_show_on_the_next_catalog_visit(client):
    course = CourseFactory(title="Open data", language="en")
    assert "Open data" in client.get("/", **EN).content.decode()
    CourseFactory(title="Leiderschap", language="nl")
    course.title = "Open data, second edition"
    course.save()
    body = client.get("/", **EN).content.decode()
    assert "Leiderschap" in body and "Open data, second edition" in body


def test_archiving_a_course_or_deleting_its_lecture_changes_the_cached_catalog(client):
    kept, archived = CourseFactory(title="Kept"), CourseFactory(title="Archived soon")
    lecture = LectureFactory(course=kept)
    LectureFactory(course=kept)
    body = client.get("/", **EN).content.decode()
    assert "Archived soon" in body and "2 lectures" in body
    archived.status = Course.Status.ARCHIVED
    archived.save()
    lecture.delete()
    body = client.get("/", **EN).content.decode()
    assert "Archived soon" not in body and "1 lecture" in body and "2 lectures" not in body


def test_the_catalog_language_and_theme_filters_are_cached_separately(client):
    theme = ThemeFactory(name="Data", slug="data")
    CourseFactory(title="Data delen", theme=theme, language="nl")
    CourseFactory(title="Open data", language="en")
    assert "Open data" in client.get("/", **EN).content.decode()
    english = client.get("/?language=en", **EN).content.decode()
    assert "Open data" in english and "Data delen" not in english
    themed = client.get("/?theme=data", **EN).content.decode()
    assert "Data delen" in themed and "Open data" not in themed
    dutch = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "2 cursussen" in dutch or "cursus" in dutch


def test_a_course_scheduled_for_later_appears_once_the_cache_entry_expires(client, settings):
    CourseFactory(title="Soon", published_at=timezone.now() + dt.timedelta(hours=1))
    assert "Soon" not in client.get("/", **EN).content.decode()
    Course.objects.filter(title="Soon").update(published_at=timezone.now() - dt.timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()  # what the entry's expiry (catalog_cache.TTL_SECONDS) does after a minute
    assert "Soon" in client.get("/", **EN).content.decode()


def test_the_catalog_api_is_cached_and_follows_changes(django_assert_num_queries):
    CourseFactory(title="Open data")
    anonymous = APIClient()
    assert [c["title"] for c in anonymous.get("/api/v1/courses/").json()["results"]] == ["Open data"]
    with django_assert_num_queries(0):
        again = anonymous.get("/api/v1/courses/").json()
    assert [c["title"] for c in again["results"]] == ["Open data"]
    CourseFactory(title="Leiderschap")
    titles = [c["title"] for c in anonymous.get("/api/v1/courses/").json()["results"]]
    assert titles == ["Leiderschap", "Open data"]


def test_the_cached_catalog_page_still_shows_the_visitors_own_menu(django_user_model):
    CourseFactory(title="Open data")
    anonymous = Client()
    assert "My courses" not in anonymous.get("/", **EN).content.decode()
    member = Client()
    member.force_login(django_user_model.objects.create_user(email="learner@example.org", password="x" * 12))
    body = member.get("/", **EN).content.decode()
    assert "Open data" in body and "My courses" in body


# --- A published course's outline and a published lecture's media ------------------------------


def _enrolled_client(course):
    from courses.learning.services import enrollment_create
    from tests.factories import UserFactory

    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    return client


def test_the_course_page_shows_lecture_and_presenter_changes_on_the_next_visit():
    from courses.catalog.services import Presenter, lecture_presenters_set

    course = CourseFactory(title="Open data")
    lecture = LectureFactory(course=course, title="Why open data")
    client = _enrolled_client(course)
    url = f"/courses/{course.slug}/"
    assert "Why open data" in client.get(url, **EN).content.decode()
    lecture.title = "Why open data matters"
    lecture.save()
    # bulk_create sends no signal: the service moves the catalog version itself
    lecture_presenters_set(lecture=lecture, presenters=[Presenter(name="Noor Visser", affiliation="Example")])
    body = client.get(url, **EN).content.decode()
    assert "Why open data matters" in body and "Noor Visser" in body
    lecture.status = lecture.Status.DRAFT
    lecture.save()
    assert "Why open data" not in client.get(url, **EN).content.decode()
    course.status = Course.Status.ARCHIVED
    course.save()
    assert client.get(url, **EN).status_code == 404


def test_the_lecture_page_follows_a_new_video_new_captions_and_unpublishing(hls_sample):
    from .media import install_video

    course = CourseFactory(title="Open data")
    lecture = LectureFactory(course=course)
    client = _enrolled_client(course)
    url = f"/courses/{course.slug}/lectures/{lecture.slug}/"
    assert "not ready yet" in client.get(url, **EN).content.decode()
    video = install_video(lecture, sample=hls_sample, captions={"nl": "WEBVTT\n"})
    player = player_config(client.get(url, **EN).content.decode())
    assert media_access.unsign(player["master"].split("/")[3]).root == video.output_prefix
    assert [c["language"] for c in player["captions"]] == ["nl"]
    video.delete()  # a re-upload replaces the current video (courses.services.media._finish)
    newer = install_video(lecture, sample=hls_sample, captions={"en": "WEBVTT\n"})
    player = player_config(client.get(url, **EN).content.decode())
    assert media_access.unsign(player["master"].split("/")[3]).root == newer.output_prefix
    assert {c["language"] for c in player["captions"]} == {"nl", "en"}
    lecture.status = lecture.Status.DRAFT
    lecture.save()
    assert client.get(url, **EN).status_code == 404


def test_the_playback_api_is_refused_once_the_course_is_archived(hls_sample):
    from rest_framework.authtoken.models import Token

    from courses.learning.services import enrollment_create
    from tests.factories import UserFactory

    from .media import install_video

    course = CourseFactory()
    lecture = LectureFactory(course=course)
    install_video(lecture, sample=hls_sample)
    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner).key}")
    assert api.get(f"/api/v1/lectures/{lecture.pk}/playback/").status_code == 200
    course.status = Course.Status.ARCHIVED
    course.save()
    assert api.get(f"/api/v1/lectures/{lecture.pk}/playback/").status_code == 404


def test_the_redis_cache_backend_reuses_one_client_and_works_against_redis(redis_url):
    from omooc.cache import RedisCache

    cache = RedisCache(redis_url, {})
    cache.set("omooc-test", {"a": 1}, 30)
    assert cache.get("omooc-test") == {"a": 1}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete("omooc-test")
    assert cache.get("omooc-test") is None
