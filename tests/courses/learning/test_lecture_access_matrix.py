"""One rule decides who may watch a lecture: the lecture page, the playback API and the signed media
URLs answer alike for every kind of visitor and every kind of lecture (courses/permissions.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.learning.services import enrollment_create
from courses.media import access as media_access
from courses.models import Course, Enrollment, Lecture
from tests.factories import LectureFactory, UserFactory
from tests.production.factories import make_production

from .media import install_video

pytestmark = pytest.mark.django_db

VISITORS = ["anonymous", "learner enrolled", "learner not enrolled", "producer of the team",
            "producer of another team"]  # fmt: skip
LECTURES = ["published", "draft", "not yet released"]
# Who may watch what: enrolled learners the published, released lectures; the course's producer team
# previews everything of its course; nobody else anything.
MAY_WATCH = {
    ("learner enrolled", "published"),
    ("producer of the team", "published"),
    ("producer of the team", "draft"),
    ("producer of the team", "not yet released"),
}


@pytest.fixture
def world(hls_sample):
    team, other = UserFactory(producer=True), UserFactory(producer=True)
    production = make_production(lectures=0, team=[team])
    make_production(lectures=0, team=[other])  # the other producer has a team of their own
    course = production.course
    Course.objects.filter(pk=course.pk).update(status=Course.Status.PUBLISHED, published_at=timezone.now())
    course.refresh_from_db()
    lectures = {
        "published": LectureFactory(course=course, position=1),
        "draft": LectureFactory(course=course, position=2, status=Lecture.Status.DRAFT),
        "not yet released": LectureFactory(
            course=course, position=3, release_at=timezone.now() + timedelta(days=7)
        ),
    }
    for lecture in lectures.values():
        install_video(lecture, sample=hls_sample)
    enrolled = UserFactory()
    enrollment_create(user=enrolled, course=course)
    users = {
        "anonymous": None,
        "learner enrolled": enrolled,
        "learner not enrolled": UserFactory(),
        "producer of the team": team,
        "producer of another team": other,
    }
    return users, lectures


def page_answer(client, lecture) -> bool:
    response = client.get(reverse("courses:lecture", args=[lecture.course.slug, lecture.slug]))
    return response.status_code == 200 and bool((response.context.get("urls") or {}).get("master"))


def api_answer(client, lecture) -> bool:
    response = client.get(reverse("v1:lecture-playback", args=[lecture.pk]))
    assert response.status_code in (200, 401, 403, 404), response.content
    return response.status_code == 200 and bool(response.json()["master_url"])


def media_answer(client, user, lecture) -> bool:
    """The master playlist through a signed URL made the way the page and the API make one for this
    user: with their enrollment, else as a preview."""
    enrollment = Enrollment.objects.filter(user=user, course=lecture.course).first() if user else None
    video = lecture.videos.get(is_current=True)
    answers = set()
    for bearer in (False, True):  # the web player's link and the mobile API's
        grant = media_access.MediaGrant(
            enrollment.pk if enrollment else 0,
            lecture.pk,
            user.pk if user else 0,
            video.output_prefix,
            False,
            bearer,
        )
        response = client.get(media_access.signed_url(grant, "master.m3u8"))
        assert response.status_code in (200, 403)
        answers.add(response.status_code == 200)
    assert len(answers) == 1, "web and bearer media links disagree"
    return answers.pop()


@pytest.mark.parametrize("visitor", VISITORS)
def test_page_playback_api_and_media_urls_answer_alike(client, world, visitor):
    users, lectures = world
    user = users[visitor]
    if user is not None:
        client.force_login(user)
    for kind, lecture in lectures.items():
        expected = (visitor, kind) in MAY_WATCH
        answers = {
            "page": page_answer(client, lecture),
            "playback API": api_answer(client, lecture),
            "media URL": media_answer(client, user, lecture),
        }
        assert answers == dict.fromkeys(answers, expected), (visitor, kind, answers)


def test_a_producer_previewing_through_the_api_gets_no_progress_token(client, world):
    users, lectures = world
    client.force_login(users["producer of the team"])
    data = client.get(reverse("v1:lecture-playback", args=[lectures["draft"].pk])).json()
    assert data["master_url"] and data["heartbeat"]["token"] == ""


def test_the_refusals_say_why(client, world):
    users, lectures = world
    client.force_login(users["learner not enrolled"])
    response = client.get(reverse("v1:lecture-playback", args=[lectures["published"].pk]))
    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert client.get(reverse("v1:lecture-playback", args=[lectures["draft"].pk])).status_code == 404
    client.force_login(users["learner enrolled"])
    response = client.get(reverse("v1:lecture-playback", args=[lectures["not yet released"].pk]))
    assert (response.status_code, response.json()["code"]) == (403, "not_released")
    assert "release_at" in response.json()["extra"]
