"""Demo catalogue content (idempotent)."""

from __future__ import annotations

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
    return {
        "published": _course(PUBLISHED_COURSE, theme=theme, published=True),
        "in_production": _course(PRODUCTION_COURSE, theme=theme, published=False),
    }


def seed_media(*, courses: dict[str, Course], stdout) -> None:
    """Demo videos are generated and transcoded by the media pipeline once it exists."""
    return None
