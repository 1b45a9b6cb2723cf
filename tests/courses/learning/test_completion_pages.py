"""Issue 13: the moments after the work is done. A completed course congratulates and offers the
certificate and "watch again" (never "continue from the end"); the dashboard sorts courses into in
progress, completed and certificates with the video time left; the certificate page is a printable
sheet with its verification address and keeps the way back to "My courses"."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from courses.learning.services import certificate_issue, enrollment_create
from courses.models import Enrollment, LectureProgress
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def _watched(enrollment, lectures, *, last_position=None):
    for lecture in lectures:
        LectureProgress.objects.create(
            enrollment=enrollment, lecture=lecture, completed_at=timezone.now(), position_seconds=598
        )
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_lecture=lectures[-1], last_position_seconds=last_position or 598, last_activity_at=timezone.now()
    )


def test_a_completed_course_congratulates_and_links_the_certificate_instead_of_continuing_at_the_end(
    client, django_assert_num_queries
):
    course = CourseFactory(title="Digitale overheid")
    lectures = [LectureFactory(course=course, position=n, duration_seconds=600) for n in (1, 2)]
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    _watched(enrollment, lectures)
    certificate = certificate_issue(enrollment=enrollment)
    client.force_login(learner)
    client.get(f"/courses/{course.slug}/", **EN)  # the outline is cached from here on
    # session, user, progress with enrollment, and the certificate (only once the course is complete)
    with django_assert_num_queries(4):
        body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    assert "Congratulations: you completed this course!" in body
    assert f'href="/certificates/{certificate.uid}/"' in body
    assert "Watch again from the start" in body and f'href="{lectures[0].get_absolute_url()}"' in body
    assert "Continue" not in body and "9:58" not in body
    dutch = client.get(f"/courses/{course.slug}/", **NL).content.decode()
    assert "Gefeliciteerd" in dutch and "Bekijk je certificaat" in dutch


def test_after_finishing_a_lecture_the_course_page_offers_the_next_one_from_the_start(client):
    course = CourseFactory()
    first, second, third = (
        LectureFactory(course=course, position=n, title=t, duration_seconds=600)
        for n, t in ((1, "Eén"), (2, "Twee"), (3, "Drie"))
    )
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    _watched(enrollment, [first, second])
    client.force_login(learner)
    body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    assert "Next lecture: “Drie”" in body and f'href="{third.get_absolute_url()}"' in body
    assert "Continue" not in body and "Congratulations" not in body


def test_a_half_watched_lecture_is_continued_where_the_learner_stopped(client):
    course = CourseFactory()
    first, second = (LectureFactory(course=course, position=n, duration_seconds=600) for n in (1, 2))
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    _watched(enrollment, [first])
    LectureProgress.objects.create(enrollment=enrollment, lecture=second, position_seconds=192)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lecture=second, last_position_seconds=192)
    client.force_login(learner)
    body = client.get(f"/courses/{course.slug}/", **EN).content.decode()
    assert f"Continue “{second.title}” at 3:12" in body


def test_the_dashboard_sorts_courses_into_in_progress_completed_and_certificates_with_time_left(
    client, django_assert_num_queries
):
    learner = UserFactory()
    busy = CourseFactory(title="Publiek leiderschap")
    busy_lectures = [LectureFactory(course=busy, position=n, duration_seconds=600) for n in (1, 2, 3)]
    _watched(enrollment_create(user=learner, course=busy), busy_lectures[:1])
    done = CourseFactory(title="Data en ethiek")
    done_lecture = LectureFactory(course=done, position=1, duration_seconds=300)
    finished = enrollment_create(user=learner, course=done)
    _watched(finished, [done_lecture])
    certificate = certificate_issue(enrollment=finished)
    client.force_login(learner)
    with django_assert_num_queries(4):  # session, user, enrollments with counts and time left, prefs
        body = client.get("/my/courses/", **EN).content.decode()
    in_progress, completed, certificates = (
        re.search(rf'aria-labelledby="{name}-heading".*?</section>', body, re.S).group(0)
        for name in ("in-progress", "completed", "certificates")
    )
    assert "Publiek leiderschap" in in_progress and "Data en ethiek" not in in_progress
    assert "About 20 minutes of video left" in in_progress  # two lectures of 10 minutes to go
    assert "Data en ethiek" in completed and "Watch again" in completed
    assert f'href="/certificates/{certificate.uid}/"' in certificates
    dutch = client.get("/my/courses/", **NL).content.decode()
    assert "Nog ongeveer 20 minuten video" in dutch and "Bezig" in dutch


def test_the_certificate_page_is_a_printable_sheet_with_its_address_and_the_way_back(client, settings):
    settings.SITE_URL = "https://omooc.example.org"
    course = CourseFactory(title="Data en ethiek")
    learner = UserFactory(full_name="Noor Jansen")
    enrollment = enrollment_create(user=learner, course=course)
    certificate = certificate_issue(enrollment=enrollment)
    anonymous = client.get(f"/certificates/{certificate.uid}/", **EN).content.decode()
    assert "Noor Jansen" in anonymous and "Data en ethiek" in anonymous
    assert f"https://omooc.example.org/certificates/{certificate.uid}/" in anonymous
    assert 'href="/my/courses/"' not in anonymous
    client.force_login(learner)
    body = client.get(f"/certificates/{certificate.uid}/", **EN).content.decode()
    assert body.count('href="/my/courses/"') >= 1
    assert 'class="certificate-sheet"' in body and "css/learner.css" in body
