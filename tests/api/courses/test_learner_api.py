"""The learner API for the mobile client: catalog, enrollments, playback URLs, progress."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.learning.tasks import progress_flush
from courses.models import Course, Enrollment, LectureProgress
from tests.courses.learning.media import install_video
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def api(learner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner).key}")
    return client


def test_the_catalog_lists_published_courses_to_anyone_with_filters():
    CourseFactory(title="Open data", language="en")
    CourseFactory(title="Leiderschap", language="nl")
    CourseFactory(title="Concept", status=Course.Status.DRAFT, published_at=None)
    anonymous = APIClient()
    data = anonymous.get("/api/v1/courses/").json()
    assert [c["title"] for c in data["results"]] == ["Leiderschap", "Open data"]
    assert [c["title"] for c in anonymous.get("/api/v1/courses/?language=en").json()["results"]] == [
        "Open data"
    ]


@pytest.mark.parametrize("n", [5, 50])
def test_the_catalog_and_enrollment_lists_take_constant_queries(api, learner, n, django_assert_num_queries):
    for _ in range(3):
        course = CourseFactory()
        for i in range(n):
            LectureFactory(course=course, position=i)
        Enrollment.objects.create(user=learner, course=course, enrolled_at=course.published_at)
    with django_assert_num_queries(3):  # token, count, page
        assert len(api.get("/api/v1/courses/").json()["results"]) == 3
    with django_assert_num_queries(3):
        results = api.get("/api/v1/enrollments/").json()["results"]
    assert [r["lecture_total"] for r in results] == [n] * 3


def test_a_learner_enrolls_plays_sends_heartbeats_and_leaves(api, learner, hls_sample):
    lecture = LectureFactory(duration_seconds=24)
    install_video(lecture, sample=hls_sample)
    slug = lecture.course.slug
    assert api.get(f"/api/v1/lectures/{lecture.pk}/playback/").status_code == 403
    created = api.post("/api/v1/enrollments/", {"course": slug}, format="json")
    assert created.status_code == 201 and created.json()["course"] == slug

    playback = api.get(f"/api/v1/lectures/{lecture.pk}/playback/").json()
    assert playback["master_url"].startswith("http://testserver/media/s/")
    assert playback["captions"][0]["language"] == "nl"
    assert playback["expires_in_seconds"] >= 2 * 24  # a native player cannot renew mid-lecture
    # bearer URLs: a native player fetches them without the API token
    assert APIClient().get(playback["master_url"]).status_code == 200
    assert APIClient().get(playback["captions"][0]["url"]).status_code == 200

    heartbeat = playback["heartbeat"]
    for body in (
        {"token": heartbeat["token"], "position": 3, "event": "play"},
        {"token": heartbeat["token"], "position": 9.5, "played_from": 3, "event": "pause"},
    ):
        assert api.post("/api/v1/progress/", body, format="json").status_code == 202
    assert api.get(f"/api/v1/lectures/{lecture.pk}/playback/").json()["resume_position_seconds"] == 9.5
    progress_flush()
    assert LectureProgress.objects.get(lecture=lecture).position_seconds == 9.5
    enrollments = api.get("/api/v1/enrollments/").json()["results"]
    assert enrollments[0]["last_lecture"]["id"] == lecture.pk
    assert enrollments[0]["last_position_seconds"] == 9.5

    detail = api.get(f"/api/v1/courses/{slug}/").json()
    assert detail["enrolled"] is True and detail["lectures"][0]["id"] == lecture.pk

    assert api.delete(f"/api/v1/enrollments/{enrollments[0]['id']}/").status_code == 204
    assert APIClient().get(playback["master_url"]).status_code == 403
    assert api.get(f"/api/v1/lectures/{lecture.pk}/playback/").status_code == 403


def test_enrolling_in_a_draft_course_is_a_clear_404(api):
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    response = api.post("/api/v1/enrollments/", {"course": draft.slug}, format="json")
    assert response.status_code == 404
    assert response.json()["message"].startswith("course:")


def test_a_heartbeat_with_a_bad_body_names_the_field(api):
    response = api.post("/api/v1/progress/", {"token": "x", "position": -3}, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("position:")
    response = api.post("/api/v1/progress/", {"token": "forged", "position": 3}, format="json")
    assert response.status_code == 403


def test_a_learner_cannot_leave_someone_elses_enrollment(api):
    other = Enrollment.objects.create(
        user=UserFactory(), course=CourseFactory(), enrolled_at=Course.objects.get().published_at
    )
    assert api.delete(f"/api/v1/enrollments/{other.pk}/").status_code == 404
    assert Enrollment.objects.get(pk=other.pk).status == Enrollment.Status.ACTIVE


def test_the_learner_endpoints_need_a_login():
    anonymous = APIClient()
    assert anonymous.get("/api/v1/enrollments/").status_code in (401, 403)
    assert anonymous.post("/api/v1/progress/", {}).status_code in (401, 403)


@pytest.mark.parametrize("n", [5, 50])
def test_the_playback_endpoint_takes_the_same_number_of_queries_for_5_or_50_lectures(
    api, learner, n, hls_sample, django_assert_num_queries
):
    course = CourseFactory()
    lectures = [LectureFactory(course=course, position=i) for i in range(n)]
    middle = lectures[n // 2]
    install_video(middle, sample=hls_sample, captions={"nl": "WEBVTT\n", "en": "WEBVTT\n"})
    Enrollment.objects.create(user=learner, course=course, enrolled_at=course.published_at)
    # token, lecture with course, both neighbours, video, captions (then cached), enrollment with progress
    with django_assert_num_queries(6):
        playback = api.get(f"/api/v1/lectures/{middle.pk}/playback/").json()
    assert playback["next_lecture_id"] == lectures[n // 2 + 1].pk
    assert [c["language"] for c in playback["captions"]] == ["en", "nl"]
    with django_assert_num_queries(2):  # token, enrollment with progress
        again = api.get(f"/api/v1/lectures/{middle.pk}/playback/").json()
    assert [c["language"] for c in again["captions"]] == ["en", "nl"]
    assert again["next_lecture_id"] == playback["next_lecture_id"]


def test_the_cached_course_detail_still_gives_each_caller_only_their_own_progress():
    from django.utils import timezone

    from courses.learning.services import enrollment_create

    course = CourseFactory()
    first, second = LectureFactory(course=course, position=1), LectureFactory(course=course, position=2)
    clients = {}
    for name in ("done", "fresh"):
        user = UserFactory()
        enrollment = enrollment_create(user=user, course=course)
        if name == "done":
            LectureProgress.objects.create(
                enrollment=enrollment, lecture=first, completed_at=timezone.now(), duration_seconds=100
            )
            LectureProgress.objects.create(
                enrollment=enrollment, lecture=second, watched_seconds=40, duration_seconds=100
            )
        clients[name] = APIClient()
        clients[name].credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    url = f"/api/v1/courses/{course.slug}/"
    done = clients["done"].get(url).json()
    fresh = clients["fresh"].get(url).json()
    anonymous = APIClient().get(url).json()
    assert [(x["completed"], x["watched_percent"]) for x in done["lectures"]] == [(True, 0), (False, 40)]
    assert [(x["completed"], x["watched_percent"]) for x in fresh["lectures"]] == [(False, 0), (False, 0)]
    assert done["enrolled"] and fresh["enrolled"] and not anonymous["enrolled"]
    assert [x["watched_percent"] for x in anonymous["lectures"]] == [0, 0]
    assert [x["id"] for x in fresh["lectures"]] == [first.pk, second.pk]
