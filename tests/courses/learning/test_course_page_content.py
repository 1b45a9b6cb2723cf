"""Issue 13 on the course page: learning goals, level, effort per week and in total, the poster and
trailer, speakers with photo and bio, and the syllabus by module with durations and the learner's
own progress per lecture. Shared content is cached with the catalog; progress is personal (ADR 0023);
lecture media stays signed and for enrolled learners only (ADR 0007, 0027)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from courses.catalog.services import Presenter, lecture_presenters_set
from courses.learning.services import enrollment_create
from courses.models import Course, LectureProgress, Module, PresenterProfile
from tests.courses.catalog.images import image_bytes, ready_video_with_poster
from tests.factories import CourseFactory, LectureFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def rich_course(**extra) -> Course:
    course = CourseFactory(
        title="Publiek leiderschap",
        level=Course.Level.INTRODUCTORY,
        goals="Plan a user study in five days\n\n- Buy software without regret\n",
        effort_hours_per_week=3,
        effort_weeks=4,
        **extra,
    )
    basics = Module.objects.create(course=course, position=1, title="Basics")
    practice = Module.objects.create(course=course, position=2, title="In practice")
    lectures = [
        LectureFactory(course=course, module=basics, position=1, title="Why", duration_seconds=600),
        LectureFactory(course=course, module=basics, position=2, title="Users", duration_seconds=900),
        LectureFactory(course=course, module=practice, position=3, title="Buying", duration_seconds=1200),
    ]
    lecture_presenters_set(
        lecture=lectures[0],
        presenters=[Presenter(name="Anna de Vries", affiliation="Director, Example City")],
    )
    lecture_presenters_set(lecture=lectures[2], presenters=[Presenter(name="Bram Smit")])
    profile = PresenterProfile(course=course, name="anna de vries", bio="Anna led <b>three</b> reforms.")
    profile.photo.save("anna.jpg", ContentFile(image_bytes("JPEG", (300, 300))), save=False)
    profile.save()
    return course


def test_the_course_page_shows_goals_level_effort_and_speakers_in_english_and_dutch(client):
    course = rich_course()
    html = client.get(course.get_absolute_url(), **EN).content.decode()
    assert (
        "<li>Plan a user study in five days</li>" in html and "<li>Buy software without regret</li>" in html
    )
    assert "<dt>Level</dt><dd>Introductory</dd>" in html
    assert "3 hours a week, for 4 weeks" in html and "about 12 hours" in html
    assert "Anna led &lt;b&gt;three&lt;/b&gt; reforms." in html  # the bio, escaped
    photo = re.search(r'<img class="speaker-photo" src="([^"]+)"', html).group(1)
    served = client.get(photo)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert '<span class="speaker-photo speaker-initial" aria-hidden="true">B</span>' in html  # no photo
    nl = client.get(course.get_absolute_url(), **NL).content.decode()
    assert "<dt>Niveau</dt><dd>Inleidend</dd>" in nl
    assert "3 uur per week, gedurende 4 weken" in nl and "ongeveer 12 uur" in nl
    assert "Wat je leert" in nl and "Sprekers" in nl

    one = CourseFactory(effort_hours_per_week=1, effort_weeks=1)
    assert "1 hour a week, for 1 week" in client.get(one.get_absolute_url(), **EN).content.decode()
    assert "1 uur per week, gedurende 1 week" in client.get(one.get_absolute_url(), **NL).content.decode()


def test_a_speaker_photo_of_an_unpublished_course_is_not_served(client):
    course = rich_course()
    html = client.get(course.get_absolute_url(), **EN).content.decode()
    photo = re.search(r'<img class="speaker-photo" src="([^"]+)"', html).group(1)
    Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
    assert client.get(photo).status_code == 404


def test_the_syllabus_groups_lectures_by_module_with_their_durations(client):
    course = rich_course()
    html = client.get(course.get_absolute_url(), **EN).content.decode()
    basics = re.search(
        r'<section class="syllabus-module"[^>]*><h3[^>]*>Basics (.*?)</h3>(.*?)</section>', html, re.S
    )
    assert basics.group(1) == '<span class="meta">· 2 lectures · 25 minutes</span>'
    assert "Why" in basics.group(2) and "Users" in basics.group(2) and "Buying" not in basics.group(2)
    assert re.search(r'In practice <span class="meta">· 1 lecture · 20 minutes</span>', html)
    assert '<ol class="lecture-list" start="3">' in html  # numbering goes on across modules
    nl = client.get(course.get_absolute_url(), **NL).content.decode()
    assert 'Basics <span class="meta">· 2 colleges · 25 minuten</span>' in nl


def test_each_learner_sees_only_their_own_progress_per_lecture(client):
    course = rich_course()
    why, users, buying = course.lectures.order_by("position")
    anna, bram = UserFactory(), UserFactory()
    mine, theirs = enrollment_create(user=anna, course=course), enrollment_create(user=bram, course=course)
    LectureProgress.objects.create(
        enrollment=mine, lecture=why, completed_at=timezone.now(), watched_seconds=600, duration_seconds=600
    )
    LectureProgress.objects.create(
        enrollment=theirs, lecture=users, watched_seconds=360, duration_seconds=900
    )
    outsider = UserFactory(producer=True)  # a producer of another team: not enrolled, no progress

    pages = {}
    for user in (anna, bram, outsider, anna):  # the shell is shared: the personal part must not be
        client.force_login(user)
        pages[user.pk] = client.get(course.get_absolute_url(), **EN).content.decode()
    assert "1 of 2 completed" in pages[anna.pk] and "40% watched" not in pages[anna.pk]
    assert "completed</span>" in pages[anna.pk] and "0 of 2 completed" in pages[bram.pk]
    assert "40% watched" in pages[bram.pk] and 'badge badge-ok">completed' not in pages[bram.pk]
    assert "watched" not in pages[outsider.pk] and "completed" not in pages[outsider.pk].split("Lectures")[-1]
    client.force_login(anna)
    assert "1 van 2 afgerond" in client.get(course.get_absolute_url(), **NL).content.decode()


def test_no_visitor_but_an_enrolled_learner_gets_signed_lecture_media_from_the_trailer(client):
    course = rich_course()
    first = course.lectures.order_by("position").first()
    ready_video_with_poster(first)
    lecture_url = f"/courses/{course.slug}/lectures/{first.slug}/"
    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        html = client.get(course.get_absolute_url(), **EN).content.decode()
        assert f'<a class="button" href="{lecture_url}">Watch the first lecture, “Why”</a>' in html
        assert "/media/s/" not in html and "master.m3u8" not in html  # nothing signed on the course page
        watched = client.get(lecture_url, **EN)
        assert watched.status_code == 302 and "/media/s/" not in watched.content.decode()
        assert client.get(f"{lecture_url}media/").status_code == 403
    frame = re.search(r'<figure class="course-media">\s*<img src="([^"]+)" alt="([^"]+)"', html)
    assert frame.group(2) == "A still from the lecture “Why”"
    assert client.get(frame.group(1))["Content-Type"] == "image/jpeg"  # the public poster frame

    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    assert "/media/s/" in client.get(lecture_url, **EN).content.decode()  # the signed playback, as before


@pytest.mark.parametrize("n", [3, 30])
def test_the_course_page_takes_the_same_number_of_queries_for_3_or_30_lectures(
    client, n, django_assert_num_queries
):
    course = rich_course()
    module = Module.objects.create(course=course, position=3, title="More")
    for i in range(n):
        lecture = LectureFactory(course=course, module=module, position=10 + i, duration_seconds=300)
        lecture_presenters_set(lecture=lecture, presenters=[Presenter(name=f"Speaker {i}")])
        PresenterProfile.objects.create(course=course, name=f"Speaker {i}", bio=f"Bio {i}")
        if i % 2:
            ready_video_with_poster(lecture)
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    for lecture in course.lectures.all()[: n // 2]:
        LectureProgress.objects.create(enrollment=enrollment, lecture=lecture, completed_at=timezone.now())
    client.force_login(learner)
    # session, user, course, lectures (modules, videos), presenters (profiles), progress with enrollment
    with django_assert_num_queries(6):
        response = client.get(course.get_absolute_url(), **EN)
    assert response.content.decode().count('class="speaker"') == n + 2
    with django_assert_num_queries(3):  # session, user, progress with enrollment
        client.get(course.get_absolute_url(), **EN)


def test_a_changed_speaker_profile_or_module_shows_at_once_despite_the_cache(client):
    course = rich_course()
    assert "Anna led" in client.get(course.get_absolute_url(), **EN).content.decode()
    profile = PresenterProfile.objects.get(course=course)
    profile.bio = "Anna now leads the national programme."
    profile.save()
    module = Module.objects.get(course=course, title="Basics")
    module.title = "Foundations"
    module.save()
    html = client.get(course.get_absolute_url(), **EN).content.decode()
    assert "Anna now leads the national programme." in html and ">Foundations <span" in html
