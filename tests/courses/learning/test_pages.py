"""Catalog, course page, enrollment, dashboard and lecture page as a learner sees them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from courses.learning.services import enrollment_create
from courses.models import Course, Enrollment, Lecture, LectureProgress
from tests.factories import CourseFactory, LectureFactory, ThemeFactory, UserFactory

from .factories import EnrollmentFactory
from .player_page import player_config

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_catalog_searches_and_filters_published_courses_only(client):
    theme = ThemeFactory(name="Data", slug="data")
    CourseFactory(title="Data delen", theme=theme, language="nl")
    CourseFactory(title="Open data in English", theme=theme, language="en")
    CourseFactory(title="Leiderschap", language="nl")
    CourseFactory(title="Data draft", status=Course.Status.DRAFT, published_at=None)
    titles = lambda r: [c.title for c in r.context["page"].object_list]  # noqa: E731
    assert titles(client.get("/", **EN)) == ["Data delen", "Leiderschap", "Open data in English"]
    assert titles(client.get("/?q=data", **EN)) == ["Data delen", "Open data in English"]
    assert titles(client.get("/?q=data&language=en", **EN)) == ["Open data in English"]
    assert titles(client.get("/?theme=data&language=nl", **EN)) == ["Data delen"]
    empty = client.get("/?q=nothing-like-this", **EN)
    assert "No courses match your search." in empty.content.decode()


def test_the_catalog_paginates_and_keeps_the_filters_in_page_links(client):
    for n in range(15):
        CourseFactory(title=f"Course {n:02d}", language="en")
    response = client.get("/?language=en", **EN)
    assert len(response.context["page"].object_list) == 12
    assert 'href="?language=en&amp;page=2"' in response.content.decode()
    assert len(client.get("/?language=en&page=2", **EN).context["page"].object_list) == 3


def test_the_catalog_says_so_when_nothing_is_published(client):
    assert "No courses are published yet" in client.get("/", **EN).content.decode()


def test_a_draft_course_and_draft_lectures_are_invisible_to_learners(client):
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    assert client.get(f"/courses/{draft.slug}/").status_code == 404
    course = CourseFactory()
    LectureFactory(course=course, title="Visible one")
    LectureFactory(course=course, title="Secret draft", status=Lecture.Status.DRAFT)
    body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    assert "Visible one" in body and "Secret draft" not in body


def test_an_unreleased_lecture_says_when_it_becomes_available(client):
    lecture = LectureFactory(title="Later", release_at=timezone.now() + dt.timedelta(days=3))
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    client.force_login(learner)
    assert "available on" in client.get(f"/courses/{lecture.course.slug}/", **EN).content.decode()
    page = client.get(f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/", **EN)
    assert "This lecture is available on" in page.content.decode()
    assert "urls" not in page.context


def test_a_learner_enrolls_with_a_post_and_lands_on_the_course_page(client):
    course = CourseFactory()
    learner = UserFactory()
    client.force_login(learner)
    assert client.get(f"/courses/{course.slug}/enroll/").status_code == 405
    response = client.post(f"/courses/{course.slug}/enroll/", **EN, follow=True)
    assert "You are enrolled in" in response.content.decode()
    assert Enrollment.objects.get(user=learner, course=course).status == Enrollment.Status.ACTIVE
    client.post(f"/courses/{course.slug}/enroll/")
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_enrolling_needs_a_login_and_the_csrf_token():
    course = CourseFactory()
    anonymous = Client()
    response = anonymous.post(f"/courses/{course.slug}/enroll/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    assert strict.post(f"/courses/{course.slug}/enroll/").status_code == 403
    assert not Enrollment.objects.exists()


def test_nobody_can_enroll_in_a_draft_course(client):
    draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)
    client.force_login(UserFactory())
    assert client.post(f"/courses/{draft.slug}/enroll/").status_code == 404
    assert not Enrollment.objects.exists()


def test_unenrolling_keeps_progress_for_when_the_learner_comes_back(client):
    lecture = LectureFactory()
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=lecture.course)
    LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, position_seconds=42)
    client.force_login(learner)
    client.post(f"/courses/{lecture.course.slug}/unenroll/")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.LEFT
    assert client.get(f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/").status_code == 302
    client.post(f"/courses/{lecture.course.slug}/enroll/")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert LectureProgress.objects.get(enrollment=enrollment).position_seconds == 42


def test_a_learner_cannot_unenroll_someone_else(client):
    enrollment = EnrollmentFactory()
    client.force_login(UserFactory())
    assert client.post(f"/courses/{enrollment.course.slug}/unenroll/").status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_the_lecture_page_sends_an_unenrolled_learner_to_the_course_page(client):
    lecture = LectureFactory()
    client.force_login(UserFactory())
    response = client.get(f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/")
    assert response.status_code == 302 and response["Location"] == f"/courses/{lecture.course.slug}/"


def test_the_dashboard_shows_progress_and_where_to_continue(client):
    course = CourseFactory(title="Digitale overheid")
    lectures = [LectureFactory(course=course, position=n, title=f"College {n}") for n in range(1, 6)]
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    now = timezone.now()
    for lecture in lectures[:3]:
        LectureProgress.objects.create(
            enrollment=enrollment, lecture=lecture, completed_at=now, position_seconds=60
        )
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_lecture=lectures[3], last_position_seconds=755, last_activity_at=now
    )
    client.force_login(learner)
    body = client.get("/my/courses/", **EN).content.decode()
    assert "3 of 5 lectures completed" in body
    assert 'max="5" value="3"' in body
    assert "Continue watching “College 4” at 12:35" in body
    assert 'style="' not in body  # CSP: no inline styles


def test_the_dashboard_has_an_empty_state(client):
    client.force_login(UserFactory())
    assert "You have not enrolled in a course yet." in client.get("/my/courses/", **EN).content.decode()


def _course_with(n: int, learner):
    course = CourseFactory()
    lectures = [LectureFactory(course=course, position=i, duration_seconds=300) for i in range(n)]
    enrollment = enrollment_create(user=learner, course=course)
    for lecture in lectures[: n // 2]:
        LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, completed_at=timezone.now())
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_lecture=lectures[0], last_activity_at=timezone.now()
    )
    return course


@pytest.mark.parametrize("n", [5, 50])
def test_the_course_page_takes_the_same_number_of_queries_for_5_or_50_lectures(
    client, n, django_assert_num_queries
):
    learner = UserFactory()
    course = _course_with(n, learner)
    client.force_login(learner)
    # session, user, course, lectures, presenters (the outline, then cached), progress with enrollment
    with django_assert_num_queries(6):
        response = client.get(f"/courses/{course.slug}/", **EN)
    assert len(response.context["page"].rows) == n
    with django_assert_num_queries(3):  # session, user, progress with enrollment
        again = client.get(f"/courses/{course.slug}/", **EN)
    masked = lambda r: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)  # noqa: E731
    assert masked(again) == masked(response)


@pytest.mark.parametrize("n", [5, 50])
def test_the_dashboard_takes_the_same_number_of_queries_for_5_or_50_lectures(
    client, n, django_assert_num_queries
):
    learner = UserFactory()
    for _ in range(3):
        _course_with(n, learner)
    client.force_login(learner)
    with django_assert_num_queries(4):  # session, user, enrollments with counts, email prefs
        response = client.get("/my/courses/", **EN)
    assert [e.lecture_total for e in response.context["enrollments"]] == [n, n, n]
    assert [e.lecture_done for e in response.context["enrollments"]] == [n // 2] * 3


def test_the_lecture_page_gives_the_player_its_configuration_in_data_attributes(client, hls_sample):
    from .media import install_video

    lecture = LectureFactory()
    nxt = LectureFactory(course=lecture.course, position=lecture.position + 1, title="The next one")
    install_video(lecture, sample=hls_sample, captions={"nl": "WEBVTT\n", "en": "WEBVTT\n"})
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    client.force_login(learner)
    body = client.get(f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/", **EN).content.decode()
    assert 'data-src="/media/s/' in body and 'data-token="' in body
    assert body.count('<track kind="captions"') == 2
    assert 'srclang="en" label="English"' in body
    course = lecture.course.slug
    assert f'id="next-lecture" href="/courses/{course}/lectures/{nxt.slug}/" rel="next"' in body
    assert 'rel="prev"' not in body
    back = client.get(f"/courses/{course}/lectures/{nxt.slug}/", **EN).content.decode()
    assert f'href="/courses/{course}/lectures/{lecture.slug}/" rel="prev"' in back
    assert 'rel="next"' not in back
    assert "<script>" not in body and 'style="' not in body


def test_a_learner_turns_optional_emails_off_and_on_from_the_dashboard(client):
    from courses.models import LearnerEmailPreference

    learner = UserFactory()
    client.force_login(learner)
    body = client.get("/my/courses/", **EN).content.decode()
    assert 'name="new_lectures" checked' in body and 'name="nudges" checked' in body
    client.post("/my/email-preferences/", {"nudges": "on"})
    preference = LearnerEmailPreference.objects.get(user=learner)
    assert (preference.new_lectures, preference.nudges) == (False, True)
    assert 'name="new_lectures">' in client.get("/my/courses/", **EN).content.decode()


@pytest.mark.parametrize("n", [5, 50])
def test_the_lecture_page_takes_the_same_number_of_queries_for_5_or_50_lectures(
    client, n, hls_sample, django_assert_num_queries
):
    from .media import install_video

    learner = UserFactory()
    course = _course_with(n, learner)
    lecture = course.lectures.order_by("position")[n // 2]
    install_video(lecture, sample=hls_sample, captions={"nl": "WEBVTT\n", "en": "WEBVTT\n"})
    client.force_login(learner)
    # session, user, lecture with course, neighbours, video, captions (then cached), the enrollment
    # with its progress on this lecture
    url = f"/courses/{course.slug}/lectures/{lecture.slug}/"
    with django_assert_num_queries(7):
        response = client.get(url, **EN)
    assert response.status_code == 200 and response.context["page"].next is not None
    with django_assert_num_queries(3):  # session, user, enrollment with progress
        again = client.get(url, **EN)
    assert player_config(again.content.decode())["master"].startswith("/media/s/")


def test_the_lecture_list_shows_every_row_state_escaped_and_in_dutch(client):
    from courses.catalog.services import Presenter, lecture_presenters_set

    course = CourseFactory()
    done, half, fresh, later = (
        LectureFactory(course=course, position=i, title=title, duration_seconds=600)
        for i, title in enumerate(["<b>Done</b>", "Half", "Fresh", "Later"])
    )
    later.release_at = timezone.now() + dt.timedelta(days=3)
    later.save()
    lecture_presenters_set(lecture=half, presenters=[Presenter(name="Noor <Visser>")])
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=done, completed_at=timezone.now(), duration_seconds=600
    )
    LectureProgress.objects.create(
        enrollment=enrollment, lecture=half, watched_seconds=300, duration_seconds=600
    )
    client.force_login(learner)
    body = client.get(f"/courses/{course.slug}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    items = re.findall(r'<li class="lecture-item[^"]*">.*?</li>', body, re.S)
    assert len(items) == 4
    assert 'class="lecture-item is-complete"' in items[0] and "&lt;b&gt;Done&lt;/b&gt;" in items[0]
    assert "afgerond" in items[0] and "10:00" in items[0]
    assert f'href="/courses/{course.slug}/lectures/{half.slug}/"' in items[1]
    assert "met Noor &lt;Visser&gt;" in items[1] and "50% bekeken" in items[1]
    assert "bekeken" not in items[2] and "<a href" in items[2]
    assert "<span>Later</span>" in items[3] and "beschikbaar vanaf" in items[3] and "<a href" not in items[3]
    client.logout()
    anonymous = client.get(f"/courses/{course.slug}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<a href="/courses/' + course.slug + "/lectures/" not in anonymous
