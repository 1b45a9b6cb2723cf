"""Demo catalogue content (idempotent)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Course, Lecture, Theme

PUBLISHED_COURSE = {
    "slug": "digitale-overheid-in-de-praktijk",
    "title": "Digitale overheid in de praktijk",
    "summary": "Hoe publieke organisaties digitale diensten ontwerpen die werken voor iedereen.",
    "lectures": [
        "Waarom digitale dienstverlening anders is",
        "Gebruikers centraal: onderzoek in vijf dagen",
        "Aanbesteden van software zonder spijt",
        "Data delen tussen organisaties",
    ],
}
PRODUCTION_COURSE = {
    "slug": "samenwerken-met-startups",
    "title": "Samenwerken met startups",
    "summary": "Innovatiepartnerschappen tussen overheid en startups: van uitdaging tot contract.",
    "lectures": [
        "Waarom startups?",
        "De innovatievraag formuleren",
        "Inkoopinstrumenten voor innovatie",
        "Pilots die opschalen",
        "Risico's en governance",
        "Cultuurverschillen overbruggen",
        "Lessen uit de praktijk",
    ],
}


def _course(spec: dict, *, theme: Theme, published: bool) -> Course:
    course, _ = Course.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "summary": spec["summary"],
            "language": "nl",
            "theme": theme,
            "status": Course.Status.PUBLISHED if published else Course.Status.DRAFT,
            "published_at": timezone.now() if published else None,
        },
    )
    for position, title in enumerate(spec["lectures"], start=1):
        Lecture.objects.get_or_create(
            course=course,
            slug=f"college-{position}",
            defaults={
                "title": title,
                "position": position,
                "status": Lecture.Status.PUBLISHED if published else Lecture.Status.DRAFT,
            },
        )
    return course


def seed(*, users: dict) -> dict[str, Course]:
    theme, _ = Theme.objects.get_or_create(slug="innovatie", defaults={"name": "Innovatie"})
    courses = {
        "published": _course(PUBLISHED_COURSE, theme=theme, published=True),
        "in_production": _course(PRODUCTION_COURSE, theme=theme, published=False),
    }
    courses["english"] = _seed_english_course()
    _seed_learner(users=users, course=courses["published"])
    return courses


ENGLISH_COURSE = {
    "slug": "open-data-for-public-managers",
    "title": "Open data for public managers",
    "summary": "Publishing and using open data responsibly: a short course in English.",
    "lectures": [
        "What open data can do for your organisation",
        "Privacy, licences and quality",
        "Measuring the effect of open data",
    ],
}


def _seed_english_course() -> Course:
    """A second, English course whose last lecture is released in two weeks ("available on ...")."""
    theme, _ = Theme.objects.get_or_create(slug="data", defaults={"name": "Data"})
    course = _course(ENGLISH_COURSE, theme=theme, published=True)
    if course.language != "en":
        Course.objects.filter(pk=course.pk).update(language="en")
    last = course.lectures.order_by("-position").first()
    if last is not None and last.release_at is None:
        last.release_at = timezone.now() + datetime.timedelta(days=14)
        last.save(update_fields=["release_at"])
    return course


def _seed_learner(*, users: dict, course: Course) -> None:
    """The demo learner follows the published course (progress comes from watching)."""
    from .services.learning import enrollment_create

    learner = users.get("learner")
    if learner is not None:
        enrollment_create(user=learner, course=course)


def seed_media(*, courses: dict[str, Course], stdout) -> None:
    """Demo videos are generated and transcoded by the media pipeline once it exists."""
    return None
