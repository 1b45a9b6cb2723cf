from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from production import productions
from production.models import Location, Speaker, SpeakerLink
from production.scheduling import services as scheduling
from tests.factories import CourseFactory, LectureFactory, UserFactory


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    email = factory.Sequence(lambda n: f"speaker{n}@example.org")
    organisation = "Gemeente Voorbeeld"
    time_zone = "Europe/Amsterdam"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Studio {n}")
    address = "Voorbeeldstraat 1, Utrecht"
    capacity = 10


def make_production(*, lectures: int = 3, team=(), client: str = "Ministerie van Voorbeeldzaken", **kwargs):
    course = CourseFactory(status="draft", published_at=None)
    for position in range(1, lectures + 1):
        LectureFactory(course=course, position=position, status="draft")
    team = list(team) or [UserFactory(producer=True)]
    return productions.production_create(course=course, client=client, team=team, **kwargs, by=None)


def at(days: int = 0, hour: int = 10, minutes: int = 0):
    """An aware datetime ``days`` from today at ``hour`` local time."""
    base = timezone.localtime().replace(hour=hour, minute=minutes, second=0, microsecond=0)
    return base + timedelta(days=days)


def make_session(
    production, *, days=7, hours=2, lectures=None, location=None, speakers=(), by=None, **kwargs
):
    return scheduling.recording_session_create(
        production=production,
        starts_at=at(days),
        ends_at=at(days) + timedelta(hours=hours),
        lectures=lectures if lectures is not None else list(production.course.lectures.all()),
        location=location,
        speakers=speakers,
        by=by,
        **kwargs,
    )


def make_pretalk(production, *, speakers, starts_at, lectures=None, by=None, **kwargs):
    """A pre-talk about every lecture of the production (unless ``lectures`` says otherwise)."""
    return scheduling.pretalk_create(
        production=production,
        speakers=speakers,
        lectures=lectures if lectures is not None else list(production.course.lectures.all()),
        starts_at=starts_at,
        by=by,
        **kwargs,
    )


def make_phone_pretalk(production, *, speakers, starts_at=None, **kwargs):
    """A phone pre-talk about the first lecture, in two days (unless ``starts_at`` says otherwise)."""
    return make_pretalk(
        production,
        speakers=speakers,
        lectures=[production.course.lectures.first()],
        starts_at=starts_at or at(2),
        mode="phone",
        **kwargs,
    )


def fill_the_calendar(production, *, days=lambda i: i % 5):
    """For each lecture ``i`` of ``production``: a speaker of its own, a session ``days(i)`` days from
    today (the first two at one studio, returned) and a phone pre-talk on day ``i % 5``."""
    studio = LocationFactory()
    for i, lecture in enumerate(production.course.lectures.all()):
        speaker = SpeakerFactory()
        make_session(
            production,
            days=days(i),
            lectures=[lecture],
            speakers=[speaker],
            location=studio if i < 2 else None,
            confirm_double_booking=True,
        )
        make_pretalk(
            production, speakers=[speaker], lectures=[lecture], starts_at=at(i % 5, 15), mode="phone"
        )
    return studio


def issue_link(speaker) -> str:
    """A personal link as the mailer mints it (a random token; only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    SpeakerLink.objects.create(speaker=speaker, token_hash=SpeakerLink.hash_token(token))
    return token
