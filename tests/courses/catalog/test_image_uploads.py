"""ADR 0027: a producer's poster or speaker photo is checked by its content (Pillow), its size and
its dimensions; a refusal names the problem and the fix, and nothing is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from courses.models import Course, PresenterProfile
from tests.courses.catalog.images import huge_png, image_bytes, upload
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def stored_images() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "public"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def admin_post(client, course: Course, poster, language: str = "en"):
    data = {
        "title": course.title, "slug": course.slug, "summary": course.summary, "description": "",
        "language": course.language, "theme": "", "status": course.status,
        "published_at_0": course.published_at.strftime("%Y-%m-%d"), "published_at_1": "10:00:00",
        "starts_on": "", "level": "advanced", "goals": "Plan a user study", "effort_hours_per_week": "3",
        "effort_weeks": "4", "poster_alt": "",
        "poster": poster,
    }  # fmt: skip
    for prefix in ("modules", "lectures", "presenter_profiles"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return client.post(
        f"/admin/courses/course/{course.pk}/change/", data, HTTP_ACCEPT_LANGUAGE=language, follow=False
    )


@pytest.fixture
def producer_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, producer=True))
    return client


def test_a_good_poster_is_saved_through_the_admin_under_a_public_name(producer_client):
    course = CourseFactory()
    response = admin_post(producer_client, course, upload("Affiche.JPG"))
    assert response.status_code == 302, response.content.decode()[:2000]
    course.refresh_from_db()
    assert course.poster.name.startswith("public/posters/") and course.poster.name.endswith(".jpg")
    assert course.level == "advanced" and course.effort_weeks == 4
    assert len(stored_images()) == 1


@pytest.mark.parametrize(
    ("make", "message_en", "message_nl"),
    [
        (
            lambda: SimpleUploadedFile("affiche.jpg", image_bytes("PNG"), content_type="image/jpeg"),
            "The file is named “.jpg” but holds a PNG image. Rename it to end in .png",
            "Het bestand heet “.jpg” maar bevat een PNG-afbeelding.",
        ),
        (
            huge_png,
            "The image is 30.0 MB; the limit is 5.0 MB.",
            "De afbeelding is 30,0 MB; de grens is 5,0 MB.",
        ),
        (
            lambda: SimpleUploadedFile("affiche.jpg", b"%PDF-1.7\n" + b"x" * 5000, content_type="image/jpeg"),
            "This file is not a JPEG, PNG or WebP image.",
            "Dit bestand is geen JPEG-, PNG- of WebP-afbeelding.",
        ),
        (
            lambda: upload("klein.png", "PNG", (300, 200)),
            "The image is 300 × 200 pixels; it must be at least 640 × 360.",
            "De afbeelding is 300 × 200 pixels; ze moet minstens 640 × 360 zijn.",
        ),
    ],
    ids=["png-named-jpg", "30-mb", "not-an-image", "too-small"],
)
def test_a_bad_poster_is_refused_with_a_clear_message_and_nothing_is_saved(
    producer_client, make, message_en, message_nl
):
    course = CourseFactory(summary="Unchanged")
    for language, message in (("en", message_en), ("nl", message_nl)):
        response = admin_post(producer_client, course, make(), language)
        assert response.status_code == 200  # the form again, with the error
        html = response.content.decode()
        assert message in html.replace("\xa0", " "), html[html.find("errorlist") :][:600]
    course.refresh_from_db()
    assert not course.poster and course.level == ""  # nothing half-saved
    assert stored_images() == []


@translation.override("en")
def test_the_model_refuses_the_same_so_no_other_path_stores_a_bad_image():
    course = CourseFactory()
    course.poster = SimpleUploadedFile("affiche.webp", image_bytes("JPEG"))
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "holds a JPEG image" in str(error.value.message_dict["poster"])
    profile = PresenterProfile(
        course=course, name="Anna de Vries", photo=upload("anna.jpg", "JPEG", (100, 100))
    )
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "at least 160 × 160" in str(error.value.message_dict["photo"])
    profile.photo = upload("anna.jpg", "JPEG", (400, 400))
    profile.full_clean()  # a good photo passes


def test_replacing_a_poster_in_the_admin_deletes_the_old_file_once_committed(
    producer_client, django_capture_on_commit_callbacks
):
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        admin_post(producer_client, course, upload("eerste.jpg"))
    first = stored_images()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_post(producer_client, course, upload("tweede.png", "PNG")).status_code == 302
    course.refresh_from_db()
    assert [p.name for p in stored_images()] == [Path(course.poster.name).name]
    assert len(first) == 1 and not first[0].exists()
