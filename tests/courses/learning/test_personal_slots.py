"""Issue 16: the enrollment box and the player come from shells cached per shape, with slots for each
learner's own values (ADR 0029). Learners who share a shape share a shell, never a value: each sees
their own progress, resume point, certificate, signed URLs and playback token; the language and a
catalog change reach the next request; an unenrolled learner never gets a signed media URL."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.utils import timezone

from courses.learning import pages, progress
from courses.learning.services import certificate_issue, enrollment_create
from courses.media import access as media_access
from courses.models import Enrollment, Lecture, LectureProgress
from tests.factories import CourseFactory, LectureFactory, UserFactory

from .player_page import player_config

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _at(user, course, lecture, seconds: float) -> Enrollment:
    enrollment = enrollment_create(user=user, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lecture=lecture, last_position_seconds=seconds)
    return enrollment


def _box(body: str) -> str:
    return re.search(r'<section class="enrollment-box".*?</section>', body, re.S).group(0)


def test_two_learners_in_the_same_shape_each_see_their_own_resume_point_never_the_others():
    course = CourseFactory(title="Open data")
    LectureFactory(course=course, title="Why", position=1)
    how = LectureFactory(course=course, title="How <b>", position=2)
    ann, bob = UserFactory(), UserFactory()
    _at(ann, course, how, 755)
    _at(bob, course, how, 200)
    url = f"/courses/{course.slug}/"
    for _ in range(2):  # the second round is served from the shells the first one built
        mine, theirs = (
            _box(_client(ann).get(url, **EN).content.decode()),
            _box(_client(bob).get(url, **EN).content.decode()),
        )
        assert "Continue “How &lt;b&gt;” at 12:35" in mine and "3:20" not in mine
        assert "Continue “How &lt;b&gt;” at 3:20" in theirs and "12:35" not in theirs
        assert "\ue000" not in mine + theirs


def test_two_learners_who_completed_a_course_see_their_own_certificate_and_date():
    course = CourseFactory()
    lecture = LectureFactory(course=course)
    certificates = []
    for user, day in ((UserFactory(), 3), (UserFactory(), 17)):
        enrollment = enrollment_create(user=user, course=course)
        LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, completed_at=timezone.now())
        done = timezone.now().replace(month=5, day=day, hour=12)
        Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=done)
        certificates.append((user, certificate_issue(enrollment=Enrollment.objects.get(pk=enrollment.pk))))
    bodies = [
        _box(_client(user).get(f"/courses/{course.slug}/", **EN).content.decode()) for user, _ in certificates
    ]
    for (_user, certificate), body, other in zip(certificates, bodies, reversed(certificates), strict=True):
        assert f'href="/certificates/{certificate.uid}/"' in body
        assert f"/certificates/{other[1].uid}/" not in body
    assert "Completed on May 3" in bodies[0] and "Completed on May 17" in bodies[1]


def test_two_learners_on_the_same_cached_player_get_their_own_token_urls_and_resume_point(hls_sample):
    from .media import install_video

    lecture = LectureFactory()
    install_video(lecture, sample=hls_sample, duration=600, captions={"nl": "WEBVTT\n", "en": "WEBVTT\n"})
    learners = [UserFactory(), UserFactory()]
    enrollments = [enrollment_create(user=user, course=lecture.course) for user in learners]
    for enrollment, seconds in zip(enrollments, (75, 130), strict=True):
        LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=seconds)
    url = f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/"
    for _ in range(2):
        bodies = [_client(user).get(url, **EN).content.decode() for user in learners]
        players = [player_config(body) for body in bodies]
        for user, enrollment, player in zip(learners, enrollments, players, strict=True):
            claims = progress.read_playback_token(player["token"], user_id=user.pk)
            assert claims.enrollment_id == enrollment.pk
            for media in [player["master"], player["poster"], *(c["url"] for c in player["captions"])]:
                grant = media_access.unsign(media.split("/")[3])
                assert (grant.user_id, grant.enrollment_id) == (user.pk, enrollment.pk)
        assert (players[0]["resume"], players[1]["resume"]) == ("75.0", "130.0")
        assert "Continuing at 1:15" in bodies[0] and "Continuing at 2:10" in bodies[1]
        assert players[0]["token"] not in bodies[1] and players[0]["master"] not in bodies[1]
        assert [c["language"] for c in players[0]["captions"]] == ["en", "nl"]
        assert re.search(r'srclang="en" label="English" src="[^"]+" default>', bodies[0])


def test_the_language_of_the_request_decides_the_shell_and_its_fragments(hls_sample):
    from .media import install_video

    lecture = LectureFactory(title="Waarom")
    install_video(lecture, sample=hls_sample, duration=600, captions={"nl": "WEBVTT\n", "en": "WEBVTT\n"})
    learner = UserFactory()
    _at(learner, lecture.course, lecture, 90)
    LectureProgress.objects.create(
        enrollment=Enrollment.objects.get(user=learner), lecture=lecture, position_seconds=90
    )
    client = _client(learner)
    course_url = f"/courses/{lecture.course.slug}/"
    lecture_url = f"{course_url}lectures/{lecture.slug}/"
    for _ in range(2):
        dutch, english = (
            client.get(course_url, **NL).content.decode(),
            client.get(course_url, **EN).content.decode(),
        )
        assert "Je bent ingeschreven" in dutch and "Verder met “Waarom” vanaf 1:30" in dutch
        assert "You are enrolled" in english and "Continue “Waarom” at 1:30" in english
        assert 'lang="nl"' in dutch and 'lang="en"' in english
        dutch, english = (
            client.get(lecture_url, **NL).content.decode(),
            client.get(lecture_url, **EN).content.decode(),
        )
        assert "Snelheid" in dutch and "Verder vanaf 1:30" in dutch and 'data-language="nl"' in dutch
        assert "Continuing at 1:30" in english and 'data-language="en"' in english
        assert re.search(r'srclang="nl" label="[^"]+" src="[^"]+" default>', dutch)
        assert re.search(r'srclang="en" label="[^"]+" src="[^"]+" default>', english)


def test_a_catalog_change_reaches_the_cached_box_player_and_course_api_on_the_next_request(hls_sample):
    from rest_framework.test import APIClient

    from .media import install_video

    lecture = LectureFactory(title="Before")
    install_video(lecture, sample=hls_sample)
    learner = UserFactory()
    enrollment = _at(learner, lecture.course, lecture, 42)
    LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=42)
    client, api = _client(learner), APIClient()
    api.force_authenticate(learner)
    course_url = f"/courses/{lecture.course.slug}/"
    lecture_url = f"{course_url}lectures/{lecture.slug}/"
    api_url = f"/api/v1/courses/{lecture.course.slug}/"
    assert "Continue “Before” at 0:42" in client.get(course_url, **EN).content.decode()
    assert "<h1>Before</h1>" in client.get(lecture_url, **EN).content.decode()
    assert [item["title"] for item in api.get(api_url).json()["lectures"]] == ["Before"]
    lecture.title = "After"
    lecture.save()
    assert "Continue “After” at 0:42" in client.get(course_url, **EN).content.decode()
    body = client.get(lecture_url, **EN).content.decode()
    assert "<h1>After</h1>" in body and "Before" not in body
    assert [item["title"] for item in api.get(api_url).json()["lectures"]] == ["After"]
    Lecture.objects.filter(pk=lecture.pk).update(status=Lecture.Status.DRAFT)  # no signal
    from courses.catalog import cache as catalog_cache

    catalog_cache.changed()
    assert client.get(lecture_url, **EN).status_code == 404


def test_an_unenrolled_learner_never_gets_a_signed_media_url_from_a_cached_page(hls_sample):
    from rest_framework.test import APIClient

    from .media import install_video

    lecture = LectureFactory()
    install_video(lecture, sample=hls_sample, captions={"en": "WEBVTT\n"})
    enrolled, stranger = UserFactory(), UserFactory()
    enrollment_create(user=enrolled, course=lecture.course)
    course_url = f"/courses/{lecture.course.slug}/"
    lecture_url = f"{course_url}lectures/{lecture.slug}/"
    assert "/media/s/" in _client(enrolled).get(lecture_url, **EN).content.decode()  # shells built
    _client(enrolled).get(course_url, **EN)
    client = _client(stranger)
    refused = client.get(lecture_url, **EN)
    assert refused.status_code == 302 and refused["Location"] == course_url
    page = client.get(course_url, **EN).content.decode()
    assert "/media/s/" not in page and "Enroll for free" in page and "data-token" not in page
    api = APIClient()
    api.force_authenticate(stranger)
    answer = api.get(f"/api/v1/lectures/{lecture.pk}/playback/")
    assert answer.status_code == 403 and "/media/s/" not in answer.content.decode()
    detail = api.get(f"/api/v1/courses/{lecture.course.slug}/").json()
    assert detail["enrolled"] is False and "/media/s/" not in str(detail)


def test_the_course_api_joins_the_same_json_as_the_serializer_writes(django_assert_num_queries):
    from rest_framework.test import APIClient

    course = CourseFactory(title="Data “quoted” \u2028 line")
    lectures = [LectureFactory(course=course, position=i, duration_seconds=300) for i in range(3)]
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=lectures[0], completed_at=timezone.now(), duration_seconds=300
    )
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=lectures[1], watched_seconds=150, duration_seconds=300
    )
    api = APIClient()
    api.force_authenticate(learner)
    url = f"/api/v1/courses/{course.slug}/"
    joined = api.get(url)
    rendered = api.get(url, HTTP_ACCEPT="application/json; indent=2")  # through JSONRenderer
    assert joined["Content-Type"] == "application/json" and b"\\u2028" in joined.content
    assert joined.json() == rendered.json()
    assert [(x["completed"], x["watched_percent"]) for x in joined.json()["lectures"]] == [
        (True, 0),
        (False, 50),
        (False, 0),
    ]
    assert joined.json()["enrolled"] is True and APIClient().get(url).json()["enrolled"] is False


@pytest.mark.parametrize("n", [5, 50])
def test_the_course_api_takes_the_same_number_of_queries_for_5_or_50_lectures(n, django_assert_num_queries):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    course = CourseFactory()
    for i in range(n):
        LectureFactory(course=course, position=i)
    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner).key}")
    url = f"/api/v1/courses/{course.slug}/"
    assert len(api.get(url).json()["lectures"]) == n  # the outline is cached from here on
    with django_assert_num_queries(2):  # token, enrollment with progress
        assert len(api.get(url).json()["lectures"]) == n


def test_the_course_pages_csrf_token_is_masked_afresh_from_the_visitors_cookie():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "a" * 20 + "B" * 12
    first, second = pages.csrf_token(request), pages.csrf_token(request)
    assert len(first) == 64 and first != second and re.fullmatch(r"[A-Za-z0-9]{64}", first)
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == request.META["CSRF_COOKIE"]
    fresh = RequestFactory().get("/")  # no cookie yet: Django's get_token makes one
    token = pages.csrf_token(fresh)
    assert _unmask_cipher_token(token) == fresh.META["CSRF_COOKIE"] and fresh.META["CSRF_COOKIE_NEEDS_UPDATE"]
