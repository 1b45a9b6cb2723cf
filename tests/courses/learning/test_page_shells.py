"""The course and lecture pages come from a shell cached per catalog version and language, with each
visitor's own part put in per request (ADR 0023): nobody ever sees another visitor's enrollment,
progress, CSRF token, signed URLs or playback token, and a change shows on the next request."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from courses.catalog import cache as catalog_cache
from courses.learning.services import enrollment_create
from courses.media.access import media_url
from courses.models import Enrollment, Lecture
from tests.factories import CourseFactory, LectureFactory, UserFactory

from .player_page import player_config

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def test_each_visitor_of_a_cached_course_page_sees_their_own_enrollment_and_progress():
    course = CourseFactory(title="Open data")
    first, second = LectureFactory(course=course, title="Why"), LectureFactory(course=course, title="How")
    watcher, newcomer = UserFactory(), UserFactory()
    enrollment = enrollment_create(user=watcher, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lecture=second, last_position_seconds=755)
    url = f"/courses/{course.slug}/"

    anonymous = Client().get(url, **EN).content.decode()
    watching = _client(watcher).get(url, **EN).content.decode()
    fresh = _client(newcomer).get(url, **EN).content.decode()
    again = _client(watcher).get(url, **EN).content.decode()

    assert "Log in to enroll" in anonymous and f"next={url}" in anonymous and "Log out" not in anonymous
    assert "You are enrolled" in watching and "Continue “How” at 12:35" in watching
    assert f'<a href="{first.get_absolute_url()}">Why</a>' in watching and "Leave this course" in watching
    assert "Enroll for free" in fresh and "You are enrolled" not in fresh and "12:35" not in fresh
    assert "<span>Why</span>" in fresh and "Leave this course" not in fresh
    assert CSRF.sub("", again) == CSRF.sub("", watching)


def test_the_csrf_token_in_a_cached_course_page_is_the_visitors_own_and_lets_them_enroll():
    course = CourseFactory()
    LectureFactory(course=course)
    someone, learner = UserFactory(), UserFactory()
    _client(someone).get(f"/courses/{course.slug}/", **EN)  # builds the shell
    client = _client(learner)
    body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    tokens = CSRF.findall(body)
    assert len(tokens) == 3 and "\ue000" not in body  # log out, language switcher, enroll: filled in
    response = client.post(f"/courses/{course.slug}/enroll/", {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=learner, course=course, status="active").exists()


def test_a_course_page_with_a_message_or_a_query_string_is_rendered_in_full():
    course = CourseFactory(title="Open data")
    LectureFactory(course=course)
    learner = UserFactory()
    client = _client(learner)
    client.get(f"/courses/{course.slug}/", **EN)  # the shell exists
    token = CSRF.search(client.get(f"/courses/{course.slug}/", **EN).content.decode()).group(1)
    body = client.post(f"/courses/{course.slug}/enroll/", {"csrfmiddlewaretoken": token}, follow=True, **EN)
    assert "You are enrolled in Open data" in body.content.decode()  # the message, once
    query = client.get(f"/courses/{course.slug}/?from=newsletter", **EN).content.decode()
    assert 'name="next" type="hidden" value="/courses/' in query and "from=newsletter" in query


def test_two_learners_on_one_cached_lecture_page_get_their_own_player(hls_sample):
    from .media import install_video

    lecture = LectureFactory()
    install_video(lecture, sample=hls_sample, captions={"en": "WEBVTT\n"})
    one, two = UserFactory(), UserFactory()
    for learner in (one, two):
        enrollment_create(user=learner, course=lecture.course)
    url = f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/"
    first, second = _client(one).get(url, **EN), _client(two).get(url, **EN)
    mine, theirs = player_config(first.content.decode()), player_config(second.content.decode())
    a, b = mine["token"], theirs["token"]
    assert a and b and a != b
    assert f'data-token="{b}"' in second.content.decode() and a not in second.content.decode()
    assert theirs["master"] and theirs["master"] != mine["master"]
    assert mine["master"] not in second.content.decode()


def test_a_renamed_lecture_shows_on_the_next_visit_even_when_another_process_moved_the_version():
    course = CourseFactory()
    lecture = LectureFactory(course=course, title="Before")
    client = _client(UserFactory())
    assert "Before" in client.get(f"/courses/{course.slug}/", **EN).content.decode()
    Lecture.objects.filter(pk=lecture.pk).update(title="After")  # no signal in this process
    cache.set(catalog_cache.VERSION_KEY, "moved-by-another-process", timeout=None)
    body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    assert "After" in body and "Before" not in body


def test_a_warm_course_page_reads_the_catalog_version_once(monkeypatch):
    course = CourseFactory()
    LectureFactory(course=course)
    client = _client(UserFactory())
    client.get(f"/courses/{course.slug}/", **EN)
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k))
    assert client.get(f"/courses/{course.slug}/", **EN).status_code == 200
    assert reads.count(catalog_cache.VERSION_KEY) == 1
    assert not [key for key in reads if key.startswith("catalog:") and key != catalog_cache.VERSION_KEY]


@pytest.mark.parametrize(
    "token,path",
    [
        ("eyJhIjoxfQ:1tXyZ0:abc-_def", "master.m3u8"),
        (".eJyLrlZQUlJQKkktLlGyUjA0MjA3MjI2NTA", "720p/index.m3u8"),
        ("a:b", "captions/nl vertaling #1.vtt"),
        ("a:b", "ondertiteling/ü%20.vtt"),
    ],
)
def test_a_media_url_is_what_reverse_gives(token, path):
    assert media_url(token, path) == reverse("courses:media", kwargs={"token": token, "path": path})
