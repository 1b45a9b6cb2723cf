"""One small world with something of everything the URL patterns point at, for the authorization
matrix (tests/test_authorization_matrix.py): two productions with their own producer teams, learners
enrolled and not, published/draft/unreleased lectures, a ready video with real HLS output and
captions, a certificate, speakers with personal links, sessions, pre-talks, script parts with a
file, email log rows and a producer's calendar feed.

Every person and every team-private text carries a unique marker, so a response can be searched
for data that belongs to somebody else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Caption, Certificate, Course, Enrollment, LearnerEmailPreference, Lecture, Video
from omooc.accounts.services import producer_grant
from production.models import CalendarFeed, EmailLog, HoldBatch, SpeakerLink
from production.scheduling import feeds as scheduling_feeds
from production.scheduling import services as scheduling
from production.scripts import services as scripts
from production.speakers import services as speakers

# Roles of the matrix, in table order.
ANON = "anonymous"
LEARNER = "learner"
ENROLLED = "enrolled"
SPEAKER = "speaker-link"
OUTSIDER = "producer-other-team"
PRODUCER = "producer-in-team"
SUPER = "superuser"
ROLES = (ANON, LEARNER, ENROLLED, SPEAKER, OUTSIDER, PRODUCER, SUPER)

# Texts only the team of production A (and superusers) may ever see.
TEAM_A_SECRET = "Opdrachtgever-Alfa-4471"
TEAM_A_SESSION_NOTE = "sessienotitie-alfa-9043"
TEAM_A_DRAFT_TITLE = "Conceptcollege-Alfa-6620"  # a draft lecture's title
TEAM_B_SECRET = "Opdrachtgever-Bravo-1187"
TEAM_B_SESSION_NOTE = "sessienotitie-bravo-5520"
# Another learner, enrolled in the same course with progress: nobody but superusers sees them.
OTHER_LEARNER_EMAIL = "andere-cursist-7713@example.org"
OTHER_LEARNER_NAME = "Zwaantje Overbeek-Quist"
# Speakers: speaker 1 (the link holder) is on production A, speaker 2 only on production B.
SPEAKER_1_NAME = "Anneke Sprekertje-Een"
SPEAKER_2_NAME = "Bartholomeus Sprekertje-Twee"
SPEAKER_2_EMAIL = "spreker-twee-3391@example.org"
# The pre-talk video links: a producer of the other team must never see them (ADR 0013).
TEAM_A_VIDEO_LINK = "https://meet.example.org/alfa-8812"
TEAM_B_VIDEO_LINK = "https://meet.example.org/bravo-2291"
# A speaker who works with both teams (session A and pre-talk B), and one that team A's producer
# added to the directory and put on nothing yet (ADR 0013: who may change them, send or withdraw links).
SHARED_SPEAKER_NAME = "Cornelia Sprekertje-Gedeeld"
NEW_SPEAKER_NAME = "Dirk Sprekertje-Nieuw"


@dataclass
class World:
    users: dict[str, Any]
    other_learner: Any
    course_a: Course
    course_b: Course
    course_draft: Course
    lecture: Lecture  # published, released, ready video + captions (course A)
    lecture_draft: Lecture
    lecture_unreleased: Lecture
    lecture_b: Lecture
    video: Video
    caption: Caption
    enrollment: Enrollment  # the enrolled learner's
    other_enrollment: Enrollment
    certificate: Certificate
    production_a: Any
    production_b: Any
    session_a: Any
    session_b: Any
    pretalk_a: Any
    pretalk_b: Any
    script_a: Any
    script_b: Any
    script_version_a: Any
    post_production_a: Any
    post_production_b: Any
    crew_a: Any
    speaker_1: Any
    speaker_2: Any
    speaker_token: str
    speaker_2_token: str
    feed_a: CalendarFeed
    feed_outsider: CalendarFeed
    extra: dict[str, Any] = field(default_factory=dict)


def _hold_record(session) -> HoldBatch:
    """A hold of ``session`` that can be asked to undo (ADR 0024); the session is left as it is."""
    batch = HoldBatch.objects.create(until=timezone.localdate(), reason="lockdown", created_at=timezone.now())
    batch.items.create(session=session, previous_state="scheduled", previous_sequence=0, held_sequence=1)
    return batch


def _publish(course: Course, *lectures: Lecture) -> None:
    Course.objects.filter(pk=course.pk).update(status=Course.Status.PUBLISHED, published_at=timezone.now())
    Lecture.objects.filter(pk__in=[lecture.pk for lecture in lectures]).update(
        status=Lecture.Status.PUBLISHED
    )
    course.refresh_from_db()
    for lecture in lectures:
        lecture.refresh_from_db()


def _link(speaker) -> str:
    token = secrets.token_urlsafe(24)
    # "Used just now": resolving it again within minutes writes nothing, so any write is the view's.
    SpeakerLink.objects.create(
        speaker=speaker, token_hash=SpeakerLink.hash_token(token), last_used_at=timezone.now()
    )
    return token


def build_world(*, hls_sample: Path) -> World:
    from tests.courses.learning.media import install_video
    from tests.factories import CourseFactory, UserFactory
    from tests.production.factories import SpeakerFactory, at, make_pretalk, make_production, make_session

    users = {
        LEARNER: UserFactory(email="cursist-zonder-inschrijving@example.org", language="en"),
        ENROLLED: UserFactory(email="cursist-ingeschreven@example.org", language="en"),
        OUTSIDER: UserFactory(email="producent-bravo@example.org", language="en"),
        PRODUCER: UserFactory(email="producent-alfa@example.org", language="en"),
        SUPER: UserFactory(email="beheer@example.org", is_superuser=True, is_staff=True, language="en"),
    }
    for role in (OUTSIDER, PRODUCER):
        producer_grant(user=users[role])  # the real way: group, permissions, staff
    other = UserFactory(email=OTHER_LEARNER_EMAIL, full_name=OTHER_LEARNER_NAME, language="en")

    production_a = make_production(lectures=3, team=[users[PRODUCER]], client=TEAM_A_SECRET)
    production_b = make_production(lectures=1, team=[users[OUTSIDER]], client=TEAM_B_SECRET)
    course_a, course_b = production_a.course, production_b.course
    lecture, lecture_draft, lecture_unreleased = course_a.lectures.order_by("position")
    (lecture_b,) = course_b.lectures.all()
    _publish(course_a, lecture, lecture_unreleased)
    _publish(course_b, lecture_b)
    Lecture.objects.filter(pk=lecture_draft.pk).update(title=TEAM_A_DRAFT_TITLE)
    lecture_draft.refresh_from_db()
    Lecture.objects.filter(pk=lecture_unreleased.pk).update(release_at=timezone.now() + timedelta(days=30))
    lecture_unreleased.refresh_from_db()
    course_draft = CourseFactory(status=Course.Status.DRAFT, published_at=None)

    video = install_video(lecture, sample=hls_sample, duration=4)
    caption = lecture.captions.get()

    now = timezone.now()
    enrollment = Enrollment.objects.create(user=users[ENROLLED], course=course_a, enrolled_at=now)
    other_enrollment = Enrollment.objects.create(
        user=other, course=course_a, enrolled_at=now, last_lecture=lecture, last_position_seconds=3
    )
    LearnerEmailPreference.objects.create(user=other, nudges=False)
    certificate = Certificate.objects.create(
        enrollment=other_enrollment,
        learner_name=OTHER_LEARNER_NAME,
        course_title=course_a.title,
        issued_at=now,
    )

    speaker_1 = SpeakerFactory(name=SPEAKER_1_NAME, email="spreker-een@example.org", language="en")
    speaker_2 = SpeakerFactory(name=SPEAKER_2_NAME, email=SPEAKER_2_EMAIL, language="en")
    by_a, by_b = users[PRODUCER], users[OUTSIDER]
    session_a = make_session(
        production_a, days=10, lectures=[lecture], speakers=[speaker_1], notes=TEAM_A_SESSION_NOTE, by=by_a
    )
    session_b = make_session(
        production_b, days=12, lectures=[lecture_b], speakers=[speaker_2], notes=TEAM_B_SESSION_NOTE, by=by_b
    )
    crew_a = scheduling.crew_assign(session=session_a, name="Cameravrouw Alfa", role="camera", by=by_a)
    pretalk_a, pretalk_b = (
        make_pretalk(team, speakers=[speaker], lectures=[on], starts_at=at(days), video_link=link, by=by)
        for team, speaker, on, days, link, by in (
            (production_a, speaker_1, lecture, 5, TEAM_A_VIDEO_LINK, by_a),
            (production_b, speaker_2, lecture_b, 6, TEAM_B_VIDEO_LINK, by_b),
        )
    )
    script_a = lecture.script_part
    script_b = lecture_b.script_part
    script_version_a = scripts.script_version_add(
        part=script_a, text="Draaiboek alfa", file=ContentFile(b"script alfa", name="alfa.txt"), by=by_a
    )
    scripts.script_version_add(part=script_b, text="Draaiboek bravo", by=by_b)
    post_a = lecture.post_production
    post_b = lecture_b.post_production

    # Email log rows of both teams (as the mailer writes them).
    for production, speaker in ((production_a, speaker_1), (production_b, speaker_2)):
        EmailLog.objects.create(
            kind=EmailLog.Kind.INVITATION,
            recipient=speaker.email,
            subject=f"Uitnodiging {production.client}",
            body_text=f"Beste {speaker.name}",
            message_id=f"<authz-{production.pk}@example.org>",
            speaker=speaker,
            production=production,
            idempotency_key=f"authz-{production.pk}",
        )

    # A failed message of team A, and a failed learner email of no production (resend: superusers).
    def failed(key, **fields):
        return EmailLog.objects.create(
            body_text="Hallo",
            message_id=f"<{key}@example.org>",
            idempotency_key=key,
            state=EmailLog.State.FAILED,
            **fields,
        )

    failed_a = failed(
        "authz-failed-a",
        kind=EmailLog.Kind.TEAM_NOTICE,
        recipient="producent-alfa@example.org",
        subject="Teambericht alfa",
        production=production_a,
    )
    failed_learner = failed(
        "authz-failed-learner",
        kind=EmailLog.Kind.LEARNER_NUDGE,
        recipient=other.email,
        subject="Ga verder",
        user=other,
    )

    # Speaker directory (ADR 0013): one speaker shared by both teams, one with no items yet.
    shared = SpeakerFactory(name=SHARED_SPEAKER_NAME, email="spreker-gedeeld@example.org", language="en")
    scheduling.recording_session_add_speaker(session=session_a, speaker=shared, by=by_a)
    scheduling.pretalk_add_speaker(pretalk=pretalk_b, speaker=shared, by=by_b)
    new_speaker = speakers.speaker_create(
        name=NEW_SPEAKER_NAME, email="spreker-nieuw@example.org", language="en", by=by_a
    )

    from tests.production.factories import LocationFactory

    location = LocationFactory()
    lapsed_feed = CalendarFeed.objects.create(user=users[LEARNER])  # a producer no longer
    revoked_token = _link(speaker_1)
    SpeakerLink.objects.filter(token_hash=SpeakerLink.hash_token(revoked_token)).update(
        revoked_at=timezone.now()
    )
    return World(
        users=users,
        other_learner=other,
        course_a=course_a,
        course_b=course_b,
        course_draft=course_draft,
        lecture=lecture,
        lecture_draft=lecture_draft,
        lecture_unreleased=lecture_unreleased,
        lecture_b=lecture_b,
        video=video,
        caption=caption,
        enrollment=enrollment,
        other_enrollment=other_enrollment,
        certificate=certificate,
        production_a=production_a,
        production_b=production_b,
        session_a=session_a,
        session_b=session_b,
        pretalk_a=pretalk_a,
        pretalk_b=pretalk_b,
        script_a=script_a,
        script_b=script_b,
        script_version_a=script_version_a,
        post_production_a=post_a,
        post_production_b=post_b,
        crew_a=crew_a,
        speaker_1=speaker_1,
        speaker_2=speaker_2,
        speaker_token=_link(speaker_1),
        speaker_2_token=_link(speaker_2),
        feed_a=scheduling_feeds.calendar_feed_get_or_create(user=users[PRODUCER]),
        feed_outsider=scheduling_feeds.calendar_feed_get_or_create(user=users[OUTSIDER]),
        extra={
            "location": location,
            "lapsed_feed": lapsed_feed,
            "revoked_token": revoked_token,
            "shared_speaker": shared,
            "new_speaker": new_speaker,
            "failed_email_a": failed_a,
            "hold_a": _hold_record(session_a),
            "failed_learner_email": failed_learner,
        },
    )
