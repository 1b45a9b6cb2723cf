"""Demo production data (idempotent): invented people at example.org.

"Samenwerken met startups" is in production for a commissioning client: most script parts
approved, some pre-talks held and some pending, every recording on hold for two weeks ("lockdown").
"Digitale overheid in de praktijk" is a finished production whose course is published.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from production.scheduling import services as scheduling

from . import productions
from .models import Location, Production, Speaker
from .scripts import services as scripts
from .speakers import services as speaker_services

SPEAKERS = [
    ("Ilse Verhoeven", "ilse.verhoeven@example.org", "Gemeente Voorbeeldstad", "Innovatiemanager", "nl"),
    ("Bram de Wit", "bram.dewit@example.org", "Startup Kompas", "Oprichter", "nl"),
    ("Sanne Mulder", "sanne.mulder@example.org", "Provincie Noordweide", "Inkoopadviseur", "nl"),
    ("Tom Hendriks", "tom.hendriks@example.org", "Hogeschool Voorbeeld", "Lector", "nl"),
    ("Grace Okafor", "grace.okafor@example.org", "Civic Tech Lab", "Director", "en"),
]
LOCATIONS = [
    ("Studio Utrecht", "Voorbeeldkade 12, Utrecht", 12),
    ("Studio Den Haag", "Proefplein 3, Den Haag", 8),
]


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _speakers() -> list[Speaker]:
    speakers = []
    for name, email, organisation, role, language in SPEAKERS:
        speaker = Speaker.objects.filter(email__iexact=email).first()
        if speaker is None:
            speaker = speaker_services.speaker_create(
                name=name,
                email=email,
                organisation=organisation,
                role=role,
                language=language,
                time_zone="Europe/Amsterdam" if language == "nl" else "Europe/London",
                by=None,  # demo data: the system
            )
        speakers.append(speaker)
    return speakers


def _locations() -> list[Location]:
    found = []
    for name, address, capacity in LOCATIONS:
        location = Location.objects.filter(name=name).first() or scheduling.location_create(
            name=name, address=address, capacity=capacity
        )
        found.append(location)
    return found


def _approve(part, *, by, text: str) -> None:
    scripts.script_version_add(part=part, text=text, by=by)
    scripts.script_part_transition(part=part, to_state="in_review", by=by)
    scripts.script_part_transition(part=part, to_state="approved", by=by)


def _in_production(course, producer, speakers, locations) -> Production:
    production = productions.production_create(
        course=course,
        client="Ministerie van Voorbeeldzaken",
        team=[producer],
        target_launch_on=timezone.localdate() + timedelta(days=28),
        post_production_days=21,
        notes="Innovatiepartnerschappen; opdrachtgever wil lancering voor de zomer.",
        by=producer,
    )
    lectures = list(course.lectures.order_by("position", "id"))
    parts = {p.lecture_id: p for p in production.script_parts.all()}
    for lecture in lectures[:5]:
        _approve(parts[lecture.pk], by=producer, text=f"Script: {lecture.title}")
    part = parts[lectures[5].pk]
    scripts.script_version_add(part=part, text=f"Concept: {lectures[5].title}", by=producer)
    scripts.script_part_transition(part=part, to_state="in_review", by=producer)
    # the last lecture's script is still a draft

    ilse, bram, sanne, tom, grace = speakers
    pairs = [
        (ilse, lectures[0:2], -20, True),
        (bram, lectures[2:3], -15, True),
        (sanne, lectures[3:4], -10, True),
        (tom, lectures[4:6], 3, False),
        (grace, lectures[6:7], 5, False),
    ]
    for speaker, covered, days, held in pairs:
        pretalk = scheduling.pretalk_create(
            production=production,
            speakers=[speaker],
            lectures=covered,
            starts_at=_at(days, 14),
            duration_minutes=45,
            mode="online",
            video_link="https://meet.example.org/omooc-voorgesprek",
            by=producer,
        )
        if held:
            scheduling.pretalk_mark_held(
                pretalk=pretalk, outcome_notes="Kernboodschap en voorbeelden afgesproken.", by=producer
            )

    studio = locations[0]
    sessions = [
        (2, [ilse], lectures[0:2], "scheduled"),
        (3, [bram], lectures[2:3], "scheduled"),
        (4, [sanne], lectures[3:4], "scheduled"),
        (9, [tom], lectures[4:6], "tentative"),
        (10, [grace], lectures[6:7], "tentative"),
    ]
    for days, people, covered, state in sessions:
        scheduling.recording_session_create(
            production=production,
            starts_at=_at(days, 10),
            ends_at=_at(days, 13),
            location=studio,
            lectures=covered,
            speakers=people,
            state=state,
            by=producer,
        )
    scheduling.production_postpone_recordings(
        productions=[production],
        until=timezone.localdate() + timedelta(days=14),
        reason="lockdown",
        by=producer,
    )
    return production


def _finished(course, producer, speakers, locations) -> Production:
    production = productions.production_create(
        course=course,
        client="Vereniging van Voorbeeldgemeenten",
        team=[producer],
        target_launch_on=timezone.localdate() - timedelta(days=30),
        post_production_days=21,
        by=producer,
    )
    lectures = list(course.lectures.order_by("position", "id"))
    for part in production.script_parts.all():
        _approve(part, by=producer, text=f"Script: {part.lecture.title}")
    pretalk = scheduling.pretalk_create(
        production=production,
        speakers=speakers[3:5],
        lectures=lectures,
        starts_at=_at(-90, 11),
        mode="in_person",
        place="Studio Den Haag",
        by=producer,
    )
    scheduling.pretalk_mark_held(pretalk=pretalk, outcome_notes="Alles doorgenomen.", by=producer)
    session = scheduling.recording_session_create(
        production=production,
        starts_at=_at(-70, 9),
        ends_at=_at(-70, 17),
        location=locations[1],
        lectures=lectures,
        speakers=speakers[3:5],
        state="scheduled",
        by=producer,
    )
    scheduling.crew_assign(session=session, name="Joris Camera", role="camera", by=producer)
    scheduling.recording_session_transition(session=session, to_state="recorded", by=producer)
    for item in production.post_production.all():
        for step in ("edit", "captions", "review"):
            productions.post_production_set(item=item, step=step, state="done", by=producer)
    return production


def seed(*, users: dict, courses: dict) -> None:
    producer = users["producer"]
    speakers = _speakers()
    locations = _locations()
    if not Production.objects.filter(course=courses["in_production"]).exists():
        _in_production(courses["in_production"], producer, speakers, locations)
    if not Production.objects.filter(course=courses["published"]).exists():
        _finished(courses["published"], producer, speakers, locations)
    for production in Production.objects.filter(course__in=[courses["in_production"], courses["published"]]):
        production.team.add(producer)
