"""The opt-in call sheet email, the day before, to crew with an address and to speakers (issue 14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from production.models import EmailLog
from production.scheduling import services as scheduling
from production.studio import callsheet
from tests.factories import UserFactory

from .factories import LocationFactory, SpeakerFactory, make_production

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
DAY = date(2027, 6, 14)
EVE = datetime(2027, 6, 13, 15, 0, tzinfo=AMS)  # the afternoon before


def _session(production, hour, *, location, speakers=(), **kwargs):
    start = datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=AMS)
    return scheduling.recording_session_create(
        production=production,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        lectures=list(production.course.lectures.all()[:1]),
        location=location,
        speakers=speakers,
        confirm_double_booking=True,
        **kwargs,
        by=None,
    )


@pytest.fixture
def world():
    producer = UserFactory(producer=True)
    production = make_production(lectures=2, team=[producer], call_sheet_emails=True)
    studio = LocationFactory(name="Studio Noord", address="Noorderweg 5", access_notes="Ring the bell")
    speaker = SpeakerFactory(
        name="Anna Ja", email="anna@example.org", language="en", time_zone="America/New_York"
    )
    item = _session(production, 10, location=studio, speakers=[speaker], notes="Blue jacket")
    scheduling.crew_assign(
        session=item, name="Carla Camera", role="camera", email="carla@example.org", by=None
    )
    scheduling.crew_assign(session=item, name="Geen Adres", role="sound", by=None)
    return {"production": production, "studio": studio, "speaker": speaker, "session": item}


def _mails():
    return EmailLog.objects.filter(kind=EmailLog.Kind.CALL_SHEET).order_by("recipient")


def test_the_day_before_crew_with_an_address_and_speakers_get_the_call_sheet_once(world):
    assert callsheet.call_sheet_emails_queue(now=EVE) == 2
    assert callsheet.call_sheet_emails_queue(now=EVE + timedelta(hours=1)) == 0  # idempotent

    anna, carla = _mails()
    assert (anna.recipient, carla.recipient) == ("anna@example.org", "carla@example.org")
    # The speaker reads her own language and time zone: 10:00 in Amsterdam is 04:00 in New York.
    assert anna.language == "en" and "04:00" in anna.body_text and "America/New_York" in anna.body_text
    assert "Studio Noord" in anna.subject or "Studio Noord" in anna.body_text
    for text in ("Noorderweg 5", "Ring the bell", "Carla Camera", "Blue jacket"):
        assert text in anna.body_text
    # Crew have no language of their own: the studio's (Dutch) and the studio's time zone.
    assert carla.language == "nl" and "10:00" in carla.body_text and "Anna Ja" in carla.body_text
    assert (
        "Nog geen antwoord" in carla.body_text
        and "callsheet voor morgen" in carla.body_text
        and "Morgen" not in anna.body_text
    )  # her answer, in Dutch
    assert anna.idempotency_key != carla.idempotency_key
    assert DAY.isoformat() in anna.idempotency_key and str(world["studio"].pk) in anna.idempotency_key


def test_nothing_is_sent_earlier_than_the_day_before_or_for_productions_that_did_not_opt_in(world):
    assert callsheet.call_sheet_emails_queue(now=EVE - timedelta(days=1)) == 0
    world["production"].call_sheet_emails = False
    world["production"].save()
    assert callsheet.call_sheet_emails_queue(now=EVE) == 0
    assert not _mails().exists()


def test_cancelled_and_held_sessions_send_no_call_sheet(world):
    scheduling.recording_session_hold(
        session=world["session"], until=DAY + timedelta(days=9), reason="lockdown", by=None
    )
    assert callsheet.call_sheet_emails_queue(now=EVE) == 0


def test_a_recipient_only_reads_the_sessions_they_work_on(world):
    other_team = make_production(lectures=1, team=[UserFactory(producer=True)], call_sheet_emails=True)
    stranger = SpeakerFactory(name="Hun Spreker", email="hun@example.org")
    _session(other_team, 14, location=world["studio"], speakers=[stranger], notes="GEHEIM")

    callsheet.call_sheet_emails_queue(now=EVE)

    bodies = {m.recipient: m.body_text for m in _mails()}
    assert set(bodies) == {"anna@example.org", "carla@example.org", "hun@example.org"}
    assert "GEHEIM" not in bodies["anna@example.org"] and "Hun Spreker" not in bodies["carla@example.org"]
    assert "Blue jacket" not in bodies["hun@example.org"] and "Carla Camera" not in bodies["hun@example.org"]


def test_the_beat_runs_the_call_sheet_task_on_the_mail_queue(world, settings):
    from omooc.celery import BEAT_SCHEDULE
    from production.studio.tasks import call_sheet_emails_task

    (entry,) = [e for e in BEAT_SCHEDULE.values() if e["task"] == "production.call_sheet_emails"]
    assert entry["schedule"] <= 3600
    assert call_sheet_emails_task.name == "production.call_sheet_emails"  # production.*: the mail queue


def test_a_fresh_worker_knows_the_call_sheet_task_the_beat_names():
    """The task lives in ``production.studio.tasks``, not an app's ``tasks`` module: a worker that only
    autodiscovered the apps would receive the beat's message and drop it as an unregistered task."""
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from omooc.celery import BEAT_SCHEDULE, app\n"
        "app.loader.import_default_modules()\n"
        "print(sorted({e['task'] for e in BEAT_SCHEDULE.values()} - set(app.tasks)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # every task the beat schedules is registered in a fresh process
